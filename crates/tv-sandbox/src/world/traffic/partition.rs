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

/// Splits `total` into parts proportional to `weights` (largest remainders, ties to the
/// lower index) into `out`. The parts sum to `total` exactly when some weight is
/// positive; with no positive weight every part is 0.
fn apportion_all(total: u64, weights: &[f64], out: &mut Vec<u64>) {
    out.clear();
    out.resize(weights.len(), 0);
    let sum: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    if total == 0 || sum <= 0.0 || !sum.is_finite() {
        return;
    }
    let t = total as f64;
    let mut placed = 0u64;
    let mut fractions: Vec<(f64, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let quota = t * (w.max(0.0) / sum);
        let floor = (quota.floor() as u64).min(total - placed);
        out[i] = floor;
        placed += floor;
        fractions.push((quota - floor as f64, i));
    }
    let remainder = total - placed;
    if remainder == 0 {
        return;
    }
    // The largest fractional parts get one more each (cycling, should floating error
    // leave more units than parts).
    fractions.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let positive: Vec<usize> = fractions
        .iter()
        .map(|(_, i)| *i)
        .filter(|i| weights[*i] > 0.0)
        .collect();
    for k in 0..remainder as usize {
        out[positive[k % positive.len()]] += 1;
    }
}

/// Part `pick` of [`apportion_all`].
fn apportion(total: u64, weights: &[f64], pick: usize, scratch: &mut Vec<u64>) -> u64 {
    apportion_all(total, weights, scratch);
    scratch.get(pick).copied().unwrap_or(0)
}

/// Every part of `total` split by `weights`, none above its `cap` (Σ caps ≥ total is
/// assumed; what cannot be placed is dropped).
fn apportion_capped(total: u64, weights: &[f64], caps: &[u64], out: &mut Vec<u64>) {
    let n = weights.len();
    out.clear();
    out.resize(n, 0);
    let mut free: Vec<bool> = caps.iter().map(|c| *c > 0).collect();
    let mut left = total;
    let mut round = Vec::with_capacity(n);
    let mut w = vec![0.0; n];
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
        apportion_all(left, &w, &mut round);
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

/// The part of `whole` that value `pick` of a dimension with `values` takes, keyed by
/// `salt` (the dimension) and `s` (the slice's hash).
pub(crate) fn part(whole: &Slice, values: &[Weight], pick: usize, s: u64, salt: u64) -> Slice {
    let k = values.len();
    if pick >= k || whole.volume == 0 {
        return Slice::empty(whole.start, whole.step, whole.layer_count);
    }
    let h = combine(s, salt);
    // Requests: shares with a per-slice jitter.
    let shares: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(i, v)| v.share * between(mix(h ^ (i as u64 * 2 + 1)), 0.8, 1.2))
        .collect();
    let latency: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(i, v)| v.latency * between(mix(h ^ (i as u64 * 2 + 2)), 0.9, 1.1))
        .collect();
    let mut scratch = Vec::with_capacity(k);
    let mut volumes = Vec::with_capacity(k);
    apportion_all(whole.volume, &shares, &mut volumes);
    let n = volumes[pick];
    let mut out = Slice::empty(whole.start, whole.step, whole.layer_count);
    if n == 0 {
        return out;
    }
    let vf: Vec<f64> = volumes.iter().map(|v| *v as f64).collect();
    let mut caps_out = Vec::with_capacity(k);
    let mut latency_total = 0u64;
    for (l, layer) in whole.layers().iter().enumerate() {
        // Requests through the layer, at most each value's requests.
        apportion_capped(layer.touching, &vf, &volumes, &mut caps_out);
        let touching = caps_out.clone();
        // Repeat calls go to the values whose requests call the layer.
        let tw: Vec<f64> = touching.iter().map(|t| *t as f64).collect();
        apportion_all(layer.calls - layer.touching, &tw, &mut scratch);
        let calls: Vec<u64> = touching.iter().zip(&scratch).map(|(t, e)| t + e).collect();
        let calls_pick = calls[pick];
        // Time: by calls × the value's latency factor (so no calls, no time).
        let time_weights: Vec<f64> = calls
            .iter()
            .zip(&latency)
            .map(|(c, l)| *c as f64 * l)
            .collect();
        let total = apportion(layer.total_us, &time_weights, pick, &mut scratch);
        out.layers[l] = LayerSlice {
            touching: touching[pick],
            calls: calls_pick,
            total_us: total,
        };
        latency_total += total;
    }
    // Errors: by requests × the value's error factor, at most its requests.
    let ew: Vec<f64> = values.iter().zip(&vf).map(|(v, n)| v.errors * n).collect();
    apportion_capped(whole.errors, &ew, &volumes, &mut caps_out);
    let errors = caps_out[pick];
    let untraced = apportion(whole.total_requests - whole.volume, &vf, pick, &mut scratch);
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
    s: u64,
    salt: u64,
) -> Slice {
    let mut out = *whole;
    out.client_volume = 0;
    out.client_latency_total_us = 0;
    if pick >= values.len() || whole.client_volume == 0 {
        return out;
    }
    let h = combine(s, salt);
    let shares: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(i, v)| v.share * between(mix(h ^ (i as u64 * 2 + 1)), 0.75, 1.25))
        .collect();
    let mut scratch = Vec::with_capacity(values.len());
    let mut views = Vec::with_capacity(values.len());
    apportion_all(whole.client_volume, &shares, &mut views);
    let time_weights: Vec<f64> = views
        .iter()
        .zip(values)
        .map(|(c, v)| *c as f64 * v.latency)
        .collect();
    out.client_volume = views[pick];
    out.client_latency_total_us = apportion(
        whole.client_latency_total_us,
        &time_weights,
        pick,
        &mut scratch,
    );
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
            apportion_all(total, &weights, &mut parts);
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
            apportion_capped(total, &weights[..caps.len()], &caps, &mut out);
            prop_assert_eq!(out.iter().sum::<u64>(), total);
            prop_assert!(out.iter().zip(&caps).all(|(o, c)| o <= c));
        }
    }
}
