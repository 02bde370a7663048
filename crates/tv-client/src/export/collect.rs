//! Collecting the exporter's numbers: one snapshot per app over the last hour, fetched
//! with bounded concurrency.

use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::check::CheckData;
use crate::check::staleness::{self, STALE_HORIZON, Staleness};
use crate::client::TraceView;
use crate::error::Error;
use crate::filter::{RequestsFilter, ServerFilter};
use crate::math;
use crate::window::TimeWindow;

/// One layer's numbers over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSnapshot {
    /// The layer.
    pub layer: String,
    /// Its share of the time of all layers, 0..=1.
    pub share: Option<f64>,
    /// Its self time per call, seconds.
    pub per_call_seconds: Option<f64>,
}

/// One app's numbers over the last hour.
#[derive(Debug, Clone, PartialEq)]
pub struct AppSnapshot {
    /// The app.
    pub app: String,
    /// Average latency, seconds.
    pub average_seconds: Option<f64>,
    /// Latency of the most recent minute of the hour (the server's `latest`), seconds.
    pub latest_seconds: Option<f64>,
    /// Traced requests per second over the window: 0 when the app had no traffic
    /// (while its latency is then absent, not 0).
    pub traced_per_second: Option<f64>,
    /// All requests per second over the window: the server's request count over the
    /// window's length (not its rounded rate text).
    pub requests_per_second: Option<f64>,
    /// Seconds from the end of the last slice with traces to the server's clock,
    /// looking back through the day and week windows when the hour has none; a week
    /// (604800) when none in the week: at least that old. `None` when the server's
    /// timestamps are not sane.
    pub last_trace_age_seconds: Option<f64>,
    /// Share of traces with an error, 0..=1.
    pub error_ratio: Option<f64>,
    /// The layers.
    pub layers: Vec<LayerSnapshot>,
}

/// The outcome of one collection.
#[derive(Debug, Default)]
pub struct Collection {
    /// Whether the app list was fetched (or given).
    pub listed: bool,
    /// The apps whose numbers all arrived, sorted by name.
    pub apps: Vec<AppSnapshot>,
    /// The apps (or the listing, as `None`) that failed, with why.
    pub failures: Vec<(Option<String>, Error)>,
    /// How long it took.
    pub duration: Duration,
}

impl Collection {
    /// Whether TraceView answered: the apps were listed and not every app failed.
    pub fn is_up(&self) -> bool {
        self.listed && (self.failures.is_empty() || !self.apps.is_empty())
    }
}

/// Collects `apps` (every app when empty), `concurrency` apps at a time.
pub async fn collect(tv: &TraceView, apps: &[String], concurrency: usize) -> Collection {
    let started = Instant::now();
    let mut collection = Collection::default();
    let names = if apps.is_empty() {
        match tv.discovery().apps().await {
            Ok(names) => names,
            Err(error) => {
                collection.failures.push((None, error));
                collection.duration = started.elapsed();
                return collection;
            }
        }
    } else {
        apps.to_vec()
    };
    collection.listed = true;
    let mut results = tv.fan_out(names, concurrency, |tv, app| async move {
        snapshot(&tv, &app).await
    });
    while let Some(done) = results.next().await {
        match done.result {
            Ok(snapshot) => collection.apps.push(snapshot),
            Err(error) => collection.failures.push((Some(done.app), error)),
        }
    }
    collection.apps.sort_by(|a, b| a.app.cmp(&b.app));
    collection.duration = started.elapsed();
    collection
}

/// One app's snapshot: five calls (summary, series, error rate, requests, by-layer),
/// and up to two more (the day's and week's series) when the hour has no traces.
pub async fn snapshot(tv: &TraceView, app: &str) -> Result<AppSnapshot, Error> {
    let hour = ServerFilter::new();
    let all = RequestsFilter::new();
    let (summary, series, errors, requests, layers) = futures::try_join!(
        tv.latency().server_summary(app, &hour),
        tv.latency().server_series(app, &hour),
        tv.errors().rate(app, &hour),
        tv.requests().summary(app, &all),
        tv.latency().by_layer(app, &hour),
    )?;
    let lookback = staleness::look_back(tv, app, &hour, &series).await?;
    let data = CheckData {
        series: Some(series.clone()),
        lookback,
        server_date: tv.server_date(),
        ..CheckData::default()
    };
    let last_trace_age_seconds = match staleness::staleness(&data, TimeWindow::Hour) {
        Staleness::Minutes(minutes) => Some(minutes * 60.0),
        Staleness::BeyondHorizon => Some(STALE_HORIZON.duration().as_secs_f64()),
        Staleness::Unknown(_) => None,
    };
    let seconds = |d: Duration| d.as_secs_f64();
    let span = series.span().map(|s| s.duration().as_secs_f64());
    let traced = math::total_volume(series.points()) as f64;
    Ok(AppSnapshot {
        app: app.to_string(),
        average_seconds: summary.average.map(seconds),
        latest_seconds: summary.latest.map(seconds),
        traced_per_second: span.filter(|s| *s > 0.0).map(|s| traced / s),
        requests_per_second: Some(
            requests.total_requests as f64 / TimeWindow::Hour.duration().as_secs_f64(),
        ),
        last_trace_age_seconds,
        error_ratio: math::estimate_errors(&errors, &series).rate,
        layers: math::layer_breakdown(&layers, Some(&series))
            .into_iter()
            .map(|l| LayerSnapshot {
                layer: l.layer,
                share: l.share,
                per_call_seconds: l.per_call.map(seconds),
            })
            .collect(),
    })
}
