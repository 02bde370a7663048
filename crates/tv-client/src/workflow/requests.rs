//! An app's requests over a [`Span`] (`tv requests`).

use serde::Serialize;

use super::Traffic;
use crate::client::TraceView;
use crate::error::Error;
use crate::filter::RequestsFilter;
use crate::history::Span;
use crate::math::{self, Coverage};
use crate::points::RequestsPoint;
use crate::series::Series;

/// An app's requests per slice over a span, their total and rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RequestHistory {
    /// Requests per slice.
    pub series: Series<RequestsPoint>,
    /// For a range: what the stitched windows cover and what is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// All requests in the span: `Some(0)` without traffic, `None` when not known (the
    /// server sent no slices).
    pub total_requests: Option<u64>,
    /// Requests per second over the slices present (`Some(0.0)` without traffic; `None`
    /// when not known).
    pub requests_per_second: Option<f64>,
    /// Whether the span had requests, none, or is not known (no slices).
    #[serde(skip_serializing_if = "Traffic::is_seen")]
    pub traffic: Traffic,
}

/// The requests to `app` over `span`, resampled to the span's step, with their total
/// and rate.
pub async fn request_history(
    tv: &TraceView,
    app: &str,
    filter: &RequestsFilter,
    span: &Span,
) -> Result<RequestHistory, Error> {
    let requests = tv.requests();
    let (series, coverage) = span
        .fetch(filter, |f| async move { requests.series(app, &f).await })
        .await?;
    let series = span.resampled(series)?;
    let total = math::total_requests(&series);
    let traffic = Traffic::of(series.len(), total);
    Ok(RequestHistory {
        total_requests: traffic.known(total),
        requests_per_second: math::requests_per_second(&series),
        series,
        coverage,
        traffic,
    })
}
