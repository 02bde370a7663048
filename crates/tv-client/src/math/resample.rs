//! Resampling a series to a coarser step.
//!
//! Buckets are aligned to multiples of the new step since the Unix epoch (a point at
//! `at` falls into the bucket starting at `⌊at ÷ step⌋ × step`). Counts and times are
//! summed; latencies and error rates become volume-weighted means, so totals are
//! preserved. The first and last bucket may hold fewer slices than the others.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::latency::weighted_mean;
use super::layers::layer_totals;
use crate::error::Error;
use crate::points::{ErrorRatePoint, LatencyPoint, LayerPoint, Point, RequestsPoint};
use crate::series::Series;

/// A point type whose slices can be merged into a coarser slice.
pub trait Resample: Point {
    /// Merges the points of one bucket into a single point starting at `at`.
    fn combine(at: DateTime<Utc>, points: &[Self]) -> Self;
}

impl Resample for LatencyPoint {
    /// Volumes summed; the average is the volume-weighted mean of the slices with data.
    fn combine(at: DateTime<Utc>, points: &[Self]) -> Self {
        LatencyPoint {
            at,
            volume: super::total_volume(points),
            average: weighted_mean(points),
        }
    }
}

impl Resample for LayerPoint {
    /// Calls and total time summed.
    fn combine(at: DateTime<Utc>, points: &[Self]) -> Self {
        let totals = layer_totals(points);
        LayerPoint {
            at,
            calls: totals.calls,
            total: totals.total,
        }
    }
}

impl Resample for RequestsPoint {
    /// Requests summed.
    fn combine(at: DateTime<Utc>, points: &[Self]) -> Self {
        RequestsPoint {
            at,
            requests: super::total_requests(points),
        }
    }
}

/// Resamples `series` to `step`, which must be a positive multiple of the series' step
/// (when that is known); the result is told its new step.
///
/// Error rates need volumes to be weighted: see [`resample_error_rates`].
///
/// ```
/// use std::time::Duration;
/// use tv_client::{RequestsPoint, Series, math::resample};
/// let at = |s| chrono::DateTime::from_timestamp(s, 0).unwrap();
/// let series = Series::new(vec![
///     RequestsPoint { at: at(1433360130), requests: 262 },
///     RequestsPoint { at: at(1433360160), requests: 224 },
///     RequestsPoint { at: at(1433360190), requests: 201 },
/// ])?;
/// let minutes = resample(&series, Duration::from_secs(60))?;
/// let got: Vec<_> = minutes.iter().map(|p| (p.at.timestamp(), p.requests)).collect();
/// assert_eq!(got, [(1433360100, 262), (1433360160, 425)]);
/// # Ok::<(), tv_client::Error>(())
/// ```
pub fn resample<P: Resample>(series: &Series<P>, step: Duration) -> Result<Series<P>, Error> {
    check_step(series.step(), step)?;
    let mut out = Vec::new();
    for (at, points) in buckets(series, step)? {
        out.push(P::combine(at, points));
    }
    Ok(Series::from_sorted(out).with_step(step))
}

/// Resamples an error-rate series to `step`, weighting each slice's rate by the volume
/// of the latency series in the same slice (joined by timestamp). A bucket's rate is
/// `Σ rate·volume ÷ Σ volume` over its slices that have a rate and a matching volume,
/// and `None` when that volume is zero. Slices without a partner carry no weight.
pub fn resample_error_rates(
    rates: &Series<ErrorRatePoint>,
    volumes: &Series<LatencyPoint>,
    step: Duration,
) -> Result<Series<ErrorRatePoint>, Error> {
    check_step(rates.step(), step)?;
    let mut out = Vec::new();
    for (at, points) in buckets(rates, step)? {
        let mut weight = 0u64;
        let mut sum = 0.0f64;
        for p in points {
            let (Some(rate), Some(v)) = (p.rate, volumes.point_at(p.at)) else {
                continue;
            };
            weight = weight.saturating_add(v.volume);
            sum += rate * v.volume as f64;
        }
        let rate = (weight > 0).then(|| (sum / weight as f64).clamp(0.0, 1.0));
        out.push(ErrorRatePoint { at, rate });
    }
    Ok(Series::from_sorted(out).with_step(step))
}

fn check_step(current: Option<Duration>, step: Duration) -> Result<(), Error> {
    if step.is_zero() {
        return Err(Error::invalid_argument(
            "a resampling step must be longer than zero",
        ));
    }
    if let Some(current) = current
        && !step.as_nanos().is_multiple_of(current.as_nanos())
    {
        return Err(Error::invalid_argument(format!(
            "the new step ({} s) is not a multiple of the series' step ({} s)",
            step.as_secs_f64(),
            current.as_secs_f64()
        )));
    }
    Ok(())
}

/// Nanoseconds since the epoch.
fn nanos_since_epoch(at: DateTime<Utc>) -> i128 {
    i128::from(at.timestamp()) * 1_000_000_000 + i128::from(at.timestamp_subsec_nanos())
}

/// A bucket's start and the points falling into it.
type Bucket<'a, P> = (DateTime<Utc>, &'a [P]);

/// Splits sorted points into runs sharing a bucket, with each bucket's start.
fn buckets<P: Point>(series: &Series<P>, step: Duration) -> Result<Vec<Bucket<'_, P>>, Error> {
    let step_ns = i128::try_from(step.as_nanos())
        .map_err(|_| Error::invalid_argument("the resampling step is too long"))?;
    let bucket_of = |p: &P| nanos_since_epoch(p.at()).div_euclid(step_ns);
    let mut out = Vec::new();
    let mut rest: &[P] = series;
    while let Some(first) = rest.first() {
        let bucket = bucket_of(first);
        let len = rest.iter().take_while(|p| bucket_of(p) == bucket).count();
        let (run, tail) = rest.split_at(len);
        let start = bucket * step_ns;
        let at = i64::try_from(start.div_euclid(1_000_000_000))
            .ok()
            .and_then(|secs| {
                let nanos = u32::try_from(start.rem_euclid(1_000_000_000)).ok()?;
                DateTime::from_timestamp(secs, nanos)
            })
            .ok_or_else(|| {
                Error::invalid_argument("a resampled bucket is outside the supported time range")
            })?;
        out.push((at, run));
        rest = tail;
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
