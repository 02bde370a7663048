//! Exact partitions: how the values of one filter dimension split a slice.
//!
//! A slice's integers (requests, latency total, errors, untraced requests, and each
//! layer's requests, calls and self time) are split among the dimension's values by
//! largest-remainder apportionment, so the parts add up to the whole **exactly**:
//! the values' volumes sum to the unfiltered volume, their latency totals (hence their
//! volume-weighted mean latency) to the unfiltered total, and the same for errors, total
//! requests and every layer's calls and time. Weights come from the values' shares (with
//! a per-slice jitter), their latency and error factors.

use super::{LayerSlice, Slice};
use crate::world::hash::{between, combine, mix};

/// One value's weights in a slice: its share of requests and its latency and error
/// factors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Weight {
    pub(crate) share: f64,
    pub(crate) latency: f64,
    pub(crate) errors: f64,
}

/// The buffer of [`Apportion::all`]: grown once, then reused for every split.
#[derive(Debug, Default)]
struct Apportion {
    fractions: Vec<(f64, usize)>,
}

impl Apportion {
    /// Splits `total` into parts proportional to `weights` (largest remainders, ties to
    /// the lower index) into `out`. The parts sum to `total` exactly when some weight is
    /// positive; with no positive weight every part is 0.
    fn all(&mut self, total: u64, weights: &[f64], out: &mut Vec<u64>) {
        out.clear();
        out.resize(weights.len(), 0);
        if total == 0 {
            return;
        }
        let sum: f64 = weights.iter().map(|w| w.max(0.0)).sum();
        if sum <= 0.0 || !sum.is_finite() {
            return;
        }
        let t = total as f64;
        let mut placed = 0u64;
        let fractions = &mut self.fractions;
        fractions.clear();
        for (i, w) in weights.iter().enumerate() {
            // Finite and ≥ 0, so truncation is the floor.
            let quota = t * (w.max(0.0) / sum);
            let floor = (quota as u64).min(total - placed);
            out[i] = floor;
            placed += floor;
            fractions.push((quota - floor as f64, i));
        }
        let remainder = total - placed;
        if remainder == 0 {
            return;
        }
        // The parts of positive weight with the largest fractional parts get one more
        // each (cycling, should floating error leave more units than parts). The order
        // (fraction descending, then index) is total, so an unstable sort of the
        // positive parts alone gives the same order.
        fractions.retain(|(_, i)| weights[*i] > 0.0);
        fractions.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let positive = fractions.len();
        for k in 0..remainder as usize {
            out[fractions[k % positive].1] += 1;
        }
    }

    /// Part `pick` of [`Apportion::all`].
    fn one(&mut self, total: u64, weights: &[f64], pick: usize, parts: &mut Vec<u64>) -> u64 {
        self.all(total, weights, parts);
        parts.get(pick).copied().unwrap_or(0)
    }
}

/// The buffers of [`Capped::split`].
#[derive(Debug, Default)]
struct Capped {
    free: Vec<bool>,
    round: Vec<u64>,
    weights: Vec<f64>,
}

impl Capped {
    /// Every part of `total` split by `weights`, none above its `cap` (Σ caps ≥ total
    /// is assumed; what cannot be placed is dropped).
    fn split(
        &mut self,
        ap: &mut Apportion,
        total: u64,
        weights: &[f64],
        caps: &[u64],
        out: &mut Vec<u64>,
    ) {
        let n = weights.len();
        out.clear();
        out.resize(n, 0);
        let Capped {
            free,
            round,
            weights: w,
        } = self;
        free.clear();
        free.extend(caps.iter().map(|c| *c > 0));
        w.clear();
        w.resize(n, 0.0);
        let mut left = total;
        for _ in 0..=n {
            if left == 0 {
                break;
            }
            for i in 0..n {
                w[i] = if free[i] { weights[i].max(0.0) } else { 0.0 };
            }
            if w.iter().all(|x| *x <= 0.0) {
                // Only zero weights left free: spread evenly over the free parts.
                for i in 0..n {
                    w[i] = if free[i] { 1.0 } else { 0.0 };
                }
                if w.iter().all(|x| *x <= 0.0) {
                    break;
                }
            }
            ap.all(left, w, round);
            let mut overflow = false;
            for i in 0..n {
                if free[i] && out[i] + round[i] > caps[i] {
                    overflow = true;
                    left -= caps[i] - out[i];
                    out[i] = caps[i];
                    free[i] = false;
                }
            }
            if !overflow {
                for i in 0..n {
                    out[i] += round[i];
                }
                left = 0;
            }
        }
    }
}

/// The working buffers of the partitions of one slice computation: they grow to the
/// largest dimension once and are reused for every 30-second slice and every
/// dimension, so splitting a slice allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    ap: Apportion,
    capped: Capped,
    shares: Vec<f64>,
    latency: Vec<f64>,
    volumes: Vec<u64>,
    vf: Vec<f64>,
    touching: Vec<u64>,
    weights: Vec<f64>,
    calls: Vec<u64>,
    parts: Vec<u64>,
}

/// The part of `whole` that value `pick` of a dimension with `values` takes, keyed by
/// `salt` (the dimension) and `s` (the slice's hash).
pub(crate) fn part(
    whole: &Slice,
    values: &[Weight],
    pick: usize,
    (s, salt): (u64, u64),
    scratch: &mut Scratch,
) -> Slice {
    let k = values.len();
    let mut out = Slice::empty(whole.start, whole.step, whole.layer_count);
    if pick >= k || whole.volume == 0 {
        return out;
    }
    let Scratch {
        ap,
        capped,
        shares,
        latency,
        volumes,
        vf,
        touching,
        weights,
        calls,
        parts,
    } = scratch;
    let h = combine(s, salt);
    // Requests: shares with a per-slice jitter.
    shares.clear();
    shares.extend(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| v.share * between(mix(h ^ (i as u64 * 2 + 1)), 0.8, 1.2)),
    );
    latency.clear();
    latency.extend(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| v.latency * between(mix(h ^ (i as u64 * 2 + 2)), 0.9, 1.1)),
    );
    ap.all(whole.volume, shares, volumes);
    let n = volumes[pick];
    if n == 0 {
        return out;
    }
    vf.clear();
    vf.extend(volumes.iter().map(|v| *v as f64));
    let mut latency_total = 0u64;
    for (l, layer) in whole.layers().iter().enumerate() {
        // Requests through the layer, at most each value's requests.
        capped.split(ap, layer.touching, vf, volumes, touching);
        // Repeat calls go to the values whose requests call the layer.
        weights.clear();
        weights.extend(touching.iter().map(|t| *t as f64));
        ap.all(layer.calls - layer.touching, weights, parts);
        calls.clear();
        calls.extend(touching.iter().zip(parts.iter()).map(|(t, e)| t + e));
        // Time: by calls × the value's latency factor (so no calls, no time).
        weights.clear();
        weights.extend(calls.iter().zip(latency.iter()).map(|(c, l)| *c as f64 * l));
        let total = ap.one(layer.total_us, weights, pick, parts);
        out.layers[l] = LayerSlice {
            touching: touching[pick],
            calls: calls[pick],
            total_us: total,
        };
        latency_total += total;
    }
    // Errors: by requests × the value's error factor, at most its requests.
    weights.clear();
    weights.extend(values.iter().zip(vf.iter()).map(|(v, n)| v.errors * n));
    capped.split(ap, whole.errors, weights, volumes, parts);
    let errors = parts[pick];
    let untraced = ap.one(whole.total_requests - whole.volume, vf, pick, parts);
    out.volume = n;
    out.latency_total_us = latency_total;
    out.errors = errors;
    out.total_requests = n + untraced;
    out
}

/// The part of the client side (page views and their load time) that value `pick`
/// takes; the server side of `whole` is kept.
pub(crate) fn client_part(
    whole: &Slice,
    values: &[Weight],
    pick: usize,
    (s, salt): (u64, u64),
    scratch: &mut Scratch,
) -> Slice {
    let mut out = *whole;
    out.client_volume = 0;
    out.client_latency_total_us = 0;
    if pick >= values.len() || whole.client_volume == 0 {
        return out;
    }
    let Scratch {
        ap,
        shares,
        volumes: views,
        weights,
        parts,
        ..
    } = scratch;
    let h = combine(s, salt);
    shares.clear();
    shares.extend(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| v.share * between(mix(h ^ (i as u64 * 2 + 1)), 0.75, 1.25)),
    );
    ap.all(whole.client_volume, shares, views);
    weights.clear();
    weights.extend(views.iter().zip(values).map(|(c, v)| *c as f64 * v.latency));
    out.client_volume = views[pick];
    out.client_latency_total_us = ap.one(whole.client_latency_total_us, weights, pick, parts);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parts_add_up_exactly(
            total in 0u64..10_000_000_000,
            weights in proptest::collection::vec(0.0f64..10.0, 1..14),
        ) {
            let mut parts = Vec::new();
            Apportion::default().all(total, &weights, &mut parts);
            let sum: u64 = parts.iter().sum();
            if weights.iter().sum::<f64>() > 0.0 {
                prop_assert_eq!(sum, total);
            } else {
                prop_assert_eq!(sum, 0);
            }
        }

        #[test]
        fn capped_parts_respect_their_caps(
            caps in proptest::collection::vec(0u64..1_000, 1..14),
            weights in proptest::collection::vec(0.0f64..10.0, 14),
            fill in 0.0f64..1.0,
        ) {
            let total = (caps.iter().sum::<u64>() as f64 * fill) as u64;
            let mut out = Vec::new();
            let mut ap = Apportion::default();
            Capped::default().split(&mut ap, total, &weights[..caps.len()], &caps, &mut out);
            prop_assert_eq!(out.iter().sum::<u64>(), total);
            prop_assert!(out.iter().zip(&caps).all(|(o, c)| o <= c));
        }
    }
}
