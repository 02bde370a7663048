//! A half-open range of time.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The earliest `time_end` the API takes: 1971-01-01T00:00:00Z (the spec's `time_end`
/// pattern accepts years from 1971), in Unix seconds. A window that would end before it
/// is refused by the workflows with a clear message rather than by the request builder.
pub const EARLIEST_END_SECONDS: i64 = 31_536_000;

/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when `end` is before
/// [`EARLIEST_END_SECONDS`]; `what` names the window (`--end`, `the window before`).
pub fn check_end(what: &str, end: DateTime<Utc>) -> Result<(), crate::Error> {
    if end.timestamp() < EARLIEST_END_SECONDS {
        return Err(crate::Error::invalid_argument(format!(
            "{what} ends at {}, before 1971-01-01, the earliest time the API takes",
            end.format("%Y-%m-%d %H:%M:%S UTC")
        )));
    }
    Ok(())
}

/// The instants `start <= t < end`.
///
/// JSON: `{"start": "<RFC 3339>", "end": "<RFC 3339>"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TimeRange {
    /// First instant in the range.
    pub start: DateTime<Utc>,
    /// First instant after the range.
    pub end: DateTime<Utc>,
}

impl TimeRange {
    /// The range `start..end`; `None` when `end` is before `start`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Self> {
        (start <= end).then_some(TimeRange { start, end })
    }

    /// Whether `at` lies in the range.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// Whether the range holds no instant.
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// The length of the range (zero when empty).
    pub fn duration(&self) -> Duration {
        (self.end - self.start).to_std().unwrap_or(Duration::ZERO)
    }

    /// Whether the two ranges share an instant.
    pub fn overlaps(&self, other: &TimeRange) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// `at + d`, or `None` beyond chrono's range.
pub(crate) fn shift(at: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
    at.checked_add_signed(chrono::TimeDelta::from_std(d).ok()?)
}

/// `b − a` as a duration; `None` when `b` is before `a`.
pub(crate) fn between(a: DateTime<Utc>, b: DateTime<Utc>) -> Option<Duration> {
    (b - a).to_std().ok()
}
