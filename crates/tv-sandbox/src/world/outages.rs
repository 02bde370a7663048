//! Absences: outages (an app's traffic drops to almost nothing for a few hours) and
//! stale apps (an app that stopped reporting before the world's now and stays silent).
//!
//! - **Outages** exist in absolute time like the latency incidents: whether a UTC day
//!   holds one, when it starts (1–6 hours long, inside the day), and how much traffic
//!   survives (0–2 % of the usual) are hashes of `(app, day)`. The traffic model scales
//!   the expected volume of every 30-second slice by the share of it the outage leaves,
//!   so coarser slices (sums of those) see the outage diluted by how much of them it
//!   covers.
//! - **Stale apps** depend on the catalog's anchor (its now): among the generated apps
//!   after the first three (`Default`, `web-shop`, `billing-api` always report), every
//!   third one (which third is a hash of the seed) went silent 3 hours to 4 days before
//!   the anchor and has no traffic from then on.

use super::hash::{between, combine, mix, unit};
use super::window::MAX_TIME;

const SALT_OUTAGE: u64 = 0x6f75_7461_6765_0001;
const SALT_STALE: u64 = 0x7374_616c_6500_0002;

/// Probability that a UTC day holds an outage of a given app.
const OUTAGE_RATE: f64 = 0.12;
/// Outage length bounds, seconds.
const OUTAGE_LEN: (f64, f64) = (3_600.0, 6.0 * 3_600.0);
/// The share of the usual traffic an outage leaves.
const OUTAGE_RESIDUAL: (f64, f64) = (0.0, 0.02);
/// How long before the anchor a stale app went silent, seconds.
const STALE_AGE: (f64, f64) = (3.0 * 3_600.0, 4.0 * 86_400.0);
/// Apps with a lower index always report.
const FIRST_STALE_INDEX: usize = 3;

/// One outage: `[start, end)` and the share of traffic it leaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Outage {
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) residual: f64,
}

/// The outage of the app of hash identity `key` on the UTC day `day`, if any.
fn outage(key: u64, day: i64) -> Option<Outage> {
    let h = combine(key ^ SALT_OUTAGE, day as u64);
    if unit(h) >= OUTAGE_RATE {
        return None;
    }
    let len = between(mix(h ^ 1), OUTAGE_LEN.0, OUTAGE_LEN.1);
    let offset = unit(mix(h ^ 2)) * (86_400.0 - len);
    let start = day * 86_400 + offset as i64;
    Some(Outage {
        start,
        end: start + len as i64,
        residual: between(mix(h ^ 3), OUTAGE_RESIDUAL.0, OUTAGE_RESIDUAL.1),
    })
}

/// The outages of the app `key` overlapping `[start, end)`, in order.
pub(crate) fn outages_between(key: u64, start: i64, end: i64) -> impl Iterator<Item = Outage> {
    let first = start.div_euclid(86_400);
    let last = (end - 1).div_euclid(86_400);
    (first..=last)
        .filter_map(move |d| outage(key, d))
        .filter(move |o| o.start < end && o.end > start)
}

/// The share of the usual traffic left in `[start, start + step)`: 1 outside outages,
/// the outage's residual inside, the mix of both in a slice it covers in part.
#[inline]
pub(crate) fn traffic_factor(key: u64, start: i64, step: i64) -> f64 {
    let end = start + step;
    let mut factor = 1.0;
    for o in outages_between(key, start, end) {
        let covered = (o.end.min(end) - o.start.max(start)) as f64 / step as f64;
        factor *= 1.0 - covered * (1.0 - o.residual);
    }
    factor
}

/// When the `index`-th generated app of the world of `seed` (hash identity `key`) went
/// silent, as seen at `anchor`; [`MAX_TIME`] (never) for apps that keep reporting.
pub(crate) fn silent_from(seed: u64, index: usize, key: u64, anchor: i64) -> i64 {
    if index < FIRST_STALE_INDEX {
        return MAX_TIME;
    }
    let which = (mix(seed ^ SALT_STALE) % 3) as usize;
    if (index - FIRST_STALE_INDEX) % 3 != which {
        return MAX_TIME;
    }
    let age = between(mix(key ^ SALT_STALE), STALE_AGE.0, STALE_AGE.1) as i64;
    anchor.saturating_sub(age)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outages_are_hours_long_and_leave_little() {
        let t0 = 1_704_067_200;
        let found: Vec<Outage> = outages_between(7, t0, t0 + 200 * 86_400).collect();
        assert!(found.len() >= 10, "{} outages in 200 days", found.len());
        for o in &found {
            assert!((3_600..=6 * 3_600).contains(&(o.end - o.start)));
            assert!(o.residual < 0.021);
            let mid = (o.start + o.end) / 2;
            assert!(traffic_factor(7, mid - mid.rem_euclid(30), 30) < 0.03);
        }
        let quiet = (0..200)
            .map(|d| t0 + d * 86_400)
            .find(|d| outages_between(7, *d, d + 86_400).next().is_none())
            .unwrap();
        assert_eq!(traffic_factor(7, quiet, 86_400), 1.0);
    }

    #[test]
    fn one_app_in_three_goes_stale_after_the_first_three() {
        for seed in 0..20u64 {
            let stale: Vec<usize> = (0..12)
                .filter(|i| silent_from(seed, *i, seed + *i as u64, 1_000_000_000) < MAX_TIME)
                .collect();
            assert_eq!(stale.len(), 3, "seed {seed}: {stale:?}");
            assert!(stale.iter().all(|i| *i >= FIRST_STALE_INDEX));
            for i in stale {
                let age = 1_000_000_000 - silent_from(seed, i, seed + i as u64, 1_000_000_000);
                assert!((3 * 3_600..=4 * 86_400).contains(&age));
            }
        }
    }
}
