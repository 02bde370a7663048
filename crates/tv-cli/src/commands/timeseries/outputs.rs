//! The outputs of `tv errors`, `tv requests` and `tv latency …`: each one typed result
//! (the JSON document; `Serialize` + `JsonSchema`) that every format writes
//! ([`Output`]): tables, records and notes are made only for the format printed.

use std::io;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use tv_client::math::{Coverage, ErrorEstimate, LayerBreakdown};
use tv_client::workflow::{LatencyChart, LatencyHistory, LayerReport, RequestHistory, Traffic};
use tv_client::{
    ErrorRatePoint, LatencyPoint, LatencySummary, RequestsPoint, RequestsSummary, Series,
    TimeWindow,
};

use super::super::column;
use crate::filters::FilterValues;
use crate::render::{Align, Cell, Format, Json, Output, Rows, Table, records_with, value_of};

/// What every timeseries output states: the app, window, end and filters it describes
/// (also on every NDJSON record).
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
}

impl SeriesContext {
    /// The fields every NDJSON record of the output starts with: these, the coverage of
    /// a `--since` range, and the traffic when it was not seen.
    pub fn record(&self, coverage: Option<&Coverage>, traffic: Traffic) -> io::Result<Value> {
        let mut context = value_of(self)?;
        if let Value::Object(fields) = &mut context {
            if let Some(coverage) = coverage {
                fields.insert("coverage".into(), value_of(coverage)?);
            }
            if !traffic.is_seen() {
                fields.insert("traffic".into(), value_of(&traffic)?);
            }
        }
        Ok(context)
    }
}

/// What a series output's NDJSON records are made of: its rows (slices or layers), the
/// coverage of a `--since` range and the traffic.
pub trait History {
    /// A row.
    type Row: Serialize;
    /// The rows, the coverage and the traffic.
    fn parts(&self) -> (&[Self::Row], Option<&Coverage>, Traffic);

    /// The NDJSON records: each row after `context`'s fields.
    fn records<'a>(&'a self, context: &SeriesContext) -> Rows<'a> {
        let (rows, coverage, traffic) = self.parts();
        records(context, coverage, traffic, rows)
    }
}

impl History for LatencyHistory {
    type Row = LatencyPoint;
    fn parts(&self) -> (&[LatencyPoint], Option<&Coverage>, Traffic) {
        (self.series.points(), self.coverage.as_ref(), self.traffic)
    }
}

impl History for RequestHistory {
    type Row = RequestsPoint;
    fn parts(&self) -> (&[RequestsPoint], Option<&Coverage>, Traffic) {
        (self.series.points(), self.coverage.as_ref(), self.traffic)
    }
}

impl History for LatencyChart {
    type Row = LatencyPoint;
    fn parts(&self) -> (&[LatencyPoint], Option<&Coverage>, Traffic) {
        (self.series.points(), self.coverage.as_ref(), Traffic::Seen)
    }
}

impl History for LayerReport {
    type Row = LayerBreakdown;
    fn parts(&self) -> (&[LayerBreakdown], Option<&Coverage>, Traffic) {
        (&self.layers, self.coverage.as_ref(), self.traffic)
    }
}

/// The NDJSON records: each of `rows` after the context's fields.
pub fn records<'a, T: Serialize>(
    context: &SeriesContext,
    coverage: Option<&Coverage>,
    traffic: Traffic,
    rows: &'a [T],
) -> Rows<'a> {
    match context.record(coverage, traffic) {
        Ok(context) => records_with(context, rows),
        Err(error) => Box::new(std::iter::once(Err(error))),
    }
}

/// The note of a window without traffic or not known (none with traffic).
fn traffic_note(traffic: Traffic) -> Vec<String> {
    traffic.describe().map(String::from).into_iter().collect()
}

/// `tv latency series`: the workflow's history with what it describes.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LatencySeriesOutput {
    /// `server` or `client`.
    pub side: String,
    /// App, window, end, filters.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// The slices, their summary, the coverage of a `--since` range and the traffic
    /// (`no_traffic`, `unknown`; absent when seen).
    #[serde(flatten)]
    pub history: LatencyHistory,
    /// How the title names the time (`last hour`, or the range).
    #[serde(skip)]
    pub span: String,
}

impl Output for LatencySeriesOutput {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(self)
    }

    fn records(&self) -> Rows<'_> {
        self.history.records(&self.context)
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        let window = self.context.window;
        let rows = self
            .history
            .series
            .iter()
            .map(|p| {
                vec![
                    Cell::slice(p.at, window),
                    Cell::number(p.volume as f64),
                    Cell::duration(p.average),
                ]
            })
            .collect();
        Ok(vec![Table {
            title: Some(format!(
                "{} latency of {}, {}",
                self.side, self.context.app, self.span
            )),
            columns: vec![
                column("at", "Time", Align::Left),
                column("volume", "Traces", Align::Right),
                column("average_us", "Average", Align::Right),
            ],
            rows,
        }])
    }

    fn notes(&self) -> Vec<String> {
        traffic_note(self.history.traffic)
    }
}

/// `tv latency summary`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LatencySummaryOutput {
    /// `server` or `client`.
    pub side: String,
    /// App, window, end, filters.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// Traces, average and latest latency as the server computed them.
    pub summary: LatencySummary,
}

impl LatencySummaryOutput {
    /// Its one-row table.
    pub fn table(&self) -> Table {
        let summary = &self.summary;
        Table {
            title: None,
            columns: vec![
                column("app", "App", Align::Left),
                column("summary.count", "Traces", Align::Right),
                column("summary.average_us", "Average", Align::Right),
                column("summary.latest_us", "Latest", Align::Right),
            ],
            rows: vec![vec![
                Cell::text(&self.context.app),
                Cell::number(summary.count as f64),
                Cell::duration(summary.average),
                Cell::duration(summary.latest),
            ]],
        }
    }
}

/// The by-layer table (shared with `tv report APP`).
pub fn layer_table(title: Option<String>, layers: &[LayerBreakdown]) -> Table {
    let rows = layers
        .iter()
        .map(|l| {
            vec![
                Cell::text(&l.layer),
                Cell::number(l.calls as f64),
                Cell::duration(l.per_call),
                Cell::duration(l.per_request),
                Cell::percent(l.share),
            ]
        })
        .collect();
    Table {
        title,
        columns: vec![
            column("layer", "Layer", Align::Left),
            column("calls", "Calls", Align::Right),
            column("per_call_us", "Per call", Align::Right),
            column("per_request_us", "Per request", Align::Right),
            column("share", "Share of time", Align::Right),
        ],
        rows,
    }
}

/// `tv latency by-layer`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ByLayerOutput {
    /// App, window, end, filters.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// The layers, the requests they are divided by (`requests`, the denominator of
    /// `per_request_us`; `null` when not known), the coverage and the traffic.
    #[serde(flatten)]
    pub report: LayerReport,
    /// How the title names the time.
    #[serde(skip)]
    pub span: String,
}

impl Output for ByLayerOutput {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(self)
    }

    fn records(&self) -> Rows<'_> {
        self.report.records(&self.context)
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        let title = format!("Layers of {}, {}", self.context.app, self.span);
        Ok(vec![layer_table(Some(title), &self.report.layers)])
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = vec![
            "per request = layer time ÷ requests of the server series in the same slices".into(),
        ];
        notes.extend(traffic_note(self.report.traffic));
        notes
    }
}

/// `tv errors`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorsOutput {
    /// App, window, end, filters.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// With `--since`: the range asked for, what the stitched windows cover and what is
    /// missing (absent without `--since`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Volume-weighted error rate (`null` without traffic: no rate, not 0 %) and the
    /// approximate number of failed traces; `null` when not known.
    pub estimate: Option<ErrorEstimate>,
    /// The error rate per slice.
    pub series: Series<ErrorRatePoint>,
    /// `no_traffic` or `unknown` (absent when traces were seen).
    #[serde(skip_serializing_if = "Traffic::is_seen")]
    pub traffic: Traffic,
    /// How the title names the time.
    #[serde(skip)]
    pub span: String,
}

impl Output for ErrorsOutput {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(self)
    }

    fn records(&self) -> Rows<'_> {
        let coverage = self.coverage.as_ref();
        records(&self.context, coverage, self.traffic, self.series.points())
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        let window = self.context.window;
        let rows = self
            .series
            .iter()
            .map(|p| vec![Cell::slice(p.at, window), Cell::percent(p.rate)])
            .collect();
        Ok(vec![Table {
            title: Some(format!("Error rate of {}, {}", self.context.app, self.span)),
            columns: vec![
                column("at", "Time", Align::Left),
                column("rate", "Error rate", Align::Right),
            ],
            rows,
        }])
    }

    fn notes(&self) -> Vec<String> {
        match (&self.estimate, self.estimate.as_ref().and_then(|e| e.rate)) {
            (Some(estimate), Some(rate)) => vec![format!(
                "overall {} of {} traces ≈ {} errors (approximate: rate × volume)",
                tv_client::units::format_percent(rate * 100.0),
                estimate.volume,
                estimate.errors.get()
            )],
            _ => traffic_note(self.traffic),
        }
    }
}

/// `tv requests`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RequestsOutput {
    /// App, window, end, filters.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// The slices, `total_requests` and `requests_per_second` (`null` when not known),
    /// the coverage and the traffic.
    #[serde(flatten)]
    pub history: RequestHistory,
    /// How the title names the time.
    #[serde(skip)]
    pub span: String,
}

impl Output for RequestsOutput {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(self)
    }

    fn records(&self) -> Rows<'_> {
        self.history.records(&self.context)
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        let window = self.context.window;
        let rows = self
            .history
            .series
            .iter()
            .map(|p| vec![Cell::slice(p.at, window), Cell::number(p.requests as f64)])
            .collect();
        Ok(vec![Table {
            title: Some(format!("Requests to {}, {}", self.context.app, self.span)),
            columns: vec![
                column("at", "Time", Align::Left),
                column("requests", "Requests", Align::Right),
            ],
            rows,
        }])
    }

    fn notes(&self) -> Vec<String> {
        traffic_note(self.history.traffic)
    }
}

/// `tv requests --summary`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RequestsSummaryOutput {
    /// App, window, end, filters.
    #[serde(flatten)]
    pub context: SeriesContext,
    /// The server's summary.
    pub summary: RequestsSummary,
}

impl RequestsSummaryOutput {
    /// Its one-row table.
    pub fn table(&self) -> Table {
        let summary = &self.summary;
        Table {
            title: None,
            columns: vec![
                column("app", "App", Align::Left),
                column("summary.total_requests", "Requests", Align::Right),
                column("summary.per_second", "Per second", Align::Right),
            ],
            rows: vec![vec![
                Cell::text(&self.context.app),
                Cell::number(summary.total_requests as f64),
                summary
                    .per_second
                    .map(Cell::number)
                    // Only the server's words, which CSV leaves to the JSON.
                    .unwrap_or_else(|| Cell::new(&summary.rate_text, "")),
            ]],
        }
    }
}
