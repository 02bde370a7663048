//! Stitching consecutive windows into one longer series.
//!
//! One call returns one window (at most a week). Longer history comes from several
//! calls with shifting `time_end` ([`window_ends`] plans them); [`stitch`] merges what
//! they returned — windows may overlap or leave gaps — into one series without duplicate
//! or overlapping slices, and says what is covered and what is missing.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Error;
use crate::points::Point;
use crate::range::{TimeRange, shift};
use crate::series::Series;
use crate::window::TimeWindow;

/// What a stitched series covers.
///
/// JSON: `{"requested": <TimeRange> | null, "covered": <TimeRange> | null,
/// "missing": [<TimeRange>, …], "overlapping_dropped": 3}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Coverage {
    /// The range asked for (`None`: whatever the parts held).
    pub requested: Option<TimeRange>,
    /// From the first kept slice's start to the last kept slice's end; `None` if no slice.
    pub covered: Option<TimeRange>,
    /// Parts of the requested range (or, without one, of the covered range) that no
    /// slice covers, oldest first.
    pub missing: Vec<TimeRange>,
    /// Slices dropped because an overriding part already had a slice there.
    pub overlapping_dropped: usize,
}

impl Coverage {
    /// Whether nothing is missing.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// A stitched series with its coverage.
///
/// JSON: `{"coverage": <Coverage>, "series": <Series>}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Stitched<P> {
    /// What the series covers.
    pub coverage: Coverage,
    /// The merged slices, told the common step.
    pub series: Series<P>,
}

/// Merges `parts` (typically consecutive windows, oldest first) into one series.
///
/// - All parts must share one step (told via [`Series::with_window`] or derived); a
///   part whose step is unknown (fewer than 2 points) takes the others'. Different
///   steps, or points without any known step, are an [`Error::InvalidArgument`].
/// - Each slice covers `[at, at + step)`. Where slices of different parts overlap
///   (the same timestamp, or a shifted grid), the **later part in `parts` wins** and
///   the other slice is dropped and counted — so pass the freshest data last.
/// - With a `range`, only slices overlapping it are kept, and
///   [`Coverage::missing`] lists the parts of the range no slice covers. Without one,
///   it lists the gaps between the first and the last slice.
pub fn stitch<P: Point>(
    parts: &[Series<P>],
    range: Option<TimeRange>,
) -> Result<Stitched<P>, Error> {
    let step = common_step(parts)?;
    let mut kept: BTreeMap<DateTime<Utc>, P> = BTreeMap::new();
    let mut dropped = 0;
    if let Some(step) = step {
        for part in parts.iter().rev() {
            for p in part.iter() {
                let at = p.at();
                let end = end_of(at, step)?;
                let before = kept.range(..=at).next_back().map(|(k, _)| *k);
                let after = kept.range(at..).next().map(|(k, _)| *k);
                let clashes_before = match before {
                    Some(k) => end_of(k, step)? > at,
                    None => false,
                };
                let clashes_after = after.is_some_and(|k| k < end);
                if clashes_before || clashes_after {
                    dropped += 1;
                } else {
                    kept.insert(at, p.clone());
                }
            }
        }
    }
    let mut points: Vec<P> = kept.into_values().collect();
    if let (Some(r), Some(step)) = (range, step) {
        let mut inside = Vec::with_capacity(points.len());
        for p in points {
            if p.at() < r.end && end_of(p.at(), step)? > r.start {
                inside.push(p);
            }
        }
        points = inside;
    }
    let covered = match (points.first(), points.last(), step) {
        (Some(first), Some(last), Some(step)) => {
            TimeRange::new(first.at(), end_of(last.at(), step)?)
        }
        _ => None,
    };
    let missing = match (range.or(covered), step) {
        (Some(r), Some(step)) => gaps(&points, r, step)?,
        (Some(r), None) if !r.is_empty() => vec![r],
        _ => Vec::new(),
    };
    let series = Series::from_sorted(points);
    Ok(Stitched {
        coverage: Coverage {
            requested: range,
            covered,
            missing,
            overlapping_dropped: dropped,
        },
        series: match step {
            Some(step) => series.with_step(step),
            None => series,
        },
    })
}

/// The step shared by all parts, `None` when there is no point at all.
fn common_step<P: Point>(parts: &[Series<P>]) -> Result<Option<Duration>, Error> {
    let mut step: Option<Duration> = None;
    for s in parts.iter().filter_map(Series::step) {
        match step {
            Some(known) if known != s => {
                return Err(Error::invalid_argument(format!(
                    "cannot stitch series with different steps ({} s and {} s)",
                    known.as_secs_f64(),
                    s.as_secs_f64()
                )));
            }
            _ => step = Some(s),
        }
    }
    if step.is_none() && parts.iter().any(|p| !p.is_empty()) {
        return Err(Error::invalid_argument(
            "cannot stitch series whose step is unknown (tell it with Series::with_window)",
        ));
    }
    Ok(step)
}

fn end_of(at: DateTime<Utc>, step: Duration) -> Result<DateTime<Utc>, Error> {
    shift(at, step)
        .ok_or_else(|| Error::invalid_argument("a slice ends outside the supported time range"))
}

/// The parts of `range` not covered by any `[at, at + step)` of the sorted `points`.
fn gaps<P: Point>(points: &[P], range: TimeRange, step: Duration) -> Result<Vec<TimeRange>, Error> {
    let mut missing = Vec::new();
    let mut cursor = range.start;
    for p in points {
        if p.at() > cursor {
            missing.push(TimeRange {
                start: cursor,
                end: p.at().min(range.end),
            });
        }
        cursor = cursor.max(end_of(p.at(), step)?);
        if cursor >= range.end {
            break;
        }
    }
    if cursor < range.end {
        missing.push(TimeRange {
            start: cursor,
            end: range.end,
        });
    }
    missing.retain(|r| !r.is_empty());
    Ok(missing)
}

/// The `time_end` values of the windows that together cover `range`, oldest first:
/// `range.end`, then one window earlier each time, until a window reaches back to
/// `range.start`. Empty for an empty range.
///
/// ```
/// use chrono::DateTime;
/// use tv_client::{TimeRange, TimeWindow, math::window_ends};
/// let end = DateTime::from_timestamp(1_353_259_500, 0).unwrap();
/// let start = end - chrono::TimeDelta::hours(30);
/// let ends = window_ends(TimeRange::new(start, end).unwrap(), TimeWindow::Day);
/// let hours_back: Vec<_> = ends.iter().map(|e| (end - *e).num_hours()).collect();
/// assert_eq!(hours_back, [24, 0]);
/// ```
pub fn window_ends(range: TimeRange, window: TimeWindow) -> Vec<DateTime<Utc>> {
    let mut ends = Vec::new();
    let mut end = range.end;
    while end > range.start {
        ends.push(end);
        match window.previous_end(end) {
            Some(previous) => end = previous,
            None => break,
        }
    }
    ends.reverse();
    ends
}

#[cfg(test)]
mod tests;
