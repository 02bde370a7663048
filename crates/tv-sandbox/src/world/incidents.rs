//! Incidents: latency and error spikes at fixed, seed-determined instants, and the
//! ground truth that also lists the absences (the `outages` module): outages and stale apps.
//!
//! Time is cut into hours (minor incidents: 1–10 min, strong) and days (major incidents:
//! 20–120 min, longer). Whether an hour or day holds an incident, when it starts, how
//! long it lasts, how bad it is and which layer it hits are hashes of
//! `(app, kind, epoch)`; they exist in absolute time, so every window and step sees the
//! same incidents, diluted by how much of a slice they cover.
//!
//! # Ground truth
//!
//! [`ground_truth`] lists the incidents the model applies to an app, so that tests (and
//! anyone testing their own alerting against the sandbox) can count hits and false
//! alarms. It needs only the seed and the app's name; the `tv-sandbox --incidents APP
//! --from T --to T` command prints the same list as JSON, and a running sandbox answers
//! `GET /sandbox/incidents?app=&from=&to=` (outside `/api-v2`: not part of TraceView).
//!
//! The list also holds the app's **outages** (kind `outage`: the traffic drops to 0–2 %
//! of the usual for 1–6 hours; `traffic_factor` is that share) and, when the app is one
//! of the seeded stale apps, its **silence** (kind `stale`: from its last trace on, no
//! traffic at all, `traffic_factor` 0, `end` the end of modelled time). Silence depends on
//! the world's now: [`ground_truth_at`] includes it, [`ground_truth`] (no now) does not.
//! Latency incidents keep `traffic_factor` 1; absences keep `latency_factor` and
//! `error_factor` 1 and name the entry layer (the whole app goes quiet).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use tv_sandbox::incidents::{IncidentKind, ground_truth};
//!
//! let from = Utc.with_ymd_and_hms(2023, 12, 27, 12, 0, 0).unwrap();
//! let to = Utc.with_ymd_and_hms(2024, 1, 3, 12, 0, 0).unwrap();
//! let week = ground_truth(42, "web-shop", from, to);
//! assert!(week.iter().any(|i| i.kind == IncidentKind::Major));
//! assert!(week.iter().all(|i| i.start < to && i.end > from));
//! assert!(week.iter().filter(|i| i.kind.is_latency()).all(|i| i.latency_factor > 1.0));
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::app::{App, AppProfile};
use super::catalog::generated_app_named;
use super::catalog::generated_app_seen_at;
use super::hash::{between, combine, mix, pick, unit};
use super::layers::MAX_LAYERS;
use super::outages;
use super::window::MAX_TIME;

/// The effect of incidents on one slice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct IncidentEffect {
    /// Extra latency per request, as a multiple of the app's base request latency,
    /// attributed to each layer (index into the stack).
    pub(crate) extra: [f64; MAX_LAYERS],
    /// Added error multiplier (error rate × (1 + errors)).
    pub(crate) errors: f64,
    /// Whether any incident overlaps the slice.
    pub(crate) any: bool,
}

impl IncidentEffect {
    pub(crate) const NONE: IncidentEffect = IncidentEffect {
        extra: [0.0; MAX_LAYERS],
        errors: 0.0,
        any: false,
    };
}

/// The kinds of incident: latency and error spikes, and absences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentKind {
    /// Long (20–120 min), at most one per UTC day: what an alert should catch.
    Major,
    /// Short (1–10 min) and sharp, at most one per hour: blips.
    Minor,
    /// The app's traffic drops to 0–2 % of the usual for 1–6 hours, at most one per UTC
    /// day.
    Outage,
    /// The app stopped reporting (its last trace is hours or days before the world's
    /// now) and stays silent.
    Stale,
}

impl IncidentKind {
    /// Whether the incident slows requests down and raises errors (major, minor), as
    /// opposed to taking traffic away (outage, stale).
    pub fn is_latency(self) -> bool {
        matches!(self, IncidentKind::Major | IncidentKind::Minor)
    }
}

/// One seeded incident of one app, as the traffic model applies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentTruth {
    /// The app's name.
    pub app: String,
    /// Major or minor.
    pub kind: IncidentKind,
    /// When it starts (inclusive, whole seconds).
    pub start: DateTime<Utc>,
    /// When it ends (exclusive, whole seconds).
    pub end: DateTime<Utc>,
    /// The layer whose time grows (a leaf: database, cache, remote call, when the app has
    /// one).
    pub layer: String,
    /// The request latency while the incident lasts, as a multiple of the app's normal
    /// request latency: the incident adds `latency_factor - 1` times the normal latency
    /// per request, spent in `layer` (concentrated on the requests that call it, at most
    /// doubled for them, so a layer that few requests call moves the average less). A
    /// slice that the incident covers only in part gets that part of the extra time.
    pub latency_factor: f64,
    /// The error rate while the incident lasts, as a multiple of the normal one (capped
    /// at 90 % of requests); diluted like the latency in slices covered in part.
    pub error_factor: f64,
    /// The traffic while it lasts, as a share of the usual: 1 for latency incidents,
    /// 0–0.02 for outages, 0 for a stale app; diluted in slices covered in part.
    pub traffic_factor: f64,
}

/// The longest range `GET /sandbox/incidents` and `tv-sandbox --incidents` answer for:
/// a year and a day (about 0.5 MB of JSON for one app); a longer one is refused, where
/// `from=0&to=99999999999` once built a 1.69 GB answer.
pub const MAX_SPAN_SECONDS: i64 = 366 * 86_400;

/// Every seeded incident of the app `app` of the world of `seed` that overlaps
/// `[from, to)`, ordered by start, with its full extent (not cut to the range).
///
/// `app` is a generated app's name (`Default`, `web-shop`, `billing-api`, …,
/// `web-shop-2`, …), as a world of that seed with more than one app holds it (an app's
/// incidents depend only on the seed and its name, not on `--apps`); any other name gives
/// an empty list. For an app created through `assign_app`, ask a running sandbox
/// (`GET /sandbox/incidents`), which knows its stack.
pub fn ground_truth(
    seed: u64,
    app: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<IncidentTruth> {
    generated_app_named(seed, app).map_or_else(Vec::new, |a| of_app(&a, from, to))
}

/// [`ground_truth`] as a world of `seed` whose now is `now` holds the app: with its
/// silence (kind [`IncidentKind::Stale`]) when it is one of the seeded stale apps.
pub fn ground_truth_at(
    seed: u64,
    app: &str,
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<IncidentTruth> {
    generated_app_seen_at(seed, app, now.timestamp())
        .map_or_else(Vec::new, |a| of_app(&a, from, to))
}

/// Every incident of `app` overlapping `[from, to)`, ordered by start (see
/// [`ground_truth`]), absences included.
pub fn of_app(app: &App, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<IncidentTruth> {
    let (from, to) = (from.timestamp(), to.timestamp());
    if from >= to {
        return Vec::new();
    }
    let p = &app.profile;
    let entry = p.layers.first().map(|l| l.name.clone()).unwrap_or_default();
    let at = |t: i64| DateTime::from_timestamp(t.clamp(-MAX_TIME, MAX_TIME), 0);
    let mut out: Vec<IncidentTruth> = [
        (IncidentKind::Minor, &MINOR, p.minor_incidents),
        (IncidentKind::Major, &MAJOR, p.major_incidents),
    ]
    .into_iter()
    .flat_map(|(kind, model, rate)| {
        of_kind(p, model, rate, from, to).filter_map(move |i| {
            Some(IncidentTruth {
                app: app.name.clone(),
                kind,
                start: at(i.start)?,
                end: at(i.end)?,
                layer: p.layers.get(i.layer)?.name.clone(),
                latency_factor: 1.0 + i.latency,
                error_factor: 1.0 + i.errors,
                traffic_factor: 1.0,
            })
        })
    })
    .collect();
    let absence = |kind, start: i64, end: i64, traffic_factor| {
        Some(IncidentTruth {
            app: app.name.clone(),
            kind,
            start: at(start)?,
            end: at(end)?,
            layer: entry.clone(),
            latency_factor: 1.0,
            error_factor: 1.0,
            traffic_factor,
        })
    };
    out.extend(
        outages::outages_between(p.key, from, to)
            .filter_map(|o| absence(IncidentKind::Outage, o.start, o.end, o.residual)),
    );
    if app.silent_from < to {
        out.extend(absence(IncidentKind::Stale, app.silent_from, MAX_TIME, 0.0));
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then(a.end.cmp(&b.end)));
    out
}

/// One kind of incident.
struct Kind {
    salt: u64,
    epoch: i64,
    min_len: f64,
    max_len: f64,
    latency: (f64, f64),
    errors: (f64, f64),
}

const MINOR: Kind = Kind {
    salt: 0x6d69_6e6f_7200_0001,
    epoch: 3_600,
    min_len: 60.0,
    max_len: 600.0,
    latency: (1.5, 6.0),
    errors: (3.0, 25.0),
};

const MAJOR: Kind = Kind {
    salt: 0x6d61_6a6f_7200_0002,
    epoch: 86_400,
    min_len: 1_200.0,
    max_len: 7_200.0,
    latency: (0.8, 3.0),
    errors: (5.0, 40.0),
};

/// An incident: `[start, end)`, severities and the layer it hits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Incident {
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) latency: f64,
    pub(crate) errors: f64,
    pub(crate) layer: usize,
}

/// The incident of `kind` in epoch `k`, if any.
fn incident(p: &AppProfile, kind: &Kind, rate: f64, k: i64) -> Option<Incident> {
    let h = combine(p.key ^ kind.salt, k as u64);
    if unit(h) >= rate {
        return None;
    }
    let len = between(mix(h ^ 1), kind.min_len, kind.max_len);
    let offset = unit(mix(h ^ 2)) * (kind.epoch as f64 - len);
    let start = k * kind.epoch + offset as i64;
    // Hit a leaf when there is one (databases and remote calls are what usually break).
    let n = p.layers.len().min(MAX_LAYERS);
    let layer = if n > p.per_request {
        p.per_request + pick(mix(h ^ 3), n - p.per_request)
    } else {
        pick(mix(h ^ 3), n.max(1))
    };
    Some(Incident {
        start,
        end: start + len as i64,
        latency: between(mix(h ^ 4), kind.latency.0, kind.latency.1),
        errors: between(mix(h ^ 5), kind.errors.0, kind.errors.1),
        layer,
    })
}

/// The incidents of both kinds overlapping `[start, end)`.
pub(crate) fn incidents_between(
    p: &AppProfile,
    start: i64,
    end: i64,
) -> impl Iterator<Item = Incident> + '_ {
    [(&MINOR, p.minor_incidents), (&MAJOR, p.major_incidents)]
        .into_iter()
        .flat_map(move |(kind, rate)| of_kind(p, kind, rate, start, end))
}

/// The incidents of one kind overlapping `[start, end)`.
fn of_kind<'a>(
    p: &'a AppProfile,
    kind: &'a Kind,
    rate: f64,
    start: i64,
    end: i64,
) -> impl Iterator<Item = Incident> + 'a {
    let first = start.div_euclid(kind.epoch);
    let last = (end - 1).div_euclid(kind.epoch);
    (first..=last)
        .filter_map(move |k| incident(p, kind, rate, k))
        .filter(move |i| i.start < end && i.end > start)
}

/// The combined effect of incidents on the slice `[start, start + step)`.
#[inline]
pub(crate) fn effect(p: &AppProfile, start: i64, step: i64) -> IncidentEffect {
    let mut out = IncidentEffect::NONE;
    let end = start + step;
    for i in incidents_between(p, start, end) {
        let overlap = (i.end.min(end) - i.start.max(start)) as f64 / step as f64;
        out.extra[i.layer] += overlap * i.latency;
        out.errors += overlap * i.errors;
        out.any = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::app::{App, AppId};

    #[test]
    fn incidents_happen_and_are_short() {
        let app = App::generate(2, AppId(2), "web-shop", "example", 8, false);
        let p = &app.profile;
        let week_start = 1_704_067_200; // 2024-01-01
        let found: Vec<Incident> =
            incidents_between(p, week_start, week_start + 7 * 86_400).collect();
        assert!(found.len() >= 10, "{} incidents in a week", found.len());
        for i in &found {
            assert!(i.end > i.start && i.end - i.start <= 7_200);
            assert!(i.layer >= p.per_request && i.layer < p.layers.len());
        }
        // A slice fully inside an incident gets its whole severity.
        let i = found.iter().find(|i| i.end - i.start >= 90).unwrap();
        let e = effect(p, i.start + 1, 30);
        assert!(e.any && e.extra[i.layer] >= i.latency - 1e-9);
    }

    #[test]
    fn ground_truth_lists_what_the_model_applies() {
        let app = App::generate(42, AppId(2), "web-shop", "example", 8, false);
        let from = 1_704_067_200;
        let at = |t: i64| DateTime::from_timestamp(t, 0).unwrap();
        let all = of_app(&app, at(from), at(from + 30 * 86_400));
        assert!(all.windows(2).all(|w| w[0].start <= w[1].start));
        let outages: Vec<&IncidentTruth> = all
            .iter()
            .filter(|t| t.kind == IncidentKind::Outage)
            .collect();
        assert!(!outages.is_empty(), "no outage in 30 days");
        for o in outages {
            let mid = (o.start.timestamp() + o.end.timestamp()) / 2;
            let left = outages::traffic_factor(app.profile.key, mid, 1);
            assert!((left - o.traffic_factor).abs() < 1e-9);
        }
        let truth = of_app(&app, at(from), at(from + 3 * 86_400));
        let latency: Vec<&IncidentTruth> = truth.iter().filter(|t| t.kind.is_latency()).collect();
        assert_eq!(
            latency.len(),
            incidents_between(&app.profile, from, from + 3 * 86_400).count()
        );
        for t in latency {
            let (s, e) = (t.start.timestamp(), t.end.timestamp());
            let mid = (s + e) / 2;
            let hit = effect(&app.profile, mid, 1);
            let li = app.profile.layer_index(&t.layer).unwrap();
            assert!(hit.any && hit.extra[li] >= t.latency_factor - 1.0 - 1e-9);
            assert!(hit.errors >= t.error_factor - 1.0 - 1e-9);
        }
        let json = serde_json::to_value(&truth[0]).unwrap();
        assert!(matches!(
            json["kind"].as_str(),
            Some("major" | "minor" | "outage")
        ));
        assert!(of_app(&app, at(from), at(from)).is_empty());
    }

    #[test]
    fn ground_truth_needs_only_seed_and_name() {
        let at = |t: i64| DateTime::from_timestamp(t, 0).unwrap();
        let (from, to) = (at(1_704_067_200), at(1_704_067_200 + 7 * 86_400));
        let world = crate::World::in_memory(42, 30, crate::Clock::Frozen(1_704_283_200));
        let view = world.view();
        for name in ["Default", "web-shop", "blog", "web-shop-2"] {
            let app = view.app(name).unwrap();
            let now = at(1_704_283_200);
            assert_eq!(
                ground_truth_at(42, name, now, from, to),
                of_app(app, from, to),
                "{name}"
            );
            let without_silence: Vec<IncidentTruth> = of_app(app, from, to)
                .into_iter()
                .filter(|i| i.kind != IncidentKind::Stale)
                .collect();
            assert_eq!(ground_truth(42, name, from, to), without_silence, "{name}");
        }
        assert!(ground_truth(42, "no-such-app", from, to).is_empty());
    }

    #[test]
    fn effect_is_diluted_on_coarser_steps() {
        let app = App::generate(2, AppId(2), "web-shop", "example", 8, false);
        let p = &app.profile;
        let t0 = 1_704_067_200;
        let i = incidents_between(p, t0, t0 + 7 * 86_400)
            .find(|i| {
                let slice = i.start.div_euclid(7_200) * 7_200;
                i.end - i.start < 600 && incidents_between(p, slice, slice + 7_200).count() == 1
            })
            .unwrap();
        let slice = i.start.div_euclid(7_200) * 7_200;
        let coarse = effect(p, slice, 7_200);
        assert!(coarse.extra[i.layer] < i.latency);
    }
}
