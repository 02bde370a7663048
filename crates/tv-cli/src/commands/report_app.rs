//! `tv report APP` (one app in depth) and `tv chart APP`.

use std::cell::RefCell;
use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use tv_client::workflow::{self, AppReport, Now};
use tv_client::{Annotation, LatencyPoint, Series, TimeWindow, TraceView};

use super::timeseries::range::{Span, SpanFlags, report_coverage};
use super::timeseries::{History, SeriesContext, layer_table};
use super::{Env, change_tone, column, emit};
use crate::cli::{HistoryArgs, WindowArgs};
use crate::exit::{CliError, Exit};
use crate::filters;
use crate::render::{
    Align, Cell, Chart, ChartSeries, Format, Json, Marker, Output, Rows, Table, check_plot_path,
    value_of, with_fields, write_plot,
};
use crate::suggest::app_error;

/// The latency and volume charts of a series over `window` (start, end), with
/// annotation markers.
fn charts(
    app: &str,
    series: &Series<LatencyPoint>,
    annotations: &[Annotation],
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Vec<Chart> {
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
            window: Some(window),
        },
        Chart {
            title: format!("Traces of {app} per slice"),
            unit: "traces".into(),
            series: vec![volume],
            markers,
            window: Some(window),
        },
    ]
}

/// The window of this size ending at `end`.
fn window_of(window: TimeWindow, end: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = chrono::TimeDelta::from_std(window.duration())
        .ok()
        .and_then(|d| end.checked_sub_signed(d))
        .unwrap_or(end);
    (start, end)
}

/// Refuses a `--plot` file type that cannot be written, before anything is fetched.
fn check_plot(path: Option<&Path>) -> Result<(), CliError> {
    match path {
        Some(path) => check_plot_path(path).map_err(|e| CliError::usage(e.to_string())),
        None => Ok(()),
    }
}

/// With `--plot`, the charts drawn once: written to the file, then kept for table
/// output (which takes them instead of drawing them again); without it, nothing.
fn plotted(
    path: Option<&Path>,
    draw: impl FnOnce() -> Vec<Chart>,
) -> Result<RefCell<Option<Vec<Chart>>>, CliError> {
    let Some(path) = path else {
        return Ok(RefCell::default());
    };
    let charts = draw();
    write_plot(&charts, path).map_err(|e| CliError::new(Exit::Runtime, e.to_string()))?;
    tracing::info!("wrote {}", path.display());
    Ok(RefCell::new(Some(charts)))
}

async fn fetch_or_explain(
    tv: &TraceView,
    app: &str,
    args: &WindowArgs,
    now: &Now,
    reference: DateTime<Utc>,
) -> Result<AppReport, CliError> {
    let window = args.window;
    let end = filters::end(args, reference)?;
    match workflow::app_report(tv, now, app, window, end).await {
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
    now: &Now,
    reference: DateTime<Utc>,
) -> Result<Exit, CliError> {
    check_plot(plot)?;
    let data = fetch_or_explain(tv, app, args, now, reference).await?;
    let plotted = plotted(plot, || app_charts(&data))?;
    emit(&AppOutput { data, plotted }, env)
}

/// `tv report APP`'s output: the workflow's report, as every format shows it.
struct AppOutput {
    data: AppReport,
    /// The charts already drawn for `--plot`.
    plotted: RefCell<Option<Vec<Chart>>>,
}

/// The charts of `tv report APP`.
fn app_charts(data: &AppReport) -> Vec<Chart> {
    let shown = window_of(data.window, data.end);
    charts(&data.app, &data.series, &data.annotations, shown)
}

impl Output for AppOutput {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(&self.data)
    }

    fn records(&self) -> Rows<'_> {
        let data = &self.data;
        let context = serde_json::json!({
            "app": data.app, "window": data.window, "end": data.end, "filters": {},
        });
        let lines = value_of(data).map(|json| records(&json, &context));
        match lines {
            Ok(lines) => Box::new(lines.into_iter().map(Ok)),
            Err(error) => Box::new(std::iter::once(Err(error))),
        }
    }

    fn tables(&self, format: Format) -> io::Result<Vec<Table>> {
        if format == Format::Csv {
            // CSV is the NDJSON records as a table: one row per record, not the summary.
            return Ok(vec![crate::render::records_table(self.records())?]);
        }
        let data = &self.data;
        let change_tone = change_tone(data.change_fraction);
        let overview = Table {
            title: Some(format!(
                "{}, last {} until {}",
                data.app,
                data.window,
                data.end.format("%Y-%m-%d %H:%M UTC")
            )),
            columns: vec![
                column("summary.count", "Traces", Align::Right),
                column("summary.average_us", "Average", Align::Right),
                column("summary.latest_us", "Latest", Align::Right),
                column("change_fraction", "Δ avg", Align::Right),
                column("errors.rate", "Errors", Align::Right),
                column("errors.errors", "Failed ≈", Align::Right),
                column("requests.total_requests", "Requests", Align::Right),
                column("requests.per_second", "Req/s", Align::Right),
            ],
            rows: vec![vec![
                Cell::count(data.summary.count),
                Cell::duration(data.summary.average),
                Cell::duration(data.summary.latest),
                Cell::change(data.change_fraction).toned(change_tone),
                Cell::percent(data.errors.rate),
                Cell::count(data.errors.errors.get()),
                Cell::count(data.requests.total_requests),
                Cell::rate(data.requests.per_second),
            ]],
        };
        let layers = layer_table(Some("Where the time goes".into()), &data.layers);
        let mut tables = vec![overview, layers];
        tables.extend(annotations_table(&data.annotations));
        Ok(tables)
    }

    fn charts(&self) -> Vec<Chart> {
        self.plotted
            .take()
            .unwrap_or_else(|| app_charts(&self.data))
    }

    fn notes(&self) -> Vec<String> {
        vec![
            "failed traces are approximate (rate × volume); Δ avg is against the window before"
                .into(),
        ]
    }
}

/// The NDJSON of `tv report APP`: everything the JSON holds, one record per line, each
/// with `record` (`summary`, `layer`, `slice`, `annotation`) and the app, window, end
/// and filters.
fn records(json: &serde_json::Value, context: &serde_json::Value) -> Vec<serde_json::Value> {
    use serde_json::Value;
    let mut summary = json.clone();
    let mut lines = Vec::new();
    if let Value::Object(fields) = &mut summary {
        let mut take = |key: &str| fields.remove(key).unwrap_or(Value::Null);
        let (layers, series, annotations) = (take("layers"), take("series"), take("annotations"));
        for key in ["app", "window", "end"] {
            fields.remove(key);
        }
        fields.insert("step_s".into(), series["step_s"].clone());
        lines.push(tagged("summary", summary.clone()));
        let items = |v: &Value| v.as_array().cloned().unwrap_or_default();
        lines.extend(items(&layers).into_iter().map(|v| tagged("layer", v)));
        lines.extend(
            items(&series["points"])
                .into_iter()
                .map(|v| tagged("slice", v)),
        );
        lines.extend(
            items(&annotations)
                .into_iter()
                .map(|v| tagged("annotation", v)),
        );
    }
    lines
        .into_iter()
        .filter_map(|line| with_fields(context, line).ok())
        .collect()
}

fn tagged(record: &str, value: serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    out.insert("record".into(), record.into());
    if let serde_json::Value::Object(fields) = value {
        out.extend(fields);
    }
    serde_json::Value::Object(out)
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
    /// Its end.
    pub end: DateTime<Utc>,
    /// The series, its coverage (with `--since`) and the annotations drawn as markers.
    #[serde(flatten)]
    pub chart: workflow::LatencyChart,
    /// What the chart's time axis spans (the window or the range), so an annotation in
    /// it is always drawn.
    #[serde(skip)]
    pub shown: (DateTime<Utc>, DateTime<Utc>),
    /// The charts already drawn for `--plot`.
    #[serde(skip)]
    pub plotted: RefCell<Option<Vec<Chart>>>,
}

/// The arguments of `tv chart`.
pub struct ChartArgs<'a> {
    /// `--window`, `--end`.
    pub window: &'a WindowArgs,
    /// `--since`, `--until`, `--step`, `--resample`.
    pub history: &'a HistoryArgs,
    /// `--plot`.
    pub plot: Option<&'a Path>,
}

/// `tv chart APP [--plot FILE]`, over a window or a `--since` range.
pub async fn chart(
    tv: &TraceView,
    app: &str,
    args: ChartArgs<'_>,
    env: &Env,
    now: &Now,
    reference: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let plot = args.plot;
    check_plot(plot)?;
    let span = Span::of(args.history, args.window.window, reference)?;
    let window = span.window;
    let end = match span.range {
        Some(range) => range.end,
        None => match now
            .resolve(Some(app), filters::end(args.window, reference)?)
            .await
        {
            Ok(end) => end,
            Err(error) => return Err(app_error(tv, app, error).await),
        },
    };
    let chart = match workflow::latency_chart(tv, app, &span, end).await {
        Ok(chart) => chart,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    report_coverage(chart.coverage.as_ref(), env.render.format);
    let shown = match span.range {
        Some(range) => (range.start, range.end),
        None => window_of(window, end),
    };
    let plotted = plotted(plot, || {
        charts(app, &chart.series, &chart.annotations, shown)
    })?;
    let output = ChartOutput {
        app: app.to_string(),
        window,
        end,
        chart,
        shown,
        plotted,
    };
    emit(&output, env)
}

impl Output for ChartOutput {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(self)
    }

    /// Every record states what it describes, as the series commands' do.
    fn records(&self) -> Rows<'_> {
        let context = SeriesContext {
            app: self.app.clone(),
            window: self.window,
            end: Some(self.end),
            filters: crate::filters::FilterValues::default(),
        };
        self.chart.records(&context)
    }

    /// None: a chart has no table (CSV and Markdown are refused).
    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        Ok(Vec::new())
    }

    fn charts(&self) -> Vec<Chart> {
        self.plotted.take().unwrap_or_else(|| {
            let chart = &self.chart;
            charts(&self.app, &chart.series, &chart.annotations, self.shown)
        })
    }
}
