//! Error counts derived from error rates.
//!
//! The API gives an error *rate* per slice (share of traces with an error), never a
//! count. A count is derived as `rate × volume` with the volume of the latency series
//! in the same slice — an approximation, because the rate is rounded by the server,
//! hence the type [`ApproxErrorCount`].

use std::fmt;

use serde::Serialize;

use super::align::{Alignment, join};
use crate::json_shape::ser_opt_num;
use crate::points::{ErrorRatePoint, LatencyPoint};
use crate::series::Series;
use crate::units::format_count;

/// A number of errors derived from a rate and a volume: approximate by construction.
///
/// `Display` prints `≈` and the count (`≈12`, `≈12.3k`); JSON is the plain number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct ApproxErrorCount(pub u64);

impl ApproxErrorCount {
    /// `round(rate × volume)`; `None` when `rate` is not within 0..=1.
    pub fn from_rate(rate: f64, volume: u64) -> Option<Self> {
        if !(0.0..=1.0).contains(&rate) {
            return None;
        }
        // rate ≤ 1, so the product never exceeds the volume (the cast saturates anyway).
        Some(ApproxErrorCount((rate * volume as f64).round() as u64))
    }

    /// The count.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ApproxErrorCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "≈{}", format_count(self.0))
    }
}

/// Errors over a window, from [`estimate_errors`].
///
/// JSON: `{"errors": 12, "volume": 3400, "rate": 0.0035 | null, "alignment": <Alignment>}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ErrorEstimate {
    /// Σ over the matched slices of `round(rate × volume)`.
    pub errors: ApproxErrorCount,
    /// Traces in the matched slices that have a rate.
    pub volume: u64,
    /// The volume-weighted error rate `Σ rate·volume ÷ Σ volume`, 0..=1; `None` without
    /// volume.
    #[serde(serialize_with = "ser_opt_num")]
    pub rate: Option<f64>,
    /// How the slices matched: first = the error-rate series, second = the latency series.
    pub alignment: Alignment,
}

/// Derives the error count and the volume-weighted error rate of a window from its
/// error-rate series and its latency series (for the volumes), joined by timestamp.
///
/// Slices present in only one series are left out and listed in the alignment; a
/// matched slice whose rate is `null` counts neither errors nor volume.
pub fn estimate_errors(
    rates: &Series<ErrorRatePoint>,
    volumes: &Series<LatencyPoint>,
) -> ErrorEstimate {
    let (pairs, alignment) = join(rates, volumes);
    let mut errors = 0u64;
    let mut volume = 0u64;
    let mut weighted = 0.0f64;
    for (r, v) in pairs {
        let Some(rate) = r.rate else { continue };
        let count = ApproxErrorCount::from_rate(rate, v.volume).unwrap_or_default();
        errors = errors.saturating_add(count.0);
        volume = volume.saturating_add(v.volume);
        weighted += rate * v.volume as f64;
    }
    ErrorEstimate {
        errors: ApproxErrorCount(errors),
        volume,
        rate: (volume > 0).then(|| (weighted / volume as f64).clamp(0.0, 1.0)),
        alignment,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;
    use crate::math::strategies::{error_series, latency_series, slot};

    #[test]
    fn counts_are_rounded_and_labelled() {
        assert_eq!(
            ApproxErrorCount::from_rate(0.01, 11),
            Some(ApproxErrorCount(0))
        );
        assert_eq!(
            ApproxErrorCount::from_rate(0.5, 11),
            Some(ApproxErrorCount(6))
        );
        assert_eq!(ApproxErrorCount::from_rate(1.5, 11), None);
        assert_eq!(ApproxErrorCount::from_rate(f64::NAN, 11), None);
        assert_eq!(ApproxErrorCount(12_345).to_string(), "≈12.3k");
        assert_eq!(serde_json::to_string(&ApproxErrorCount(7)).unwrap(), "7");
    }

    #[test]
    fn estimate_from_reference_rates() {
        // §11: rates 0.01, 0, 0.0003, 0 against volumes 100, 10, 10000, 0.
        let rates = Series::new(
            [Some(0.01), Some(0.0), Some(0.0003), None]
                .into_iter()
                .enumerate()
                .map(|(i, rate)| ErrorRatePoint {
                    at: slot(i as i64),
                    rate,
                })
                .collect(),
        )
        .unwrap();
        let volumes = Series::new(
            [100, 10, 10_000, 0]
                .into_iter()
                .enumerate()
                .map(|(i, volume)| LatencyPoint {
                    at: slot(i as i64),
                    volume,
                    average: Some(Duration::from_millis(1)),
                })
                .collect(),
        )
        .unwrap();
        let e = estimate_errors(&rates, &volumes);
        assert_eq!(e.errors, ApproxErrorCount(4));
        assert_eq!(e.volume, 10_110);
        assert!((e.rate.unwrap() - 4.0 / 10_110.0).abs() < 1e-12);
        assert!(e.alignment.is_complete());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The weighted rate lies within the matched slices' rates, and the count never
        /// exceeds the volume.
        #[test]
        fn rate_within_slice_rates(rates in error_series(40), volumes in latency_series(40)) {
            let e = estimate_errors(&rates, &volumes);
            prop_assert!(e.errors.get() <= e.volume);
            let matched: Vec<f64> = rates.iter()
                .filter(|r| volumes.point_at(r.at).is_some_and(|v| v.volume > 0))
                .filter_map(|r| r.rate)
                .collect();
            if let Some(rate) = e.rate {
                let lo = matched.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = matched.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(lo - 1e-12 <= rate && rate <= hi + 1e-12);
            } else {
                prop_assert!(matched.is_empty());
            }
        }
    }
}
