//! The all-apps report: one row per app, fetched with bounded concurrency.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use serde::Serialize;

use super::now::Now;
use super::select::AppSelection;
use super::trend::Trend;
use crate::client::TraceView;
use crate::error::Error;
use crate::fanout::{AppResult, Concurrency};
use crate::filter::{RequestsFilter, ServerFilter};
use crate::json_shape::{ser_opt_num, ser_opt_us};
use crate::math;
use crate::window::TimeWindow;

/// One app's row of the report.
///
/// JSON: durations in microseconds (`_us`), ratios as fractions 0..1.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct AppRow {
    /// The app.
    pub app: String,
    /// Server traces in the window.
    pub volume: u64,
    /// Their average latency (server's summary).
    #[serde(rename = "average_us", serialize_with = "ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub average: Option<Duration>,
    /// Latency of the most recent minute / 15 minutes / hour (hour / day / week window).
    #[serde(rename = "latest_us", serialize_with = "ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub latest: Option<Duration>,
    /// The average of the window before.
    #[serde(rename = "previous_average_us", serialize_with = "ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub previous_average: Option<Duration>,
    /// Change of the average against the window before, a fraction (`0.1` = 10 % slower).
    #[serde(serialize_with = "ser_opt_num")]
    pub change_fraction: Option<f64>,
    /// Volume-weighted error rate, a fraction 0..1.
    #[serde(serialize_with = "ser_opt_num")]
    pub error_rate: Option<f64>,
    /// Failed traces, approximated as rate × volume per slice.
    pub errors_approx: u64,
    /// Requests (traced or not) per second, from the server's summary.
    #[serde(serialize_with = "ser_opt_num")]
    pub requests_per_second: Option<f64>,
    /// The layer where most time is spent.
    pub top_layer: Option<String>,
    /// That layer's share of the time, a fraction 0..1.
    #[serde(serialize_with = "ser_opt_num")]
    pub top_layer_share: Option<f64>,
    /// Average latency per slice, oldest first, microseconds (`null` = no traffic).
    #[serde(rename = "trend_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Vec<Option<f64>>"))]
    pub trend: Trend,
}

/// An app whose data could not be fetched.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct AppFailure {
    /// The app.
    pub app: String,
    /// Why: the error, with its kind (JSON: its message, on one line).
    #[serde(serialize_with = "ser_message")]
    #[cfg_attr(feature = "schemars", schemars(with = "String"))]
    pub error: Error,
}

fn ser_message<S: serde::Serializer>(error: &Error, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(error)
}

/// The report of all apps.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct AppsReport {
    /// The window.
    pub window: TimeWindow,
    /// Its end (the window before ends where this one starts).
    pub end: DateTime<Utc>,
    /// One row per app, busiest first (then by name), or as the [`AppSelection`] sorts.
    pub apps: Vec<AppRow>,
    /// Apps whose data could not be fetched, by name.
    pub failed: Vec<AppFailure>,
}

/// Everything one row needs: six calls, issued concurrently, over the window of size
/// `window` ending at `end` and the one before it.
pub async fn app_row(
    tv: TraceView,
    app: String,
    window: TimeWindow,
    end: DateTime<Utc>,
) -> Result<AppRow, Error> {
    let current = ServerFilter::new().window(window).end(end);
    let previous_end = window.previous_end(end).unwrap_or(end);
    let previous = ServerFilter::new().window(window).end(previous_end);
    let requests = RequestsFilter::new().window(window).end(end);
    let latency = tv.latency();
    // Each answer is reduced to what the row needs as soon as it arrives (the layers,
    // the largest answer, to the top one), so an app in flight holds little.
    let top_layer = async {
        let layers = latency.by_layer(&app, &current).await?;
        Ok(math::time_shares(&layers)
            .into_iter()
            .filter(|s| s.share.is_some())
            .max_by(|a, b| a.total.cmp(&b.total)))
    };
    let (summary, before, series, rates, totals, top) = futures::try_join!(
        latency.server_summary(&app, &current),
        latency.server_summary(&app, &previous),
        latency.server_series(&app, &current),
        tv.errors().rate(&app, &current),
        tv.requests().summary(&app, &requests),
        top_layer,
    )?;
    let errors = math::estimate_errors(&rates, &series);
    Ok(AppRow {
        volume: summary.count,
        average: summary.average,
        latest: summary.latest,
        previous_average: before.average,
        change_fraction: math::change_fraction(summary.average, before.average),
        error_rate: errors.rate,
        errors_approx: errors.errors.get(),
        requests_per_second: totals.per_second,
        top_layer_share: top.as_ref().and_then(|t| t.share),
        top_layer: top.map(|t| t.layer),
        trend: series.iter().map(|p| p.average).collect(),
        app,
    })
}

/// The rows of `apps` as each completes (not in input order), at most `concurrency`
/// apps at a time (a number, or [`Concurrency::adaptive`]: the CLI's default), each
/// app's fetch on its own task (so answers decode on every core).
/// One app's failure is its [`AppResult`]; the others go on. Nothing is held but what
/// is in flight, so a caller with thousands of apps can show progress as rows arrive.
pub fn report_stream<'a>(
    tv: &'a TraceView,
    apps: impl IntoIterator<Item = String> + 'a,
    window: TimeWindow,
    end: DateTime<Utc>,
    concurrency: impl Into<Concurrency>,
) -> impl Stream<Item = AppResult<AppRow>> + 'a {
    tv.fan_out(apps, concurrency, move |tv, app| {
        spawned(app_row(tv, app, window, end))
    })
}

/// The report of every app the server lists over `window`, ending at `end` (the
/// server's now when `None`). Rows are busiest first; failed apps are listed by name.
pub async fn report(
    tv: &TraceView,
    now: &Now,
    window: TimeWindow,
    end: Option<DateTime<Utc>>,
    concurrency: impl Into<Concurrency>,
) -> Result<AppsReport, Error> {
    report_selected(tv, now, window, end, concurrency, &AppSelection::new()).await
}

/// Like [`report`], of the apps `selection` picks (by pattern, before anything is
/// fetched: unselected apps cost no call), sorted and cut to its top N.
pub async fn report_selected(
    tv: &TraceView,
    now: &Now,
    window: TimeWindow,
    end: Option<DateTime<Utc>>,
    concurrency: impl Into<Concurrency>,
    selection: &AppSelection,
) -> Result<AppsReport, Error> {
    let apps = selection.select(tv.discovery().apps().await?)?;
    let end = now.resolve(apps.first().map(String::as_str), end).await?;
    collect(
        window,
        end,
        report_stream(tv, apps, window, end, concurrency),
        selection,
        |_| {},
    )
    .await
}

/// Collects a [`report_stream`] into an [`AppsReport`], calling `progress` after each
/// app; the rows are arranged (sorted, cut to the top N) by `selection`.
pub async fn collect(
    window: TimeWindow,
    end: DateTime<Utc>,
    results: impl Stream<Item = AppResult<AppRow>>,
    selection: &AppSelection,
    progress: impl FnMut(&AppResult<AppRow>),
) -> Result<AppsReport, Error> {
    let (apps, failed) = collect_reduced(results, selection, |row| row, progress).await;
    Ok(AppsReport {
        window,
        end,
        apps,
        failed,
    })
}

/// Like [`collect`], but each row is held as `reduce` makes it the moment it arrives:
/// only what the caller will use of it (the CLI's table keeps the trend's sparkline,
/// not the trend). Returns the arranged rows and the failures, by name.
pub async fn collect_reduced<R: AsRef<AppRow>>(
    results: impl Stream<Item = AppResult<AppRow>>,
    selection: &AppSelection,
    mut reduce: impl FnMut(AppRow) -> R,
    mut progress: impl FnMut(&AppResult<AppRow>),
) -> (Vec<R>, Vec<AppFailure>) {
    let mut results = std::pin::pin!(results);
    // Room for every row at once (a doubled vector would hold up to twice as much).
    let mut rows = Vec::with_capacity(selection.rows_held(results.size_hint().0));
    let mut failed = Vec::new();
    while let Some(done) = results.next().await {
        progress(&done);
        match done.result {
            Ok(row) => {
                rows.push(reduce(row));
                selection.prune(&mut rows);
            }
            Err(error) => failed.push(AppFailure {
                app: done.app,
                error,
            }),
        }
    }
    selection.arrange(&mut rows);
    failed.sort_by(|a, b| a.app.cmp(&b.app));
    (rows, failed)
}

impl AsRef<AppRow> for AppRow {
    fn as_ref(&self) -> &AppRow {
        self
    }
}

/// Runs one app's fetch as its own task. A panic inside stays a panic.
async fn spawned<F>(fetch: F) -> Result<AppRow, Error>
where
    F: Future<Output = Result<AppRow, Error>> + Send + 'static,
{
    match tokio::spawn(fetch).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(Error::transport(
            crate::error::TransportKind::Send,
            "the fetch was cancelled",
            None,
        )),
    }
}
