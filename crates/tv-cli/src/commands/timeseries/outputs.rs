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

/// What every timeseries output states: the app, window, end and filters it describes
/// (also on every NDJSON record), and the coverage of a `--since` range.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SeriesContext {
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
}

/// JSON of `tv latency series`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LatencySeriesOutput {
    /// `server` or `client`.
    pub side: String,
    /// App, window, end, filters and coverage.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// Volume, weighted mean, and the notable slices.
    pub summary: math::LatencySummary,
    /// The slices.
    pub series: Series<LatencyPoint>,
}

/// JSON of `tv latency summary`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LatencySummaryOutput {
    /// `server` or `client`.
    pub side: String,
    /// App, window, end, filters and coverage.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// Traces, average and latest latency as the server computed them.
    pub summary: LatencySummary,
}

/// JSON of `tv latency by-layer`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ByLayerOutput {
    /// App, window, end, filters and coverage.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// Requests (server traces) in the window, the denominator of `per_request_us`.
    pub requests: u64,
    /// One entry per layer, in the server's order.
    pub layers: Vec<LayerBreakdown>,
}

/// JSON of `tv errors`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorsOutput {
    /// App, window, end, filters and coverage.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// Volume-weighted error rate and the approximate number of failed traces.
    pub estimate: ErrorEstimate,
    /// The error rate per slice.
    pub series: Series<ErrorRatePoint>,
}

/// JSON of `tv requests`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RequestsOutput {
    /// App, window, end, filters and coverage.
    #[serde(flatten)]
    pub context: SeriesContext,
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
    /// App, window, end, filters and coverage.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// The server's summary.
    pub summary: RequestsSummary,
}
