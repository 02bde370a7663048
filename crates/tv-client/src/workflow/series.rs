//! An app's series over a [`Span`] (one window, or a range stitched, resampled or
//! not): the error rate with the traces it is a rate of (`tv errors`), and the latency
//! with the annotations drawn on it (`tv chart`).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Traffic;
use crate::client::{AnnotationRange, TraceView};
use crate::error::Error;
use crate::filter::ServerFilter;
use crate::history::Span;
use crate::math::{self, Coverage, ErrorEstimate};
use crate::model::Annotation;
use crate::points::{ErrorRatePoint, LatencyPoint};
use crate::series::Series;

/// An app's error rate over a span, the traces it is a rate of, and how many errors
/// that makes. Without traffic the overall rate is `None` (never a measured 0 %) and the
/// counts are 0; when not known (no slices matched) the estimate is `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ErrorHistory {
    /// Per slice, the share of traces with at least one error.
    pub rates: Series<ErrorRatePoint>,
    /// Per slice, the traces (and their latency) the rates are shares of.
    pub volumes: Series<LatencyPoint>,
    /// For a range: what the stitched windows cover and what is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Over the whole span: errors ≈ Σ rate × volume, and the overall rate (`None`
    /// without traffic); `None` when not known (the server sent no slices of both
    /// series).
    pub estimate: Option<ErrorEstimate>,
    /// Whether the span had traces, none, or is not known ([`Traffic::of_errors`]).
    #[serde(skip_serializing_if = "Traffic::is_seen")]
    pub traffic: Traffic,
}

/// The error rate of `app` over `span`, with the volumes fetched alongside (the same
/// filter and windows), both resampled to the span's step, and the estimate of errors.
pub async fn error_history(
    tv: &TraceView,
    app: &str,
    filter: &ServerFilter,
    span: &Span,
) -> Result<ErrorHistory, Error> {
    let (errors, latency) = (tv.errors(), tv.latency());
    let ((rates, coverage), (volumes, _)) = futures::try_join!(
        span.fetch(filter, |f| async move { errors.rate(app, &f).await }),
        span.fetch(
            filter,
            |f| async move { latency.server_series(app, &f).await }
        )
    )?;
    let (rates, volumes) = match span.resample {
        Some(step) => (
            math::resample_error_rates(&rates, &volumes, step)?,
            math::resample(&volumes, step)?,
        ),
        None => (rates, volumes),
    };
    let estimate = math::estimate_errors(&rates, &volumes);
    let traffic = Traffic::of_errors(&estimate);
    Ok(ErrorHistory {
        rates,
        volumes,
        coverage,
        estimate: traffic.known(estimate),
        traffic,
    })
}

/// An app's latency over a span and the annotations in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LatencyChart {
    /// Volume and average latency per slice.
    pub series: Series<LatencyPoint>,
    /// For a range: what the stitched windows cover and what is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// The annotations of the app from the span's start (for one window, the start of
    /// the window before it) to `end`.
    pub annotations: Vec<Annotation>,
}

/// The server-side latency of `app` over `span` ending at `end` (the range's end for a
/// range), resampled to the span's step, with the app's annotations over the same time.
pub async fn latency_chart(
    tv: &TraceView,
    app: &str,
    span: &Span,
    end: DateTime<Utc>,
) -> Result<LatencyChart, Error> {
    let filter = ServerFilter::new().window(span.window).end(end);
    let range = AnnotationRange {
        start: span
            .range
            .map(|r| r.start)
            .or(span.window.previous_end(end)),
        end: Some(end),
    };
    let latency = tv.latency();
    let ((series, coverage), annotations) = futures::try_join!(
        span.fetch(
            &filter,
            |f| async move { latency.server_series(app, &f).await }
        ),
        tv.annotations().of_app(app, range)
    )?;
    Ok(LatencyChart {
        series: span.resampled(series)?,
        coverage,
        annotations,
    })
}
