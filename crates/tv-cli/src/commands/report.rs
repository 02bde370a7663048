//! `tv report`: one row per app, fetched concurrently.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use schemars::JsonSchema;
use serde::Serialize;
use tv_client::math;
use tv_client::{RequestsFilter, ServerFilter, TimeWindow, TraceView};

use super::{Env, change_tone, column, emit, latency_change, list_report, to_json};
use crate::cli::ReportArgs;
use crate::exit::{CliError, Exit};
use crate::filters;
use crate::render::{Align, Cell, Format, Table, Tone};

/// One app's row of `tv report`. Durations are microseconds.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AppRow {
    /// The app.
    pub app: String,
    /// Server traces in the window.
    pub volume: u64,
    /// Their average latency (server's summary).
    pub average_us: Option<f64>,
    /// Latency of the most recent minute / 15 minutes / hour (hour / day / week window).
    pub latest_us: Option<f64>,
    /// The average of the window before.
    pub previous_average_us: Option<f64>,
    /// Change of the average against the window before, as a fraction (`0.1` = +10%).
    pub change: Option<f64>,
    /// Volume-weighted error rate, 0..1.
    pub error_rate: Option<f64>,
    /// Failed traces, approximated as rate × volume per slice.
    pub errors_approx: u64,
    /// Requests (traced or not) per second, from the server's summary.
    pub requests_per_second: Option<f64>,
    /// The layer where most time is spent.
    pub top_layer: Option<String>,
    /// That layer's share of the time, 0..1.
    pub top_layer_share: Option<f64>,
    /// Average latency per slice, microseconds (`null` = no traffic).
    pub trend_us: Vec<Option<f64>>,
}

/// An app whose data could not be fetched.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AppFailure {
    /// The app.
    pub app: String,
    /// Why, on one line.
    pub error: String,
}

/// JSON of `tv report` (all apps).
#[derive(Debug, Serialize, JsonSchema)]
pub struct AppsReport {
    /// The window.
    pub window: TimeWindow,
    /// Its end (the window before ends where this one starts).
    pub end: DateTime<Utc>,
    /// One row per app, busiest first.
    pub apps: Vec<AppRow>,
    /// Apps whose data could not be fetched.
    pub failed: Vec<AppFailure>,
}

fn micros(d: Option<Duration>) -> Option<f64> {
    d.map(|d| d.as_nanos() as f64 / 1000.0)
}

/// Everything one row needs: six calls, issued concurrently.
pub async fn app_row(
    tv: TraceView,
    app: String,
    window: TimeWindow,
    end: DateTime<Utc>,
) -> Result<AppRow, tv_client::Error> {
    let current = ServerFilter::new().window(window).end(end);
    let previous_end = window.previous_end(end).unwrap_or(end);
    let previous = ServerFilter::new().window(window).end(previous_end);
    let requests = RequestsFilter::new().window(window).end(end);
    let latency = tv.latency();
    let (summary, before, series, rates, totals, layers) = futures::try_join!(
        latency.server_summary(&app, &current),
        latency.server_summary(&app, &previous),
        latency.server_series(&app, &current),
        tv.errors().rate(&app, &current),
        tv.requests().summary(&app, &requests),
        latency.by_layer(&app, &current),
    )?;
    let change = latency_change(&summary, &before);
    let errors = math::estimate_errors(&rates, &series);
    let top = math::time_shares(&layers)
        .into_iter()
        .filter(|s| s.share.is_some())
        .max_by(|a, b| a.total.cmp(&b.total));
    Ok(AppRow {
        volume: summary.count,
        average_us: micros(summary.average),
        latest_us: micros(summary.latest),
        previous_average_us: micros(before.average),
        change,
        error_rate: errors.rate,
        errors_approx: errors.errors.get(),
        requests_per_second: totals.per_second,
        top_layer_share: top.as_ref().and_then(|t| t.share),
        top_layer: top.map(|t| t.layer),
        trend_us: series.iter().map(|p| micros(p.average)).collect(),
        app,
    })
}

/// `tv report` without an app.
pub async fn run(
    tv: &TraceView,
    args: &ReportArgs,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let window = filters::window(args.window.window);
    let end = filters::end(&args.window, now)?.unwrap_or(now);
    let apps = tv.discovery().apps().await?;
    let progress = progress_bar(apps.len() as u64, env);
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    let mut results = tv.fan_out(apps, usize::from(args.concurrency), |tv, app| {
        spawned(app_row(tv, app, window, end))
    });
    while let Some(done) = results.next().await {
        progress.inc(1);
        match done.result {
            Ok(row) => rows.push(row),
            Err(error) => failed.push(AppFailure {
                app: done.app,
                error: error.to_string(),
            }),
        }
    }
    progress.finish_and_clear();
    rows.sort_by(|a, b| b.volume.cmp(&a.volume).then_with(|| a.app.cmp(&b.app)));
    failed.sort_by(|a, b| a.app.cmp(&b.app));
    if rows.is_empty()
        && let Some(first) = failed.first()
    {
        return Err(CliError::new(
            Exit::Runtime,
            format!(
                "no app could be fetched ({} failed); first failure: {}: {}",
                failed.len(),
                tv_client::error::one_line(&first.app, 80),
                first.error
            ),
        ));
    }
    for failure in &failed {
        tracing::error!("{}: {}", failure.app, failure.error);
    }
    // Sparklines and formatted cells cost ~6 % of a 200-app report's CPU: build the
    // table only for the formats that print it.
    let tables = match env.render.format {
        Format::Table | Format::Csv => vec![apps_table(&rows, window, end)],
        Format::Json | Format::Ndjson => Vec::new(),
    };
    let output = AppsReport {
        window,
        end,
        apps: rows,
        failed,
    };
    let mut report = list_report(to_json(&output)?, &output.apps, tables)?;
    report
        .notes
        .push("Δ avg: against the window before; errors are approximate (rate × volume)".into());
    for failure in &output.failed {
        report
            .notes
            .push(format!("{}: not fetched: {}", failure.app, failure.error));
    }
    emit(&report, env)?;
    Ok(if output.failed.is_empty() {
        Exit::Ok
    } else {
        Exit::Runtime
    })
}

/// Runs one app's fetch as its own task, so that on the multi-threaded runtime `main`
/// gives `tv report` the apps' answers are decoded on every core instead of all on the
/// task that drives the fan-out (decoding is most of the CPU a report costs). A panic
/// inside stays a panic.
async fn spawned<F>(fetch: F) -> Result<AppRow, tv_client::Error>
where
    F: Future<Output = Result<AppRow, tv_client::Error>> + Send + 'static,
{
    match tokio::spawn(fetch).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(tv_client::Error::transport(
            tv_client::TransportKind::Send,
            "the fetch was cancelled",
            None,
        )),
    }
}

fn apps_table(rows: &[AppRow], window: TimeWindow, end: DateTime<Utc>) -> Table {
    let duration =
        |us: Option<f64>| Cell::duration(us.map(|us| Duration::from_nanos((us * 1000.0) as u64)));
    let body = rows
        .iter()
        .map(|row| {
            let change_tone = change_tone(row.change);
            let error_tone = match row.error_rate {
                Some(r) if r > 0.05 => Tone::Bad,
                Some(r) if r > 0.01 => Tone::Warn,
                _ => Tone::Plain,
            };
            vec![
                Cell::text(&row.app),
                Cell::count(row.volume),
                duration(row.average_us),
                duration(row.latest_us),
                Cell::change(row.change).toned(change_tone),
                Cell::percent(row.error_rate).toned(error_tone),
                Cell::rate(row.requests_per_second),
                Cell::optional_text(row.top_layer.as_deref()),
                Cell::sparkline(&row.trend_us, 24),
            ]
        })
        .collect();
    Table {
        title: Some(format!(
            "Apps, last {window} until {}",
            end.format("%Y-%m-%d %H:%M UTC")
        )),
        columns: vec![
            column("app", "App", Align::Left),
            column("volume", "Traces", Align::Right),
            column("average_us", "Average", Align::Right),
            column("latest_us", "Latest", Align::Right),
            column("change", "Δ avg", Align::Right),
            column("error_rate", "Errors", Align::Right),
            column("requests_per_second", "Req/s", Align::Right),
            column("top_layer", "Most time in", Align::Left),
            column("trend_us", "Latency trend", Align::Left),
        ],
        rows: body,
    }
}

fn progress_bar(total: u64, env: &Env) -> indicatif::ProgressBar {
    if !env.interactive {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} fetching apps {pos}/{len} {wide_bar}")
    {
        bar.set_style(style);
    }
    bar
}
