//! Decoding a wire timeseries (`{"fields": "timestamp,volume,avg_latency", "items":
//! [[…], …]}`) into typed points.
//!
//! Columns are located by name in the `fields` header, never by position; unknown
//! columns are ignored. Each cell is checked (finite, in range, integral counts) and a
//! bad cell is an [`Error::Decode`] naming the row and column (`data.items[3][2]`).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::wire_units::{duration_from_micros, epoch_to_datetime};

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

    /// Locates the point's columns in the header.
    #[doc(hidden)]
    fn layout(header: &Header<'_>) -> Result<Self::Layout, String>;

    /// Reads one row.
    #[doc(hidden)]
    fn decode(layout: &Self::Layout, row: Row<'_>) -> Result<Self, CellError>;

    /// The instant of the point (used to sort and to reject duplicates).
    #[doc(hidden)]
    fn instant(&self) -> DateTime<Utc>;
}

/// Columns of a `timestamp,volume,<latency>` row.
#[derive(Debug)]
pub struct VolumeLatencyLayout {
    pub(crate) timestamp: usize,
    pub(crate) volume: usize,
    pub(crate) latency: usize,
}

/// Columns of a `timestamp,<value>` row.
#[derive(Debug)]
pub struct ValueLayout {
    pub(crate) timestamp: usize,
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

impl Row<'_> {
    fn cell(&self, column: usize) -> Option<f64> {
        self.cells.get(column).copied().flatten()
    }

    /// A non-null, finite number.
    fn number(&self, column: usize, what: &str) -> Result<f64, CellError> {
        match self.cell(column) {
            None => Err(CellError::new(column, format!("{what} is null"))),
            Some(v) if !v.is_finite() => Err(CellError::new(
                column,
                format!("{what} is not a finite number"),
            )),
            Some(v) => Ok(v),
        }
    }

    /// A timestamp in epoch seconds or milliseconds.
    pub(crate) fn timestamp(&self, column: usize) -> Result<DateTime<Utc>, CellError> {
        let v = self.number(column, "timestamp")?;
        epoch_to_datetime(v)
            .ok_or_else(|| CellError::new(column, format!("timestamp {} is out of range", show(v))))
    }

    /// A count: a non-negative whole number (floats like `27.0` accepted).
    pub(crate) fn count(&self, column: usize, what: &str) -> Result<u64, CellError> {
        let v = self.number(column, what)?;
        if v < 0.0 {
            return Err(CellError::new(
                column,
                format!("negative {what} {}", show(v)),
            ));
        }
        if v.fract() != 0.0 {
            return Err(CellError::new(
                column,
                format!("{what} {} is not a whole number", show(v)),
            ));
        }
        if v > MAX_EXACT_COUNT {
            return Err(CellError::new(
                column,
                format!("{what} {} is out of range", show(v)),
            ));
        }
        Ok(v as u64)
    }

    /// Microseconds as a duration; `null` is `None`.
    pub(crate) fn micros(&self, column: usize, what: &str) -> Result<Option<Duration>, CellError> {
        let Some(v) = self.cell(column) else {
            return Ok(None);
        };
        if v.is_nan() {
            return Err(CellError::new(column, format!("{what} is not a number")));
        }
        if v < 0.0 {
            return Err(CellError::new(
                column,
                format!("negative {what} {}", show(v)),
            ));
        }
        duration_from_micros(v)
            .map(Some)
            .ok_or_else(|| CellError::new(column, format!("{what} {} µs is out of range", show(v))))
    }

    /// A fraction in 0..=1; `null` is `None`.
    pub(crate) fn fraction(&self, column: usize, what: &str) -> Result<Option<f64>, CellError> {
        let Some(v) = self.cell(column) else {
            return Ok(None);
        };
        if !(0.0..=1.0).contains(&v) {
            return Err(CellError::new(
                column,
                format!("{what} {} is outside 0..1", show(v)),
            ));
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
) -> Result<Vec<P>, Error> {
    let header = Header::parse(fields);
    let layout = P::layout(&header)
        .map_err(|reason| Error::decode(format!("{path}.fields"), reason, fields))?;
    let timestamp_column = header
        .find(TIMESTAMP)
        .map_err(|reason| Error::decode(format!("{path}.fields"), reason, fields))?;
    let width = header.width();
    let mut points = Vec::with_capacity(items.len());
    for (r, cells) in items.iter().enumerate() {
        let cells = cells.as_ref();
        if cells.len() != width {
            return Err(Error::decode(
                format!("{path}.items[{r}]"),
                format!("expected {width} values ({fields}), found {}", cells.len()),
                &render_row(cells),
            ));
        }
        let point = P::decode(&layout, Row { cells }).map_err(|e| {
            Error::decode(
                format!("{path}.items[{r}][{}]", e.column),
                e.reason,
                &render_row(cells),
            )
        })?;
        points.push((r, point));
    }
    points.sort_by_key(|(_, p)| p.instant());
    if let Some(pair) = points
        .windows(2)
        .find(|w| w[0].1.instant() == w[1].1.instant())
    {
        let (first, (r, p)) = (pair[0].0, &pair[1]);
        let (r, first) = ((*r).max(first), (*r).min(first));
        return Err(Error::decode(
            format!("{path}.items[{r}][{timestamp_column}]"),
            format!(
                "duplicate timestamp {} (also in items[{first}])",
                p.instant().to_rfc3339()
            ),
            &render_row(items[r].as_ref()),
        ));
    }
    Ok(points.into_iter().map(|(_, p)| p).collect())
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
