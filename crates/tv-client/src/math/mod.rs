//! Latency math: pure functions over typed series.
//!
//! The rules every function here follows:
//!
//! - **Never an average of averages.** A latency over several slices is the
//!   volume-weighted mean `Σ volume·average ÷ Σ volume`; a layer's time per call is
//!   `Σ total ÷ Σ calls`; an error rate over several slices is weighted by volume.
//! - **Empty slices carry no latency.** A slice without traces (`volume` 0, or no
//!   average) is left out of means, minima and maxima.
//! - **Exact where it can be.** Durations are summed in integer nanoseconds and divided
//!   with rounding to the nearest nanosecond, so a mean of slices always lies within
//!   their minimum and maximum.
//! - **Series are joined by timestamp**, never by position; slices present on one side
//!   only are reported in an [`Alignment`] and left out of the result.
//!
//! | concern | functions |
//! |---|---|
//! | one latency series | [`weighted_mean`], [`total_volume`], [`min_slice`], [`max_slice`], [`latest_slice`], [`summarize_latency`] |
//! | layers | [`layer_totals`], [`per_call_average`], [`per_request_average`], [`time_shares`], [`layer_breakdown`] |
//! | errors | [`ApproxErrorCount`], [`estimate_errors`] |
//! | requests | [`total_requests`], [`requests_per_second`] |
//! | coarser steps | [`resample`], [`resample_error_rates`] |
//! | regressions | [`WindowSummary`], [`Comparison`], [`compare_layers`], [`WindowComparison`] |
//! | longer history | [`stitch`], [`window_ends`], [`Coverage`] |

use std::time::Duration;

mod align;
mod compare;
mod errors;
mod latency;
mod layers;
mod requests;
mod resample;
mod stitch;

#[cfg(test)]
mod strategies;

pub use align::Alignment;
pub use compare::{
    Comparison, LayerComparison, Presence, WindowComparison, WindowSummary, change_fraction,
    compare_layers,
};
pub use errors::{ApproxErrorCount, ErrorEstimate, estimate_errors};
pub use latency::{
    LatencySummary, latest_slice, max_slice, min_slice, summarize_latency, total_volume,
    weighted_mean,
};
pub use layers::{
    LayerBreakdown, LayerShare, LayerTotals, PerRequest, layer_breakdown, layer_totals,
    per_call_average, per_request_average, time_shares,
};
pub use requests::{requests_per_second, total_requests};
pub use resample::{Resample, resample, resample_error_rates};
pub use stitch::{Coverage, Stitched, stitch, window_ends};

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// A duration from a number of nanoseconds, saturating at `Duration::MAX`.
pub(crate) fn duration_from_nanos(nanos: u128) -> Duration {
    let secs = u64::try_from(nanos / NANOS_PER_SEC).unwrap_or(u64::MAX);
    // The remainder is below 10^9 and fits.
    let sub = u32::try_from(nanos % NANOS_PER_SEC).unwrap_or(0);
    Duration::new(secs, sub)
}

/// `total ÷ n` rounded to the nearest nanosecond; `None` for `n == 0`.
pub(crate) fn divide_duration(total: Duration, n: u64) -> Option<Duration> {
    if n == 0 {
        return None;
    }
    let n = u128::from(n);
    Some(duration_from_nanos((total.as_nanos() + n / 2) / n))
}

/// The weighted mean `Σ w·v ÷ Σ w` of `(weight, value)` pairs, rounded to the nearest
/// nanosecond; pairs of weight 0 are ignored; `None` when no weight.
///
/// Summed exactly in `u128` nanoseconds; should that overflow (absurd inputs), falls back
/// to floating point clamped to the values' range, so the result always lies within the
/// smallest and largest weighted value.
pub(crate) fn weighted_mean_of(
    pairs: impl IntoIterator<Item = (u64, Duration)>,
) -> Option<Duration> {
    let mut weight: u128 = 0;
    let mut exact: Option<u128> = Some(0);
    let (mut fsum, mut fweight) = (0.0f64, 0.0f64);
    let mut range: Option<(Duration, Duration)> = None;
    for (w, v) in pairs {
        if w == 0 {
            continue;
        }
        weight = weight.saturating_add(u128::from(w));
        exact = exact.and_then(|s| s.checked_add(v.as_nanos().checked_mul(u128::from(w))?));
        fsum += v.as_nanos() as f64 * w as f64;
        fweight += w as f64;
        range = Some(match range {
            None => (v, v),
            Some((lo, hi)) => (lo.min(v), hi.max(v)),
        });
    }
    let (lo, hi) = range?;
    match exact.and_then(|sum| sum.checked_add(weight / 2)) {
        Some(sum) => Some(duration_from_nanos(sum / weight)),
        None => {
            let mean = duration_from_nanos((fsum / fweight).round() as u128);
            Some(mean.clamp(lo, hi))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_rounds_to_nearest_nanosecond() {
        assert_eq!(
            divide_duration(Duration::from_nanos(10), 4),
            Some(Duration::from_nanos(3))
        );
        assert_eq!(
            divide_duration(Duration::from_nanos(10), 3),
            Some(Duration::from_nanos(3))
        );
        assert_eq!(
            divide_duration(Duration::from_nanos(11), 2),
            Some(Duration::from_nanos(6))
        );
        assert_eq!(divide_duration(Duration::from_secs(1), 0), None);
        assert_eq!(divide_duration(Duration::MAX, 1), Some(Duration::MAX));
    }

    #[test]
    fn weighted_mean_survives_overflow() {
        let pairs = [
            (u64::MAX, Duration::MAX),
            (u64::MAX, Duration::from_secs(1)),
        ];
        let mean = weighted_mean_of(pairs).unwrap();
        assert!(mean >= Duration::from_secs(1) && mean <= Duration::MAX);
        assert_eq!(weighted_mean_of([(0, Duration::from_secs(1))]), None);
        assert_eq!(
            weighted_mean_of([(1, Duration::from_nanos(1)), (1, Duration::from_nanos(2))]),
            Some(Duration::from_nanos(2))
        );
    }
}
