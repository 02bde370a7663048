//! The JSON outputs of `tv errors`, `tv requests` and `tv latency …`.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use tv_client::math::{self, Coverage, ErrorEstimate, LayerBreakdown};
use tv_client::{
    ErrorRatePoint, LatencyPoint, LatencySummary, RequestsPoint, RequestsSummary, Series,
    TimeWindow,
};

use crate::filters::FilterValues;

/// JSON of `tv latency series`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LatencySeriesOutput {
    /// The app.
    pub app: String,
    /// `server` or `client`.
    pub side: String,
    /// The window.
    pub window: TimeWindow,
    /// The end of the window: `--end`, or the end of the last slice served (`null`
    /// for a summary without `--end`: the server's now).
    pub end: Option<DateTime<Utc>>,
    /// The filters used.
    pub filters: FilterValues,
    /// With `--since`: the range asked for, what the stitched windows cover and what is
    /// missing (absent without `--since`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Volume, weighted mean, and the notable slices.
    pub summary: math::LatencySummary,
    /// The slices.
    pub series: Series<LatencyPoint>,
}

/// JSON of `tv latency summary`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LatencySummaryOutput {
    /// The app.
    pub app: String,
    /// `server` or `client`.
    pub side: String,
    /// The window.
    pub window: TimeWindow,
    /// The end of the window: `--end`, or the end of the last slice served (`null`
    /// for a summary without `--end`: the server's now).
    pub end: Option<DateTime<Utc>>,
    /// The filters used.
    pub filters: FilterValues,
    /// Traces, average and latest latency as the server computed them.
    pub summary: LatencySummary,
}

/// JSON of `tv latency by-layer`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ByLayerOutput {
    /// The app.
    pub app: String,
    /// The window.
    pub window: TimeWindow,
    /// The end of the window: `--end`, or the end of the last slice served (`null`
    /// for a summary without `--end`: the server's now).
    pub end: Option<DateTime<Utc>>,
    /// The filters used.
    pub filters: FilterValues,
    /// With `--since`: the range asked for, what the stitched windows cover and what is
    /// missing (absent without `--since`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Requests (server traces) in the window, the denominator of `per_request_us`.
    pub requests: u64,
    /// One entry per layer, in the server's order.
    pub layers: Vec<LayerBreakdown>,
}

/// JSON of `tv errors`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorsOutput {
    /// The app.
    pub app: String,
    /// The window.
    pub window: TimeWindow,
    /// The end of the window: `--end`, or the end of the last slice served (`null`
    /// for a summary without `--end`: the server's now).
    pub end: Option<DateTime<Utc>>,
    /// The filters used.
    pub filters: FilterValues,
    /// With `--since`: the range asked for, what the stitched windows cover and what is
    /// missing (absent without `--since`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Volume-weighted error rate and the approximate number of failed traces.
    pub estimate: ErrorEstimate,
    /// The error rate per slice.
    pub series: Series<ErrorRatePoint>,
}

/// JSON of `tv requests`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RequestsOutput {
    /// The app.
    pub app: String,
    /// The window.
    pub window: TimeWindow,
    /// The end of the window: `--end`, or the end of the last slice served (`null`
    /// for a summary without `--end`: the server's now).
    pub end: Option<DateTime<Utc>>,
    /// The filters used.
    pub filters: FilterValues,
    /// With `--since`: the range asked for, what the stitched windows cover and what is
    /// missing (absent without `--since`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// All requests in the window.
    pub total_requests: u64,
    /// Average requests per second over the slices present.
    pub requests_per_second: Option<f64>,
    /// Requests per slice.
    pub series: Series<RequestsPoint>,
}

/// JSON of `tv requests --summary`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RequestsSummaryOutput {
    /// The app.
    pub app: String,
    /// The window.
    pub window: TimeWindow,
    /// The end of the window: `--end`, or the end of the last slice served (`null`
    /// for a summary without `--end`: the server's now).
    pub end: Option<DateTime<Utc>>,
    /// The filters used.
    pub filters: FilterValues,
    /// The server's summary.
    pub summary: RequestsSummary,
}
