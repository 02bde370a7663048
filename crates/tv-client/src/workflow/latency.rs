//! An app's latency over a [`Span`]: the series with its summary (`tv latency series`)
//! and the time per layer (`tv latency by-layer`).

use serde::Serialize;

use super::Traffic;
use crate::client::TraceView;
use crate::error::Error;
use crate::filter::{ClientFilter, ServerFilter};
use crate::history::Span;
use crate::math::{self, Coverage, LatencySummary, LayerBreakdown};
use crate::points::LatencyPoint;
use crate::series::Series;

/// Whose latency: the server's traces or the browsers' page views, with the filter of
/// each.
#[derive(Debug, Clone, PartialEq)]
pub enum LatencyFilter {
    /// Server-side traces.
    Server(ServerFilter),
    /// Page views measured in browsers.
    Client(ClientFilter),
}

/// An app's latency per slice over a span, and its summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LatencyHistory {
    /// Volume and average latency per slice (a slice without traces has a `null`
    /// average).
    pub series: Series<LatencyPoint>,
    /// For a range: what the stitched windows cover and what is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Traces in all slices, their volume-weighted mean, the notable slices (the mean
    /// is `None` without traffic); `None` when not known (the server sent no slices).
    pub summary: Option<LatencySummary>,
    /// Whether the span had traffic, none, or is not known (no slices).
    #[serde(skip_serializing_if = "Traffic::is_seen")]
    pub traffic: Traffic,
}

/// The latency of `app` over `span` (server or client side), resampled to the span's
/// step, with its summary.
pub async fn latency_history(
    tv: &TraceView,
    app: &str,
    filter: &LatencyFilter,
    span: &Span,
) -> Result<LatencyHistory, Error> {
    let latency = tv.latency();
    let (series, coverage) = match filter {
        LatencyFilter::Server(filter) => {
            span.fetch(
                filter,
                |f| async move { latency.server_series(app, &f).await },
            )
            .await?
        }
        LatencyFilter::Client(filter) => {
            span.fetch(
                filter,
                |f| async move { latency.client_series(app, &f).await },
            )
            .await?
        }
    };
    let series = span.resampled(series)?;
    let summary = math::summarize_latency(&series);
    let traffic = Traffic::of(series.len(), summary.volume);
    Ok(LatencyHistory {
        summary: traffic.known(summary),
        series,
        coverage,
        traffic,
    })
}

/// Where an app's time goes over a span: per layer, calls, time per call and per
/// request, share of the time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LayerReport {
    /// One entry per layer, in the server's order (a layer without calls has no time
    /// per call; without requests there is no time per request).
    pub layers: Vec<LayerBreakdown>,
    /// Requests (server traces) in the span, the denominator of the time per request;
    /// `None` when not known (the server sent no slices).
    pub requests: Option<u64>,
    /// For a range: what the stitched windows of the server series cover.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Whether the span had requests, none, or is not known (no slices).
    #[serde(skip_serializing_if = "Traffic::is_seen")]
    pub traffic: Traffic,
    /// The server series the time per request divides by (not serialized: the
    /// by-layer view shows totals).
    #[serde(skip)]
    pub series: Series<LatencyPoint>,
}

/// The layers of `app` over `span` (one window, or a range stitched layer by layer),
/// with the server series of the same windows for the time per request.
///
/// Errors: [`Error::InvalidArgument`] for a span that resamples (the view shows totals).
pub async fn layer_report(
    tv: &TraceView,
    app: &str,
    filter: &ServerFilter,
    span: &Span,
) -> Result<LayerReport, Error> {
    if span.resample.is_some() {
        return Err(Error::invalid_argument(
            "a layer report shows totals per layer: it cannot be resampled",
        ));
    }
    let filter = filter.clone().window(span.window);
    let latency = tv.latency();
    let layers = async {
        match span.range {
            Some(range) => latency.by_layer_history(app, &filter, range).await,
            None => latency.by_layer(app, &filter).await,
        }
    };
    let (layers, (series, coverage)) = futures::try_join!(
        layers,
        span.fetch(
            &filter,
            |f| async move { latency.server_series(app, &f).await }
        )
    )?;
    let requests = math::total_volume(&series);
    let traffic = Traffic::of(series.len(), requests);
    Ok(LayerReport {
        layers: math::layer_breakdown(&layers, Some(&series)),
        requests: traffic.known(requests),
        coverage,
        traffic,
        series,
    })
}
