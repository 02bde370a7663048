//! `tv report APP` (one app in depth) and `tv chart APP`.

use std::path::Path;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use tv_client::math::{self, ErrorEstimate, LayerBreakdown};
use tv_client::{
    Annotation, AnnotationRange, LatencyPoint, LatencySummary, RequestsFilter, RequestsSummary,
    Series, ServerFilter, TimeWindow, TraceView,
};

use super::timeseries::layer_table;
use super::{Env, change_tone, column, emit, latency_change, list_report, to_json};
use crate::cli::WindowArgs;
use crate::exit::{CliError, Exit};
use crate::filters;
use crate::render::{Align, Cell, Chart, ChartSeries, Marker, Report, Table, write_plot};
use crate::suggest::app_error;

/// JSON of `tv report APP`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AppReport {
    /// The app.
    pub app: String,
    /// The window.
    pub window: TimeWindow,
    /// Its end.
    pub end: DateTime<Utc>,
    /// Traces, average and latest latency (server's summary).
    pub summary: LatencySummary,
    /// The average of the window before, microseconds.
    pub previous_average_us: Option<f64>,
    /// Change of the average against the window before, as a fraction.
    pub change: Option<f64>,
    /// Error rate and approximate failed traces.
    pub errors: ErrorEstimate,
    /// All requests (traced or not) over the window.
    pub requests: RequestsSummary,
    /// Where the time goes, per layer.
    pub layers: Vec<LayerBreakdown>,
    /// Volume and average latency per slice.
    pub series: Series<LatencyPoint>,
    /// Annotations within the window, newest first.
    pub annotations: Vec<Annotation>,
}

/// Fetches everything about one app over one window, concurrently.
async fn fetch(
    tv: &TraceView,
    app: &str,
    window: TimeWindow,
    end: DateTime<Utc>,
) -> Result<AppReport, tv_client::Error> {
    let current = ServerFilter::new().window(window).end(end);
    let start = window.previous_end(end).unwrap_or(end);
    let previous = ServerFilter::new().window(window).end(start);
    let latency = tv.latency();
    let range = AnnotationRange {
        start: Some(start),
        end: Some(end),
    };
    let requests_filter = RequestsFilter::new().window(window).end(end);
    let (summary, before, series, rates, requests, layers, annotations) = futures::try_join!(
        latency.server_summary(app, &current),
        latency.server_summary(app, &previous),
        latency.server_series(app, &current),
        tv.errors().rate(app, &current),
        tv.requests().summary(app, &requests_filter),
        latency.by_layer(app, &current),
        tv.annotations().of_app(app, range),
    )?;
    let change = latency_change(&summary, &before);
    Ok(AppReport {
        app: app.to_string(),
        window,
        end,
        previous_average_us: before.average.map(|d| d.as_nanos() as f64 / 1000.0),
        change,
        errors: math::estimate_errors(&rates, &series),
        requests,
        layers: math::layer_breakdown(&layers, Some(&series)),
        summary,
        series,
        annotations,
    })
}

/// The latency and volume charts of a series, with annotation markers.
fn charts(app: &str, series: &Series<LatencyPoint>, annotations: &[Annotation]) -> Vec<Chart> {
    let markers: Vec<Marker> = annotations
        .iter()
        .map(|a| Marker {
            at: a.time,
            label: a.message.clone(),
        })
        .collect();
    let latency = ChartSeries {
        name: "average latency".into(),
        points: series
            .iter()
            .map(|p| (p.at, p.average.map(|d| d.as_secs_f64() * 1000.0)))
            .collect(),
    };
    let volume = ChartSeries {
        name: "traces".into(),
        points: series
            .iter()
            .map(|p| (p.at, Some(p.volume as f64)))
            .collect(),
    };
    vec![
        Chart {
            title: format!("Latency of {app}"),
            unit: "ms".into(),
            series: vec![latency],
            markers: markers.clone(),
        },
        Chart {
            title: format!("Traces of {app} per slice"),
            unit: "traces".into(),
            series: vec![volume],
            markers,
        },
    ]
}

fn write_chart_file(chart: &Chart, path: Option<&Path>) -> Result<(), CliError> {
    let Some(path) = path else { return Ok(()) };
    write_plot(chart, path).map_err(|e| CliError::new(Exit::Runtime, e.to_string()))?;
    tracing::info!("wrote {}", path.display());
    Ok(())
}

async fn fetch_or_explain(
    tv: &TraceView,
    app: &str,
    args: &WindowArgs,
    now: DateTime<Utc>,
) -> Result<AppReport, CliError> {
    let window = filters::window(args.window);
    let end = filters::end(args, now)?.unwrap_or(now);
    match fetch(tv, app, window, end).await {
        Ok(report) => Ok(report),
        Err(error) => Err(app_error(tv, app, error).await),
    }
}

/// `tv report APP`.
pub async fn run(
    tv: &TraceView,
    app: &str,
    args: &WindowArgs,
    plot: Option<&Path>,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let data = fetch_or_explain(tv, app, args, now).await?;
    let charts = charts(app, &data.series, &data.annotations);
    if let Some(first) = charts.first() {
        write_chart_file(first, plot)?;
    }
    let change_tone = change_tone(data.change);
    let overview = Table {
        title: Some(format!(
            "{app}, last {} until {}",
            data.window,
            data.end.format("%Y-%m-%d %H:%M UTC")
        )),
        columns: vec![
            column("volume", "Traces", Align::Right),
            column("average_us", "Average", Align::Right),
            column("latest_us", "Latest", Align::Right),
            column("change", "Δ avg", Align::Right),
            column("error_rate", "Errors", Align::Right),
            column("errors_approx", "Failed ≈", Align::Right),
            column("total_requests", "Requests", Align::Right),
            column("requests_per_second", "Req/s", Align::Right),
        ],
        rows: vec![vec![
            Cell::count(data.summary.count),
            Cell::duration(data.summary.average),
            Cell::duration(data.summary.latest),
            Cell::change(data.change).toned(change_tone),
            Cell::percent(data.errors.rate),
            Cell::count(data.errors.errors.get()),
            Cell::count(data.requests.total_requests),
            Cell::rate(data.requests.per_second),
        ]],
    };
    let layers = layer_table(Some("Where the time goes".into()), &data.layers);
    let notes_table = annotations_table(&data.annotations);
    let mut tables = vec![overview, layers];
    tables.extend(notes_table);
    let mut report = list_report(to_json(&data)?, &data.layers, tables)?;
    report.charts = charts;
    report.notes.push(
        "failed traces are approximate (rate × volume); Δ avg is against the window before".into(),
    );
    emit(&report, env)
}

fn annotations_table(annotations: &[Annotation]) -> Option<Table> {
    if annotations.is_empty() {
        return None;
    }
    let rows = annotations
        .iter()
        .map(|a| {
            vec![
                Cell::time(a.time),
                Cell::text(&a.message),
                Cell::optional_text(a.username.as_deref()),
            ]
        })
        .collect();
    Some(Table {
        title: Some("Annotations".into()),
        columns: vec![
            column("time", "Time", Align::Left),
            column("message", "Message", Align::Left),
            column("username", "User", Align::Left),
        ],
        rows,
    })
}

/// JSON of `tv chart APP`: the series and the annotations drawn on it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChartOutput {
    /// The app.
    pub app: String,
    /// The window.
    pub window: TimeWindow,
    /// Volume and average latency per slice.
    pub series: Series<LatencyPoint>,
    /// The annotations shown as markers.
    pub annotations: Vec<Annotation>,
}

/// `tv chart APP [--plot FILE]`.
pub async fn chart(
    tv: &TraceView,
    app: &str,
    args: &WindowArgs,
    plot: Option<&Path>,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let window = filters::window(args.window);
    let end = filters::end(args, now)?.unwrap_or(now);
    let filter = ServerFilter::new().window(window).end(end);
    let range = AnnotationRange {
        start: window.previous_end(end),
        end: Some(end),
    };
    let (series, annotations) = match futures::try_join!(
        tv.latency().server_series(app, &filter),
        tv.annotations().of_app(app, range)
    ) {
        Ok(both) => both,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    let charts = charts(app, &series, &annotations);
    if let Some(first) = charts.first() {
        write_chart_file(first, plot)?;
    }
    let output = ChartOutput {
        app: app.to_string(),
        window,
        series,
        annotations,
    };
    let points: Vec<&LatencyPoint> = output.series.iter().collect();
    let mut report: Report = list_report(to_json(&output)?, &points, Vec::new())?;
    report.charts = charts;
    emit(&report, env)
}
