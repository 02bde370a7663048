//! Statistics of one latency series.

use std::time::Duration;

use serde::Serialize;

use super::weighted_mean_of;
use crate::json_shape::ser_opt_us;
use crate::points::LatencyPoint;

/// The volume-weighted mean latency: `Σ volume·average ÷ Σ volume` over the slices
/// that have traces and an average — never the plain mean of the slice averages.
/// `None` when no slice has data.
///
/// The result lies within the smallest and largest average of those slices (it is
/// rounded to the nearest nanosecond).
///
/// ```
/// use std::time::Duration;
/// use tv_client::{LatencyPoint, math::weighted_mean};
/// # let at = chrono::DateTime::from_timestamp(0, 0).unwrap();
/// let points = [
///     LatencyPoint { at, volume: 1, average: Some(Duration::from_millis(100)) },
///     LatencyPoint { at, volume: 3, average: Some(Duration::from_millis(20)) },
///     LatencyPoint { at, volume: 0, average: None },
/// ];
/// // (1×100 + 3×20) ÷ 4 = 40 ms; the average of averages would say 60 ms.
/// assert_eq!(weighted_mean(&points), Some(Duration::from_millis(40)));
/// ```
pub fn weighted_mean(points: &[LatencyPoint]) -> Option<Duration> {
    weighted_mean_of(points.iter().filter_map(|p| Some((p.volume, p.average?))))
}

/// The traces in all slices (saturating), including slices the server sent without an
/// average.
pub fn total_volume(points: &[LatencyPoint]) -> u64 {
    points
        .iter()
        .fold(0u64, |sum, p| sum.saturating_add(p.volume))
}

/// The slice with the lowest average among those with data; the earliest on ties.
pub fn min_slice(points: &[LatencyPoint]) -> Option<&LatencyPoint> {
    extreme(points, |candidate, best| candidate < best)
}

/// The slice with the highest average among those with data; the earliest on ties.
pub fn max_slice(points: &[LatencyPoint]) -> Option<&LatencyPoint> {
    extreme(points, |candidate, best| candidate > best)
}

/// The most recent slice with data (largest `at`).
pub fn latest_slice(points: &[LatencyPoint]) -> Option<&LatencyPoint> {
    points.iter().filter(|p| p.has_data()).max_by_key(|p| p.at)
}

/// The slice with data whose average beats all others by `better`; earliest on ties.
fn extreme(
    points: &[LatencyPoint],
    better: impl Fn(Duration, Duration) -> bool,
) -> Option<&LatencyPoint> {
    let mut best: Option<(&LatencyPoint, Duration)> = None;
    for p in points {
        let Some(avg) = p.average.filter(|_| p.volume > 0) else {
            continue;
        };
        best = match best {
            Some((b, bavg)) if !(better(avg, bavg) || (avg == bavg && p.at < b.at)) => {
                Some((b, bavg))
            }
            _ => Some((p, avg)),
        };
    }
    best.map(|(p, _)| p)
}

/// The latency of a series in one value set: total volume, weighted mean and the
/// notable slices.
///
/// JSON: `{"volume", "average_us", "min": <LatencyPoint> | null, "max": …, "latest": …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LatencySummary {
    /// Traces in all slices.
    pub volume: u64,
    /// Volume-weighted mean latency ([`weighted_mean`]).
    #[serde(rename = "average_us", serialize_with = "ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub average: Option<Duration>,
    /// The slice with the lowest average ([`min_slice`]).
    pub min: Option<LatencyPoint>,
    /// The slice with the highest average ([`max_slice`]).
    pub max: Option<LatencyPoint>,
    /// The most recent slice with data ([`latest_slice`]).
    pub latest: Option<LatencyPoint>,
}

/// Computes a [`LatencySummary`] of `points`.
pub fn summarize_latency(points: &[LatencyPoint]) -> LatencySummary {
    LatencySummary {
        volume: total_volume(points),
        average: weighted_mean(points),
        min: min_slice(points).copied(),
        max: max_slice(points).copied(),
        latest: latest_slice(points).copied(),
    }
}

#[cfg(test)]
mod tests;
