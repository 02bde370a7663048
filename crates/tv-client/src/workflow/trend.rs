//! [`Trend`]: a report row's latency per slice, kept compactly.
//!
//! A report over thousands of apps holds every row's trend until the rows are sorted,
//! so its size is the report's memory: a `Vec<Option<Duration>>` spends 16 bytes a
//! slice, a trend here 4 (nanoseconds as `u32` while every slice is under 4.29 s, the
//! usual case) or 8, exactly: the JSON it writes is the same to the nanosecond.

use std::time::Duration;

use serde::{Serialize, Serializer};

/// Marks a slice without traffic.
const GAP_NARROW: u32 = u32::MAX;
/// Marks a slice without traffic (wide form).
const GAP_WIDE: u64 = u64::MAX;

/// Average latency per slice, oldest first (`None`: no traffic in the slice).
///
/// JSON: a list of microseconds or `null`, like `Vec<Option<Duration>>` through
/// the `_us` convention.
///
/// ```
/// use std::time::Duration;
/// use tv_client::workflow::Trend;
/// let trend: Trend = [Some(Duration::from_micros(1500)), None].into_iter().collect();
/// assert_eq!(trend.len(), 2);
/// assert_eq!(trend.get(0), Some(Some(Duration::from_micros(1500))));
/// assert_eq!(serde_json::to_string(&trend).unwrap(), "[1500,null]");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Trend(Slices);

#[derive(Clone, PartialEq, Eq)]
enum Slices {
    /// Nanoseconds, every one below `u32::MAX`.
    Narrow(Box<[u32]>),
    /// Nanoseconds, for trends with a slice of 4.29 s or more.
    Wide(Box<[u64]>),
}

impl Default for Slices {
    fn default() -> Self {
        Slices::Narrow(Box::default())
    }
}

impl Trend {
    /// The number of slices.
    pub fn len(&self) -> usize {
        match &self.0 {
            Slices::Narrow(s) => s.len(),
            Slices::Wide(s) => s.len(),
        }
    }

    /// Whether there is no slice at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Slice `index`'s latency (`Some(None)`: the slice had no traffic).
    pub fn get(&self, index: usize) -> Option<Option<Duration>> {
        match &self.0 {
            Slices::Narrow(s) => s.get(index).map(|&n| narrow(n)),
            Slices::Wide(s) => s.get(index).map(|&n| wide(n)),
        }
    }

    /// The slices, oldest first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<Duration>> + '_ {
        (0..self.len()).map(|i| self.get(i).flatten())
    }

    /// The slices as a `Vec`, for code that wants one.
    pub fn to_vec(&self) -> Vec<Option<Duration>> {
        self.iter().collect()
    }
}

fn narrow(nanos: u32) -> Option<Duration> {
    (nanos != GAP_NARROW).then(|| Duration::from_nanos(u64::from(nanos)))
}

fn wide(nanos: u64) -> Option<Duration> {
    (nanos != GAP_WIDE).then(|| Duration::from_nanos(nanos))
}

/// Nanoseconds of a slice; a duration beyond `u64` nanoseconds (584 years) saturates
/// just below the gap marker.
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).map_or(GAP_WIDE - 1, |n| n.min(GAP_WIDE - 1))
}

impl FromIterator<Option<Duration>> for Trend {
    fn from_iter<I: IntoIterator<Item = Option<Duration>>>(slices: I) -> Self {
        let wide: Vec<u64> = slices
            .into_iter()
            .map(|d| d.map_or(GAP_WIDE, nanos))
            .collect();
        let fits = wide
            .iter()
            .all(|&n| n == GAP_WIDE || n < u64::from(GAP_NARROW));
        if fits {
            let narrow = wide
                .iter()
                .map(|&n| u32::try_from(n).unwrap_or(GAP_NARROW))
                .collect();
            Trend(Slices::Narrow(narrow))
        } else {
            Trend(Slices::Wide(wide.into_boxed_slice()))
        }
    }
}

impl From<Vec<Option<Duration>>> for Trend {
    fn from(slices: Vec<Option<Duration>>) -> Self {
        slices.into_iter().collect()
    }
}

impl std::fmt::Debug for Trend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Trend {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(crate::json_shape::opt_us))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    #[test]
    fn writes_the_same_json_as_the_durations() {
        let slices = vec![
            Some(Duration::from_nanos(1_022_766_667)),
            None,
            Some(Duration::ZERO),
            Some(Duration::from_nanos(u64::from(u32::MAX) - 1)),
        ];
        let trend = Trend::from(slices.clone());
        assert!(matches!(trend.0, Slices::Narrow(_)));
        let expected: Vec<_> = slices
            .iter()
            .map(|d| crate::json_shape::opt_us(*d))
            .collect();
        assert_eq!(json(&trend), json(&expected));
        assert_eq!(trend.to_vec(), slices);
    }

    #[test]
    fn long_slices_keep_every_nanosecond() {
        let slices = vec![
            Some(Duration::from_nanos(u64::from(u32::MAX))),
            None,
            Some(Duration::from_secs(3600 * 24 * 365) + Duration::from_nanos(7)),
        ];
        let trend = Trend::from(slices.clone());
        assert!(matches!(trend.0, Slices::Wide(_)));
        assert_eq!(trend.to_vec(), slices);
        assert_eq!(trend.len(), 3);
        assert_eq!(trend.get(3), None);
        assert_eq!(format!("{trend:?}"), format!("{slices:?}"));
    }

    #[test]
    fn empty_is_an_empty_list() {
        let trend = Trend::default();
        assert!(trend.is_empty());
        assert_eq!(json(&trend), "[]");
    }
}
