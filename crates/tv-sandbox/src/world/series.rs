//! Series and summaries over a window, built from [`super::traffic`] slices.
//!
//! Summaries are computed from exactly the slices the series show, so
//! `count == Σ volume` and `average == Σ latency / Σ volume` (the volume-weighted mean of
//! the series) hold by construction, whatever the filters.

use std::sync::Arc;

use super::app::App;
use super::filter::{Filter, Resolved, Side};
use super::traffic::{Slice, compute};
use super::window::{DAY_STEP, MAX_TIME, WindowGrid, WindowSpec};

/// One point of a latency series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencyPoint {
    /// Slice start, seconds since the epoch.
    pub timestamp: i64,
    /// Traced requests (server) or page views (client) in the slice.
    pub volume: u64,
    /// Sum of their latencies, microseconds.
    pub total_latency_us: u64,
}

impl LatencyPoint {
    /// Average latency in microseconds; `None` when the volume is 0 (the wire's `null`).
    pub fn avg_latency_us(&self) -> Option<f64> {
        (self.volume > 0).then(|| self.total_latency_us as f64 / self.volume as f64)
    }
}

/// One point of an error-rate series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorRatePoint {
    /// Slice start, seconds since the epoch.
    pub timestamp: i64,
    /// Traced requests in the slice (the same as the latency series' volume).
    pub volume: u64,
    /// Traced requests with an error (≤ `volume`).
    pub errors: u64,
}

impl ErrorRatePoint {
    /// `errors / volume`; `None` when the volume is 0 (the wire's `null`), so
    /// `rate × volume` is always a whole number of failed traces.
    pub fn error_rate(&self) -> Option<f64> {
        (self.volume > 0).then(|| self.errors as f64 / self.volume as f64)
    }
}

/// One point of a total-requests series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotalRequestsPoint {
    /// Slice start, seconds since the epoch.
    pub timestamp: i64,
    /// All requests in the slice, traced or not (≥ the traced volume).
    pub total_requests: u64,
}

/// One point of one layer's by-layer series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerPoint {
    /// Slice start, seconds since the epoch.
    pub timestamp: i64,
    /// Calls into the layer (the wire's `volume`).
    pub calls: u64,
    /// Microseconds spent in the layer itself, excluding the layers it calls (the wire's
    /// `avg_latency`, per the decisions). The layers' totals of a slice add up to the
    /// server series' latency total of that slice.
    pub total_us: u64,
}

impl LayerPoint {
    /// Average microseconds per call; `None` without calls.
    pub fn per_call_us(&self) -> Option<f64> {
        (self.calls > 0).then(|| self.total_us as f64 / self.calls as f64)
    }
}

/// One layer's series of the by-layer endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSeries<'a> {
    /// The layer's name.
    pub layer: &'a str,
    /// One point per slice, ascending.
    pub points: Vec<LayerPoint>,
}

/// The latency summary of a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencySummary {
    /// Σ volume of the series (the wire's `count`, also sent as `volume`).
    pub count: u64,
    /// Σ latency of the series, microseconds.
    pub total_latency_us: u64,
    /// Volume-weighted mean latency of the series (µs); `None` when `count` is 0.
    pub average: Option<f64>,
    /// Volume-weighted mean over the last minute / 15 min / hour (µs), see
    /// [`WindowGrid::latest_step`]; `None` without traffic there.
    pub latest: Option<f64>,
}

/// The total-requests summary of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotalRequestsSummary {
    /// Σ total requests of the series.
    pub total_requests: u64,
    /// The window's length in seconds.
    pub seconds: i64,
}

impl TotalRequestsSummary {
    /// Requests per second over the whole window.
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0 {
            self.total_requests as f64 / self.seconds as f64
        } else {
            0.0
        }
    }

    /// The wire's `reqs_per_time_period`: `"%.2f/sec"`.
    pub fn reqs_per_time_period(&self) -> String {
        format!("{:.2}/sec", self.per_second())
    }
}

/// Where the slices of a window come from: computed on the spot ([`Fresh`]) or shared
/// between the answers that need the same window (the server's slice memo). A window's
/// slices are a pure function of `(app, resolved filter, side, window)`, so every source
/// gives the same slices.
pub(crate) trait WindowSource {
    /// The slices of `w` for `app` under `rf` on `side`, in order (empty where they have
    /// not happened).
    fn slices(&self, app: &App, rf: &Resolved, side: Side, w: WindowSpec) -> Arc<[Slice]>;

    /// The slice `[start, start + step)` of `app` under `rf` on `side` (one that has
    /// happened), as [`compute`] makes it; a source may remember some (the memo: the
    /// 15-minute blocks).
    fn slice(&self, app: &App, rf: &Resolved, side: Side, start: i64, step: i64) -> Slice {
        compute(app, rf, side, start, step)
    }
}

/// Computes every window on the spot.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fresh;

impl WindowSource for Fresh {
    fn slices(&self, app: &App, rf: &Resolved, side: Side, w: WindowSpec) -> Arc<[Slice]> {
        window_slices(app, rf, side, w).into()
    }
}

/// The slices of a window, in order: computed where they have happened, else empty.
pub(crate) fn window_slices(app: &App, rf: &Resolved, side: Side, w: WindowSpec) -> Vec<Slice> {
    window_slices_by(app, w, |start, step| compute(app, rf, side, start, step))
}

/// The slices of a window, in order: `slice(start, step)` where they have happened,
/// else empty.
pub(crate) fn window_slices_by(
    app: &App,
    w: WindowSpec,
    mut slice: impl FnMut(i64, i64) -> Slice,
) -> Vec<Slice> {
    let step = w.step();
    let layers = app.profile.layers.len().min(super::layers::MAX_LAYERS);
    w.slice_starts()
        .map(|start| {
            if w.has_happened(start, step) {
                slice(start, step)
            } else {
                Slice::empty(start, step, layers)
            }
        })
        .collect()
}

/// The latency series (`latency/{app}/{server|client}/series`).
pub fn latency_series(app: &App, side: Side, filter: &Filter, w: WindowSpec) -> Vec<LatencyPoint> {
    latency_series_in(&Fresh, app, side, filter, w)
}

pub(crate) fn latency_series_in(
    src: &dyn WindowSource,
    app: &App,
    side: Side,
    filter: &Filter,
    w: WindowSpec,
) -> Vec<LatencyPoint> {
    let rf = Resolved::resolve(app, filter, side);
    src.slices(app, &rf, side, w)
        .iter()
        .map(|s| {
            let (volume, total) = s.side(side);
            LatencyPoint {
                timestamp: s.start,
                volume,
                total_latency_us: total,
            }
        })
        .collect()
}

/// The latency summary (`latency/{app}/{server|client}/summary`).
pub fn latency_summary(app: &App, side: Side, filter: &Filter, w: WindowSpec) -> LatencySummary {
    latency_summary_in(&Fresh, app, side, filter, w)
}

pub(crate) fn latency_summary_in(
    src: &dyn WindowSource,
    app: &App,
    side: Side,
    filter: &Filter,
    w: WindowSpec,
) -> LatencySummary {
    let rf = Resolved::resolve(app, filter, side);
    let (mut count, mut total) = (0u64, 0u64);
    for s in src.slices(app, &rf, side, w).iter() {
        let (v, t) = s.side(side);
        count += v;
        total += t;
    }
    let latest_step = w.window.latest_step();
    let latest_span = w.window.latest_seconds();
    let (mut lv, mut lt) = (0u64, 0u64);
    let mut start = w.end.saturating_sub(latest_span);
    while start < w.end {
        if !w.has_happened(start, latest_step) {
            break;
        }
        let (v, t) = src.slice(app, &rf, side, start, latest_step).side(side);
        lv += v;
        lt += t;
        start += latest_step;
    }
    LatencySummary {
        count,
        total_latency_us: total,
        average: (count > 0).then(|| total as f64 / count as f64),
        latest: (lv > 0).then(|| lt as f64 / lv as f64),
    }
}

/// The error-rate series (`errors/{app}/rate`), server side.
pub fn error_rate_series(app: &App, filter: &Filter, w: WindowSpec) -> Vec<ErrorRatePoint> {
    error_rate_series_in(&Fresh, app, filter, w)
}

pub(crate) fn error_rate_series_in(
    src: &dyn WindowSource,
    app: &App,
    filter: &Filter,
    w: WindowSpec,
) -> Vec<ErrorRatePoint> {
    let rf = Resolved::resolve(app, filter, Side::Server);
    src.slices(app, &rf, Side::Server, w)
        .iter()
        .map(|s| ErrorRatePoint {
            timestamp: s.start,
            volume: s.volume,
            errors: s.errors,
        })
        .collect()
}

/// The total-requests series (`total_requests/{app}/series`).
pub fn total_requests_series(app: &App, filter: &Filter, w: WindowSpec) -> Vec<TotalRequestsPoint> {
    total_requests_series_in(&Fresh, app, filter, w)
}

pub(crate) fn total_requests_series_in(
    src: &dyn WindowSource,
    app: &App,
    filter: &Filter,
    w: WindowSpec,
) -> Vec<TotalRequestsPoint> {
    let rf = Resolved::resolve(app, filter, Side::Server);
    src.slices(app, &rf, Side::Server, w)
        .iter()
        .map(|s| TotalRequestsPoint {
            timestamp: s.start,
            total_requests: s.total_requests,
        })
        .collect()
}

/// The total-requests summary (`total_requests/{app}/summary`).
pub fn total_requests_summary(app: &App, filter: &Filter, w: WindowSpec) -> TotalRequestsSummary {
    total_requests_summary_in(&Fresh, app, filter, w)
}

pub(crate) fn total_requests_summary_in(
    src: &dyn WindowSource,
    app: &App,
    filter: &Filter,
    w: WindowSpec,
) -> TotalRequestsSummary {
    let rf = Resolved::resolve(app, filter, Side::Server);
    let total = src
        .slices(app, &rf, Side::Server, w)
        .iter()
        .map(|s| s.total_requests)
        .sum();
    TotalRequestsSummary {
        total_requests: total,
        seconds: w.window.span_seconds(),
    }
}

/// The by-layer series (`latency/{app}/server/by-layer`): one series per layer, in stack
/// order, with each layer's self time (so, slice by slice, the layers sum to the server
/// series' latency total under the same filters). Filters narrow every layer; a `layer`
/// filter keeps only that layer's series, unchanged (an unknown layer gives an empty
/// list).
pub fn by_layer<'a>(app: &'a App, filter: &Filter, w: WindowSpec) -> Vec<LayerSeries<'a>> {
    by_layer_in(&Fresh, app, filter, w)
}

pub(crate) fn by_layer_in<'a>(
    src: &dyn WindowSource,
    app: &'a App,
    filter: &Filter,
    w: WindowSpec,
) -> Vec<LayerSeries<'a>> {
    let mut rf = Resolved::resolve(app, filter, Side::Server);
    let only = match filter.layer.as_deref().filter(|l| !l.is_empty()) {
        None => None,
        Some(name) => match app.profile.layer_index(name) {
            Some(i) => Some(i),
            None => return Vec::new(),
        },
    };
    // The layer filter selects a series; it does not change the per-layer numbers.
    rf.layer = None;
    let slices = src.slices(app, &rf, Side::Server, w);
    app.layers()
        .iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o == *i))
        .map(|(i, l)| LayerSeries {
            layer: l.name.as_str(),
            points: slices
                .iter()
                .filter_map(|s| {
                    s.layers().get(i).map(|ls| LayerPoint {
                        timestamp: s.start,
                        calls: ls.calls,
                        total_us: ls.total_us,
                    })
                })
                .collect(),
        })
        .collect()
}

/// How far back [`layers_seen`] looks at most.
const LAYERS_LOOKBACK: i64 = 7 * 86_400;

/// The layers of `app` with at least one call in `[since, now)` (`layers/{app}`), in
/// stack order. Looks at the 15-minute grid slices overlapping that span (at most the
/// last 7 days) and stops as soon as every layer was seen.
pub fn layers_seen(app: &App, since: i64, now: i64) -> Vec<&str> {
    let layers = app.layers();
    let mut seen = vec![false; layers.len()];
    let mut remaining = layers.len();
    let now = now.clamp(0, MAX_TIME);
    let from = since.clamp(0, MAX_TIME).max(now - LAYERS_LOOKBACK);
    let mut start = from - from.rem_euclid(DAY_STEP);
    while start < now && remaining > 0 {
        let s = compute(app, &Resolved::NONE, Side::Server, start, DAY_STEP);
        for (i, l) in s.layers().iter().enumerate() {
            if l.calls > 0 && !seen[i] {
                seen[i] = true;
                remaining -= 1;
            }
        }
        start += DAY_STEP;
    }
    layers
        .iter()
        .zip(seen)
        .filter(|(_, s)| *s)
        .map(|(l, _)| l.name.as_str())
        .collect()
}
