//! The traffic model: the numbers of one slice of one app, as a pure function of
//! `(seed, app, filter, slice start, step)`.
//!
//! # How a slice is made
//!
//! 1. **Volume.** Expected traced requests = peak rate × daily/weekly rhythm (at the
//!    slice's middle) × 30 s, times ±noise and the drifts of its 15-minute and 2-hour
//!    blocks, times what an outage leaves; rounded down after adding a uniform dither so
//!    small expectations give the right mix of 0, 1, 2. A few slices are *quiet* (no data
//!    at all: 2 %), and a stale app has none from the instant it went silent.
//! 2. **Filters** split the unfiltered slice exactly among a dimension's values
//!    (`partition`): requests by the values' shares (jittered per slice), each layer's
//!    requests and calls along with them, each layer's self time by calls × the value's
//!    latency factor, errors by requests × its error factor, untraced requests by
//!    requests. So the values of a dimension add up to the whole in every slice — volume,
//!    latency total (hence the volume-weighted mean latency), errors, total requests,
//!    by-layer calls and time — and a filtered slice never exceeds the unfiltered one; an
//!    unknown value gives zero. Several dimensions apply one after the other.
//! 3. **Layers.** A layer's total is its *self* (exclusive) time, in whole microseconds:
//!    the time spent in the layer itself, not in the layers it calls, so the layers of a
//!    request add up to the request's latency (a stacked chart, as TraceView draws it).
//!    Each leaf is called by `touching ≤ V` requests, `calls ≥ touching` times (and
//!    `touching ≥ 1` whenever `calls ≥ 1`); its total is `calls × per-call cost` (plus
//!    incident time). The entry (web server) and framework layers are called once per
//!    request (their calls equal the request volume) and their totals are their own time
//!    per request × volume: a few ms for the web server, the bulk of the app's CPU time
//!    for the framework.
//! 4. **Requests.** The request latency total is the sum of all layers' totals, so the
//!    average latency is exactly `Σ layer totals / volume`. Errors are `≤ volume`, total
//!    requests are `volume + untraced ≥ volume`.
//! 5. **Layer filter.** Volume becomes the requests that went through the layer; their
//!    latency total is the layer's whole self time (only they spent it) plus their share
//!    (`touching / V`) of the time in the other layers, so it lies between the layer's
//!    total and the unfiltered request total.
//! 6. **Client side** (RUM): page views are a share of the server requests;
//!    page-load time = server latency + browser-side time. Browsers, then countries,
//!    then a country's subdivisions (plus the rest of the country) split the page views
//!    and their load time exactly, like the server dimensions.
//!
//! # Steps: coarse slices are sums of 30-second slices
//!
//! The model computes **30-second slices** ([`ATOM`], the hour window's step) on the
//! epoch-anchored grid; every coarser slice (15 min, 2 h, any other multiple) is the
//! **sum** of the 30-second slices it covers — volumes, errors, total requests, latency
//! totals, client page views and load times, every layer's requests, calls and time —
//! after filters, which act on each 30-second slice. So the same traffic shows at every
//! step: the volumes and errors of a coarse slice equal those of its fine slices, and
//! its volume-weighted mean latency equals theirs, whatever the filters (as the real
//! service's coarse slices aggregate the same traces).
//!
//! Slow variation lives in the 30-second slices too: besides each slice's own noise,
//! every 15-minute and 2-hour block of the grid has a volume drift and every 15-minute
//! block a latency drift (hashes of the block), so coarse series move like real traffic
//! instead of averaging the noise away. A few 30-second slices are *quiet* (2 %: no
//! data); incidents, outages and a stale app's silence apply to the 30-second slices,
//! diluted by how much of each they cover.
//!
//! **Cost bound.** A slice of `step` seconds costs `step / 30` evaluations of the
//! 30-second model (about a microsecond each without filters, some ten with two server
//! filters: each filter splits every 30-second slice, with buffers reused from slice to
//! slice): an hour window 120, a day window 2,880, a week window 20,160, a 30-day history
//! 86,400 — never more than one evaluation per 30 seconds of history asked for. The
//! server's slice memo shares them between the answers of one window, and keeps
//! 15-minute blocks (`BLOCK`) from which it sums the slices of day and week windows
//! (`sum_of_blocks`: exactly the same sums), so overlapping windows compute only the
//! blocks they do not share.

pub(crate) mod partition;
mod slice;

pub use slice::{LayerSlice, Slice};

use super::app::App;
use super::audience;
use super::filter::{Filter, Resolved, Side};
use super::hash::{between, combine, mix, unit};
use super::incidents;
use super::layers::MAX_LAYERS;
use super::outages;
use super::window::MAX_TIME;

/// The longest slice the model computes (a week); longer ones are empty.
const MAX_STEP: i64 = 7 * 86_400;

/// The step of the slices the model computes (seconds); every coarser slice is the sum
/// of these (see the module docs).
pub const ATOM: i64 = 30;

/// The step of the blocks a coarse slice can also be summed from ([`sum_of_blocks`]):
/// the day window's 15 minutes.
pub(crate) const BLOCK: i64 = 900;

/// Quiet (no data) probability of a 30-second slice.
const QUIET_PROBABILITY: f64 = 0.02;

/// The blocks whose drift every 30-second slice inside shares: (block length, relative
/// amplitude of the volume drift as a share of the app's noise, of the latency drift).
const DRIFTS: [(i64, f64, f64); 2] = [(900, 0.8, 0.03), (7_200, 0.5, 0.0)];
const SALT_DRIFT: u64 = 0x6472_6966_7400_0012;

const SALT_QUIET: u64 = 0x7175_6965_7400_0001;
const SALT_VOLUME: u64 = 0x766f_6c75_6d65_0002;
const SALT_VOLUME_ROUND: u64 = 0x766f_6c72_6e64_0003;
const SALT_LATENCY: u64 = 0x6c61_7465_6e63_0004;
const SALT_ERRORS: u64 = 0x6572_726f_7273_0005;
const SALT_ERRORS_ROUND: u64 = 0x6572_726e_6400_0006;
const SALT_TOTAL: u64 = 0x746f_7461_6c00_0007;
const SALT_TOTAL_ROUND: u64 = 0x746f_7472_6e64_0008;
const SALT_LAYER_FILTER: u64 = 0x6c61_7966_6c74_0009;
const SALT_CLIENT: u64 = 0x636c_6965_6e74_000a;
/// Per server dimension (domain, URL, controller, action).
const SALT_DIMENSIONS: [u64; 4] = [
    0x646f_6d61_696e_000b,
    0x7572_6c00_0000_000c,
    0x6374_726c_0000_000d,
    0x6163_7469_6f6e_000e,
];
const SALT_BROWSER: u64 = 0x6272_6f77_7365_000f;
const SALT_COUNTRY: u64 = 0x636f_756e_7472_0010;
const SALT_SUBDIVISION: u64 = 0x7375_6264_6976_0011;

/// The numbers of the slice `[start, start + step)` of `app` under `filter` on `side`.
///
/// Pure: the result depends only on the seed (through the app), the app, the filter,
/// `start` and `step`.
pub fn slice(app: &App, filter: &Filter, side: Side, start: i64, step: i64) -> Slice {
    compute(
        app,
        &Resolved::resolve(app, filter, side),
        side,
        start,
        step,
    )
}

#[inline]
fn floor_u64(x: f64) -> u64 {
    // `as` saturates: negatives and NaN become 0.
    x as u64
}

/// `x.round() as u64` (half away from zero; negatives and NaN 0, saturating) without
/// the call to `round` a baseline x86-64 build makes: truncation is the floor of an
/// `x ≥ 0`, and `x − floor(x)` is exact.
#[inline]
fn round_u64(x: f64) -> u64 {
    let t = x as u64;
    if x - t as f64 >= 0.5 {
        t.saturating_add(1)
    } else {
        t
    }
}

/// The slice computation with a filter resolved once per request: the sum of the
/// 30-second slices whose start lies in `[start, start + step)` (exactly the slice's
/// own traffic when `start` and `step` are on the 30-second grid, as every window's
/// are).
pub(crate) fn compute(app: &App, rf: &Resolved, side: Side, start: i64, step: i64) -> Slice {
    let n = app.profile.layers.len().min(MAX_LAYERS);
    let mut out = Slice::empty(start, step, n);
    if rf.zero || step <= 0 || step > MAX_STEP || !(-MAX_TIME..=MAX_TIME).contains(&start) {
        return out;
    }
    let end = start + step;
    // Nothing before the app existed or after it went silent.
    let first = start.max(app.born);
    let first = first + (-first).rem_euclid(ATOM);
    let end = end.min(app.silent_from);
    if first >= end {
        return out;
    }
    // Looked up once for the whole range: most slices hold no incident and no outage.
    let calm = Calm {
        incidents: incidents::incidents_between(&app.profile, first, end)
            .next()
            .is_none(),
        outages: outages::outages_between(app.profile.key, first, end)
            .next()
            .is_none(),
    };
    let weights = Weights::of(app, rf, side);
    let mut scratch = partition::Scratch::default();
    let ctx = (calm, &weights);
    if step == ATOM && first == start && end == start + ATOM {
        return atom(app, rf, side, start, ctx, &mut scratch, out);
    }
    let mut t = first;
    while t < end {
        let part = atom(
            app,
            rf,
            side,
            t,
            ctx,
            &mut scratch,
            Slice::empty(t, ATOM, n),
        );
        out.absorb(&part);
        t += ATOM;
    }
    out
}

/// The slice `[start, start + step)` of `app` as the sum of its 15-minute blocks,
/// `block(b)` giving the block at `b` (`compute(app, rf, side, b, BLOCK)`, perhaps
/// remembered). When `start` and `step` are on the 15-minute grid this is exactly
/// [`compute`]`(app, rf, side, start, step)`: both are sums of the same 30-second
/// slices, whatever the filter, and integer sums do not depend on grouping.
pub(crate) fn sum_of_blocks(
    app: &App,
    start: i64,
    step: i64,
    mut block: impl FnMut(i64) -> Slice,
) -> Slice {
    let n = app.profile.layers.len().min(MAX_LAYERS);
    let mut out = Slice::empty(start, step, n);
    let mut b = start;
    while b < start + step {
        out.absorb(&block(b));
        b += BLOCK;
    }
    out
}

/// The drifts of the blocks around `start`: (volume factor, latency factor).
#[inline]
fn drifts(p: &super::app::AppProfile, start: i64) -> (f64, f64) {
    let (mut volume, mut latency) = (1.0, 1.0);
    for (len, v, l) in DRIFTS {
        let block = start.div_euclid(len);
        let h = mix(combine(
            p.key ^ SALT_DRIFT,
            combine(block as u64, len as u64),
        ));
        volume *= 1.0 + p.noise * v * (2.0 * unit(h) - 1.0);
        latency *= 1.0 + l * (2.0 * unit(mix(h ^ 1)) - 1.0);
    }
    (volume, latency)
}

/// What is known to be absent from a range of 30-second slices.
#[derive(Debug, Clone, Copy)]
struct Calm {
    /// No incident overlaps the range.
    incidents: bool,
    /// No outage overlaps the range.
    outages: bool,
}

/// The partition weights a filter needs, looked up once for a range of slices.
#[derive(Debug, Default)]
struct Weights {
    /// Per server dimension (empty when the filter keeps no value of it).
    server: [Vec<partition::Weight>; 4],
    browser: Vec<partition::Weight>,
    country: Vec<partition::Weight>,
    subdivision: Vec<partition::Weight>,
}

impl Weights {
    fn of(app: &App, rf: &Resolved, side: Side) -> Weights {
        let mut w = Weights::default();
        for (d, kept) in rf.server.iter().enumerate() {
            if kept.is_some() {
                w.server[d] = app.filters.weights(d);
            }
        }
        if side == Side::Client {
            let key = app.profile.key;
            if rf.browser.is_some() {
                w.browser = audience::browser_weights(key);
            }
            if let Some((country, sub)) = rf.region {
                w.country = audience::country_weights(key);
                if sub.is_some() {
                    w.subdivision = audience::subdivision_weights(key, country);
                }
            }
        }
        w
    }
}

/// The 30-second slice at `start` (on the grid, inside the app's life), written into
/// the empty `out`.
fn atom(
    app: &App,
    rf: &Resolved,
    side: Side,
    start: i64,
    (calm, weights): (Calm, &Weights),
    scratch: &mut partition::Scratch,
    mut out: Slice,
) -> Slice {
    let step = ATOM;
    let p = &app.profile;
    let n = p.layers.len().min(MAX_LAYERS);
    let s = combine(p.key, combine(start as u64, step as u64));
    if unit(mix(s ^ SALT_QUIET)) < QUIET_PROBABILITY {
        return out;
    }
    let rhythm = p.rhythm(start + step / 2);
    let (drift, latency_drift) = drifts(p, start);
    let left = if calm.outages {
        1.0
    } else {
        outages::traffic_factor(p.key, start, step)
    };
    let expected = p.peak_rps * rhythm * step as f64 * drift * left;
    let noise = 1.0 + p.noise * (2.0 * unit(mix(s ^ SALT_VOLUME)) - 1.0);
    let v = floor_u64(expected * noise + unit(mix(s ^ SALT_VOLUME_ROUND)));
    if v == 0 {
        return out;
    }
    let vf = v;
    let inc = if calm.incidents {
        incidents::IncidentEffect::NONE
    } else {
        incidents::effect(p, start, step)
    };
    let load = 1.0 + 0.25 * rhythm;
    let slice_latency =
        (1.0 + 0.1 * (2.0 * unit(mix(s ^ SALT_LATENCY)) - 1.0)) * load * latency_drift;
    let base = p.base_request_us;

    // Self time of every layer; the request total is their sum.
    let mut request_total: u64 = 0;
    let per_request = p.per_request.min(n);
    for i in 0..per_request {
        let l = &p.layers[i];
        let h = combine(s, l.salt);
        let own = l.cost_us * slice_latency * between(mix(h ^ 5), 0.9, 1.1) + inc.extra[i] * base;
        let total = round_u64(vf as f64 * own);
        out.layers[i] = LayerSlice {
            touching: vf,
            calls: vf,
            total_us: total,
        };
        request_total += total;
    }
    for i in per_request..n {
        let l = &p.layers[i];
        let h = combine(s, l.salt);
        let coverage = (l.coverage * between(mix(h ^ 1), 0.9, 1.1)).min(1.0);
        let touching = floor_u64(v as f64 * coverage + unit(mix(h ^ 2))).min(v);
        let repeat = between(mix(h ^ 3), 0.8, 1.2);
        let extra_calls =
            floor_u64(touching as f64 * (l.calls_per_touch - 1.0) * repeat + unit(mix(h ^ 4)));
        let calls = touching + extra_calls;
        let per_call = l.cost_us * slice_latency * between(mix(h ^ 5), 0.85, 1.15);
        // Incident time per request, concentrated on the requests that call the layer
        // (at most doubled, so rarely-called layers stay plausible: seconds, not minutes).
        let incident_per_touch = if inc.extra[i] > 0.0 {
            inc.extra[i] * base * (1.0 / coverage.max(0.01)).min(2.0)
        } else {
            0.0
        };
        let total = round_u64(calls as f64 * per_call + touching as f64 * incident_per_touch);
        out.layers[i] = LayerSlice {
            touching,
            calls,
            total_us: total,
        };
        request_total += total;
    }

    let error_rate = (p.error_rate * (1.0 + inc.errors)).min(0.9);
    let errors = floor_u64(
        vf as f64 * error_rate * between(mix(s ^ SALT_ERRORS), 0.6, 1.4)
            + unit(mix(s ^ SALT_ERRORS_ROUND)),
    )
    .min(vf);
    let untraced = floor_u64(
        vf as f64 * (1.0 / p.trace_rate - 1.0) * between(mix(s ^ SALT_TOTAL), 0.9, 1.1)
            + unit(mix(s ^ SALT_TOTAL_ROUND)),
    );
    out.volume = vf;
    out.latency_total_us = request_total;
    out.errors = errors;
    out.total_requests = vf + untraced;

    // Server-side filters: the kept value's exact part of the slice, one dimension
    // after the other.
    for (d, kept) in rf.server.iter().enumerate() {
        if let Some(i) = kept {
            let key = (s, SALT_DIMENSIONS[d]);
            out = partition::part(&out, &weights.server[d], *i, key, scratch);
        }
    }

    if let Some(li) = rf.layer {
        let (volume, latency_total, errors, total_requests) = if li < n {
            let layer = out.layers[li];
            let t = layer.touching;
            if t == 0 || out.volume == 0 {
                (0, 0, 0, 0)
            } else {
                let share = t as f64 / out.volume as f64;
                let outside = out.latency_total_us.saturating_sub(layer.total_us) as f64 * share;
                let h = mix(s ^ SALT_LAYER_FILTER);
                let e = floor_u64(out.errors as f64 * share + unit(h)).min(t);
                let untraced = out.total_requests - out.volume;
                let u = floor_u64(untraced as f64 * share + unit(mix(h ^ 1)));
                (t, round_u64(outside) + layer.total_us, e, t + u)
            }
        } else {
            (0, 0, 0, 0)
        };
        out.volume = volume;
        out.latency_total_us = latency_total;
        out.errors = errors;
        out.total_requests = total_requests;
    }

    if side == Side::Client && out.volume > 0 {
        let volume = out.volume;
        let hc = mix(s ^ SALT_CLIENT);
        let c = floor_u64(volume as f64 * p.rum_share * between(hc, 0.8, 1.2) + unit(mix(hc ^ 1)))
            .min(volume);
        if c > 0 {
            let server_avg = out.latency_total_us as f64 / volume as f64;
            let front = p.frontend_us * load * between(mix(hc ^ 2), 0.85, 1.15);
            out.client_volume = c;
            out.client_latency_total_us = round_u64(c as f64 * (server_avg + front));
        }
        if let Some(b) = rf.browser {
            out = partition::client_part(&out, &weights.browser, b, (s, SALT_BROWSER), scratch);
        }
        if let Some((country, sub)) = rf.region {
            let key = (s, SALT_COUNTRY);
            out = partition::client_part(&out, &weights.country, country, key, scratch);
            if let Some(sub) = sub {
                let key = (s, SALT_SUBDIVISION);
                out = partition::client_part(&out, &weights.subdivision, sub, key, scratch);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
