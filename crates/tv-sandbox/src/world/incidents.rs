//! Incidents: latency and error spikes at fixed, seed-determined instants.
//!
//! Time is cut into hours (minor incidents: 1–10 min, strong) and days (major incidents:
//! 20–120 min, longer). Whether an hour or day holds an incident, when it starts, how
//! long it lasts, how bad it is and which layer it hits are hashes of
//! `(app, kind, epoch)`; they exist in absolute time, so every window and step sees the
//! same incidents, diluted by how much of a slice they cover.

use super::app::AppProfile;
use super::hash::{between, combine, mix, pick, unit};
use super::layers::MAX_LAYERS;

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
    const NONE: IncidentEffect = IncidentEffect {
        extra: [0.0; MAX_LAYERS],
        errors: 0.0,
        any: false,
    };
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
        .flat_map(move |(kind, rate)| {
            let first = start.div_euclid(kind.epoch);
            let last = (end - 1).div_euclid(kind.epoch);
            (first..=last).filter_map(move |k| incident(p, kind, rate, k))
        })
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
