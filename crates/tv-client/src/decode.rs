//! Decoding a wire timeseries (`{"fields": "timestamp,volume,avg_latency", "items":
//! [[…], …]}`) into typed points.
//!
//! Columns are located by name in the `fields` header, never by position; unknown
//! columns are ignored. Each cell is checked (finite, in range, integral counts) and a
//! bad cell is an [`Error::Decode`] naming the row and column (`data.items[3][2]`).

use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::error::Error;

mod answer;
use crate::range::between;
use crate::wire_units::{duration_from_micros, epoch_millis};
pub(crate) use answer::SeriesAnswer;

/// Names of the timestamp column.
pub(crate) const TIMESTAMP: &[&str] = &["timestamp"];
/// Names of the volume / calls column.
pub(crate) const VOLUME: &[&str] = &["volume"];
/// Names of the latency column (`avg_latency` on the wire, `latency` in the docs).
pub(crate) const LATENCY: &[&str] = &["avg_latency", "latency"];
/// Names of the error-rate column.
pub(crate) const ERROR_RATE: &[&str] = &["error_rate"];
/// Names of the total-requests column.
pub(crate) const TOTAL_REQUESTS: &[&str] = &["total_requests"];

/// The largest count a JSON number carries exactly (2^53).
const MAX_EXACT_COUNT: f64 = 9_007_199_254_740_992.0;

/// How a point type is read from a wire row. Sealed: implemented in this crate only.
pub trait Decode: Sized {
    /// Where the point's columns are in a row.
    #[doc(hidden)]
    type Layout;

    /// Locates the point's columns (other than the timestamp) in the header.
    #[doc(hidden)]
    fn layout(header: &Header<'_>) -> Result<Self::Layout, String>;

    /// Reads one row whose timestamp (checked first) is `at`.
    #[doc(hidden)]
    fn decode(layout: &Self::Layout, row: Row<'_>, at: DateTime<Utc>) -> Result<Self, CellError>;

    /// The instant of the point (used to sort and to reject duplicates).
    #[doc(hidden)]
    fn instant(&self) -> DateTime<Utc>;
}

/// Columns of a `timestamp,volume,<latency>` row.
#[derive(Debug)]
pub struct VolumeLatencyLayout {
    pub(crate) volume: usize,
    pub(crate) latency: usize,
}

/// Columns of a `timestamp,<value>` row.
#[derive(Debug)]
pub struct ValueLayout {
    pub(crate) value: usize,
}

/// The parsed `fields` header.
#[derive(Debug)]
pub struct Header<'a> {
    names: Vec<&'a str>,
}

impl<'a> Header<'a> {
    fn parse(fields: &'a str) -> Self {
        Header {
            names: fields.split(',').map(str::trim).collect(),
        }
    }

    fn width(&self) -> usize {
        self.names.len()
    }

    /// The index of the column called by one of `aliases` (ASCII case ignored).
    pub(crate) fn find(&self, aliases: &[&str]) -> Result<usize, String> {
        let mut hits = self
            .names
            .iter()
            .enumerate()
            .filter(|(_, name)| aliases.iter().any(|a| a.eq_ignore_ascii_case(name)));
        let wanted = aliases.first().copied().unwrap_or_default();
        match (hits.next(), hits.next()) {
            (Some((index, _)), None) => Ok(index),
            (Some((_, a)), Some((_, b))) => {
                Err(format!("column `{wanted}` appears twice (`{a}` and `{b}`)"))
            }
            (None, _) => Err(format!("missing column `{wanted}`")),
        }
    }
}

/// One row of a wire series.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    cells: &'a [Option<f64>],
}

/// A problem with one cell: its column and what is wrong.
#[derive(Debug)]
pub struct CellError {
    column: usize,
    reason: String,
}

impl CellError {
    fn new(column: usize, reason: impl Into<String>) -> Self {
        CellError {
            column,
            reason: reason.into(),
        }
    }
}

/// A [`CellError`], made off the hot path: decoding rows is the common case.
#[cold]
#[inline(never)]
fn fail(column: usize, reason: impl FnOnce() -> String) -> CellError {
    CellError::new(column, reason())
}

impl Row<'_> {
    #[inline]
    fn cell(&self, column: usize) -> Option<f64> {
        self.cells.get(column).copied().flatten()
    }

    /// A non-null, finite number.
    #[inline]
    fn number(&self, column: usize, what: &str) -> Result<f64, CellError> {
        match self.cell(column) {
            None => Err(fail(column, || format!("{what} is null"))),
            Some(v) if !v.is_finite() => {
                Err(fail(column, || format!("{what} is not a finite number")))
            }
            Some(v) => Ok(v),
        }
    }

    /// A timestamp in epoch seconds or milliseconds: its epoch milliseconds and instant.
    #[inline]
    fn timestamp(&self, column: usize, days: &mut Days) -> Result<(i64, DateTime<Utc>), CellError> {
        let v = self.number(column, "timestamp")?;
        epoch_millis(v)
            .and_then(|millis| Some((millis, days.instant(millis)?)))
            .ok_or_else(|| fail(column, || format!("timestamp {} is out of range", show(v))))
    }

    /// A count: a non-negative whole number (floats like `27.0` accepted).
    #[inline]
    pub(crate) fn count(&self, column: usize, what: &str) -> Result<u64, CellError> {
        let v = self.number(column, what)?;
        if v < 0.0 {
            return Err(fail(column, || format!("negative {what} {}", show(v))));
        }
        // Every float above 2^53 is whole, so there only the range can be wrong; at or
        // below it the cast is exact exactly for whole numbers.
        if v > MAX_EXACT_COUNT {
            return Err(fail(column, || {
                format!("{what} {} is out of range", show(v))
            }));
        }
        let count = v as u64;
        if count as f64 != v {
            return Err(fail(column, || {
                format!("{what} {} is not a whole number", show(v))
            }));
        }
        Ok(count)
    }

    /// Microseconds as a duration; `null` is `None`.
    #[inline]
    pub(crate) fn micros(&self, column: usize, what: &str) -> Result<Option<Duration>, CellError> {
        let Some(v) = self.cell(column) else {
            return Ok(None);
        };
        if v.is_nan() {
            return Err(fail(column, || format!("{what} is not a number")));
        }
        if v < 0.0 {
            return Err(fail(column, || format!("negative {what} {}", show(v))));
        }
        duration_from_micros(v)
            .map(Some)
            .ok_or_else(|| fail(column, || format!("{what} {} µs is out of range", show(v))))
    }

    /// A fraction in 0..=1; `null` is `None`.
    #[inline]
    pub(crate) fn fraction(&self, column: usize, what: &str) -> Result<Option<f64>, CellError> {
        let Some(v) = self.cell(column) else {
            return Ok(None);
        };
        if !(0.0..=1.0).contains(&v) {
            return Err(fail(column, || {
                format!("{what} {} is outside 0..1", show(v))
            }));
        }
        Ok(Some(v))
    }
}

/// Decodes `items` under the header `fields` into points sorted by time.
///
/// `path` is the JSON path of the timeseries object (`data`, `data[2].timeseries`).
pub(crate) fn decode_points<P: Decode, R: AsRef<[Option<f64>]>>(
    path: &str,
    fields: &str,
    items: &[R],
) -> Result<Sorted<P>, Error> {
    let header = Header::parse(fields);
    let columns = Columns::<P>::new(&header)
        .map_err(|reason| Error::decode(format!("{path}.fields"), reason, fields))?;
    let width = header.width();
    let mut points = Collector::with_capacity(items.len());
    for (r, cells) in items.iter().enumerate() {
        let cells = cells.as_ref();
        if cells.len() != width {
            return Err(Error::decode(
                format!("{path}.items[{r}]"),
                format!("expected {width} values ({fields}), found {}", cells.len()),
                &render_row(cells),
            ));
        }
        columns.push(Row { cells }, &mut points).map_err(|e| {
            Error::decode(
                format!("{path}.items[{r}][{}]", e.column),
                e.reason,
                &render_row(cells),
            )
        })?;
    }
    points.finish().map_err(|Duplicate { first, row, at }| {
        Error::decode(
            format!("{path}.items[{row}][{}]", columns.timestamp),
            format!(
                "duplicate timestamp {} (also in items[{first}])",
                at.to_rfc3339()
            ),
            &render_row(items[row].as_ref()),
        )
    })
}

/// Where a point type's columns are in the rows under one header.
pub(crate) struct Columns<P: Decode> {
    layout: P::Layout,
    timestamp: usize,
}

impl<P: Decode> Columns<P> {
    /// Locates the columns; the reason names a missing or doubled column (the
    /// timestamp's first).
    pub(crate) fn new(header: &Header<'_>) -> Result<Self, String> {
        let timestamp = header.find(TIMESTAMP)?;
        let layout = P::layout(header)?;
        Ok(Columns { layout, timestamp })
    }

    /// Decodes one row (of the header's width) and adds its point.
    #[inline]
    pub(crate) fn push(&self, row: Row<'_>, points: &mut Collector<P>) -> Result<(), CellError> {
        let (millis, at) = row.timestamp(self.timestamp, &mut points.days)?;
        let point = P::decode(&self.layout, row, at)?;
        points.push(point, millis);
        Ok(())
    }
}

/// Points decoded row by row, in row order. While rows come in ascending order (what
/// the API promises) the smallest gap between them is kept on the way, so nothing is
/// sorted or compared again afterwards; otherwise [`Collector::finish`] sorts.
pub(crate) struct Collector<P> {
    points: Vec<P>,
    /// Epoch milliseconds of the last row.
    last: i64,
    ascending: bool,
    /// The smallest gap between consecutive rows so far, in milliseconds.
    gap: Option<u64>,
    days: Days,
}

/// Epoch milliseconds to instants, remembering the last day: the rows of a series
/// mostly share their day with the previous row, and finding the date is the costly
/// part of chrono's conversion.
struct Days {
    /// The epoch milliseconds of the start of the last day, and its date.
    last: Option<(i64, NaiveDate)>,
}

impl Days {
    const MILLIS_PER_DAY: i64 = 86_400_000;

    /// The instant `millis` after the epoch (`millis ≥ 0`): exactly
    /// `DateTime::from_timestamp_millis`, `None` beyond chrono's range.
    #[inline]
    fn instant(&mut self, millis: i64) -> Option<DateTime<Utc>> {
        let (start, date) = match self.last {
            Some((start, date)) if (start..start + Self::MILLIS_PER_DAY).contains(&millis) => {
                (start, date)
            }
            _ => {
                let start = millis - millis.rem_euclid(Self::MILLIS_PER_DAY);
                let date = DateTime::from_timestamp(start / 1000, 0)?.date_naive();
                self.last = Some((start, date));
                (start, date)
            }
        };
        // Below 86 400 000: fits a u32.
        let in_day = (millis - start) as u32;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(
            in_day / 1000,
            in_day % 1000 * 1_000_000,
        )?;
        Some(NaiveDateTime::new(date, time).and_utc())
    }
}

/// Two rows at the same instant: the later row, the earlier one and their instant.
pub(crate) struct Duplicate {
    pub(crate) first: usize,
    pub(crate) row: usize,
    pub(crate) at: DateTime<Utc>,
}

/// Points sorted by time, no two at the same instant, and the smallest gap between
/// consecutive ones (`None` for fewer than two).
#[derive(Debug)]
pub struct Sorted<P> {
    pub(crate) points: Vec<P>,
    pub(crate) derived_step: Option<Duration>,
}

impl<P: Decode> Collector<P> {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Collector {
            points: Vec::with_capacity(capacity),
            last: i64::MIN,
            ascending: true,
            gap: None,
            days: Days { last: None },
        }
    }

    #[inline]
    fn push(&mut self, point: P, millis: i64) {
        if !self.points.is_empty() && self.ascending {
            match millis.checked_sub(self.last) {
                Some(gap) if gap > 0 => {
                    let gap = gap as u64;
                    self.gap = Some(self.gap.map_or(gap, |g| g.min(gap)));
                }
                _ => self.ascending = false,
            }
        }
        self.last = millis;
        self.points.push(point);
    }

    /// The points sorted by time, or the first two rows (in time order) at one instant.
    pub(crate) fn finish(self) -> Result<Sorted<P>, Duplicate> {
        if self.ascending {
            return Ok(Sorted {
                points: self.points,
                derived_step: self.gap.map(Duration::from_millis),
            });
        }
        let mut points: Vec<(usize, P)> = self.points.into_iter().enumerate().collect();
        points.sort_by_key(|(_, p)| p.instant());
        if let Some(pair) = points
            .windows(2)
            .find(|w| w[0].1.instant() == w[1].1.instant())
        {
            let (a, b) = (pair[0].0, pair[1].0);
            return Err(Duplicate {
                first: a.min(b),
                row: a.max(b),
                at: pair[1].1.instant(),
            });
        }
        let derived_step = points
            .windows(2)
            .filter_map(|w| between(w[0].1.instant(), w[1].1.instant()))
            .min();
        Ok(Sorted {
            points: points.into_iter().map(|(_, p)| p).collect(),
            derived_step,
        })
    }
}

/// Prints a number the way a person reads JSON: `1353259500`, `0.0003`, `1e300`.
pub(crate) fn show(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e16 {
        format!("{v}")
    } else {
        format!("{v:?}")
    }
}

/// Renders a row like `[1353259500, 11, null]` (at most a dozen cells).
fn render_row(cells: &[Option<f64>]) -> String {
    const SHOWN: usize = 12;
    let mut out = String::from("[");
    for (i, cell) in cells.iter().take(SHOWN).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match cell {
            Some(v) => out.push_str(&show(*v)),
            None => out.push_str("null"),
        }
    }
    if cells.len() > SHOWN {
        out.push_str(", …");
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lookup() {
        let h = Header::parse("timestamp, volume ,AVG_LATENCY,extra");
        assert_eq!(h.find(TIMESTAMP), Ok(0));
        assert_eq!(h.find(VOLUME), Ok(1));
        assert_eq!(h.find(LATENCY), Ok(2));
        assert_eq!(
            h.find(ERROR_RATE),
            Err("missing column `error_rate`".into())
        );
        let twice = Header::parse("timestamp,latency,avg_latency");
        assert_eq!(
            twice.find(LATENCY),
            Err("column `avg_latency` appears twice (`latency` and `avg_latency`)".into())
        );
    }

    proptest::proptest! {
        #[test]
        fn days_give_chronos_instants(
            start in 0i64..253_402_300_799_000,
            steps in proptest::collection::vec(0i64..200_000_000, 1..20),
        ) {
            let mut days = Days { last: None };
            let mut millis = start;
            for step in steps {
                proptest::prop_assert_eq!(
                    days.instant(millis),
                    DateTime::from_timestamp_millis(millis)
                );
                millis += step;
            }
        }
    }

    #[test]
    fn days_beyond_chronos_range() {
        let mut days = Days { last: None };
        assert_eq!(days.instant(i64::MAX / 2), None);
        assert_eq!(days.instant(0), DateTime::from_timestamp_millis(0));
    }

    #[test]
    fn renders_rows() {
        assert_eq!(
            render_row(&[Some(1_353_259_500.0), Some(8.0), None]),
            "[1353259500, 8, null]"
        );
        assert_eq!(render_row(&[Some(0.5), Some(f64::NAN)]), "[0.5, NaN]");
        assert!(render_row(&[Some(1.0); 20]).ends_with(", …]"));
    }
}
