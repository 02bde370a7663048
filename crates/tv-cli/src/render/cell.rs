//! [`Cell`]: one value of a table, as people read it and as machines parse it.
//!
//! People get `tv_client::units`' formatting (three significant digits and a unit);
//! CSV gets the exact value: plain numbers, durations in microseconds, fractions for
//! percentages, RFC 3339 times, and an empty field for a missing value.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use tv_client::units;

use super::sparkline::sparkline_width;

/// What a missing value shows as in tables.
pub const ABSENT: &str = "-";

/// The color of a table cell (tables only; machine formats ignore it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tone {
    /// No color.
    #[default]
    Plain,
    /// Green: healthy, faster, fewer errors.
    Good,
    /// Yellow: worth a look.
    Warn,
    /// Red: broken, slower, more errors.
    Bad,
    /// Dimmed: secondary information.
    Dim,
}

/// One table cell: what people see in a table and the exact value CSV writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cell {
    /// Shown in tables (`1.23 ms`).
    pub human: String,
    /// Written to CSV (`1230.5`); empty when the value is missing.
    pub machine: String,
    /// The cell's color in tables.
    pub tone: Tone,
}

impl Cell {
    /// A cell with different human and machine texts.
    pub fn new(human: impl Into<String>, machine: impl Into<String>) -> Cell {
        Cell {
            human: human.into(),
            machine: machine.into(),
            tone: Tone::Plain,
        }
    }

    /// A missing value: [`ABSENT`] for people, an empty CSV field.
    pub fn absent() -> Cell {
        Cell::new(ABSENT, "")
    }

    /// Text shown and written as is.
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell::new(s.clone(), s)
    }

    /// Text that may be missing.
    pub fn optional_text(s: Option<impl Into<String>>) -> Cell {
        s.map_or_else(Cell::absent, Cell::text)
    }

    /// A yes/no value: these words for people, `true` or `false` for machines (as the
    /// JSON writes it).
    pub fn flag(value: bool, yes: &str, no: &str) -> Cell {
        Cell::serialized(&value, if value { yes } else { no })
    }

    /// A value shown to people as `human`, and written for machines as its JSON: a
    /// string without its quotes, a number or `true`/`false` as JSON has it (an enum's
    /// serde name, so CSV and JSON cannot spell it differently).
    pub fn serialized<T: serde::Serialize>(value: &T, human: impl Into<String>) -> Cell {
        let machine = match serde_json::to_value(value) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(serde_json::Value::Null) | Err(_) => String::new(),
            Ok(other) => other.to_string(),
        };
        Cell::new(human, machine)
    }

    /// A count: `12.3k` for people, `12345` for machines.
    pub fn count(n: u64) -> Cell {
        Cell::new(units::format_count(n), n.to_string())
    }

    /// A signed integer shown in full (ids, versions, deltas of counts).
    pub fn integer(n: i64) -> Cell {
        Cell::text(n.to_string())
    }

    /// A plain number: at most two decimals for people (`12.35`, `3`), the exact value
    /// for machines. Non-finite values are missing.
    pub fn number(v: f64) -> Cell {
        if !v.is_finite() {
            return Cell::new(units::NOT_AVAILABLE, "");
        }
        let human = format!("{v:.2}");
        let human = human.trim_end_matches('0').trim_end_matches('.');
        let human = if human == "-0" { "0" } else { human };
        Cell::new(human, exact(v))
    }

    /// A rate per second: `12.3/s` for people, the exact rate for machines.
    pub fn rate(per_second: Option<f64>) -> Cell {
        match per_second {
            Some(v) if v.is_finite() => Cell::new(units::format_rate(v), exact(v)),
            Some(_) => Cell::new(units::NOT_AVAILABLE, ""),
            None => Cell::absent(),
        }
    }

    /// A duration: `1.23 ms` for people, exact microseconds for machines (`1230.5`).
    pub fn duration(d: Option<Duration>) -> Cell {
        match d {
            Some(d) => Cell::new(
                units::format_duration(d),
                exact(tv_client::wire_units::duration_to_micros(d)),
            ),
            None => Cell::absent(),
        }
    }

    /// A fraction shown as a percentage: `0.1234` is `12.3%` for people and `0.1234`
    /// for machines.
    pub fn percent(fraction: Option<f64>) -> Cell {
        match fraction {
            Some(f) if f.is_finite() => Cell::new(units::format_percent(f * 100.0), exact(f)),
            Some(_) => Cell::new(units::NOT_AVAILABLE, ""),
            None => Cell::absent(),
        }
    }

    /// A relative change given as a fraction, with its sign: `0.123` is `+12.3%` for
    /// people and `0.123` for machines.
    pub fn change(fraction: Option<f64>) -> Cell {
        match fraction {
            Some(f) if f.is_finite() => {
                Cell::new(units::format_signed_percent(f * 100.0), exact(f))
            }
            Some(_) => Cell::new(units::NOT_AVAILABLE, ""),
            None => Cell::absent(),
        }
    }

    /// A change of a rate given as a fraction, in percentage points: `0.0026` is
    /// `+0.26 pp` for people and `0.0026` for machines.
    pub fn points(fraction: Option<f64>) -> Cell {
        match fraction {
            Some(f) if f.is_finite() => {
                let pp = f * 100.0;
                let pp = if pp == 0.0 { 0.0 } else { pp };
                Cell::new(format!("{pp:+.2} pp"), exact(f))
            }
            Some(_) => Cell::new(units::NOT_AVAILABLE, ""),
            None => Cell::absent(),
        }
    }

    /// A point in time: `2024-01-01 12:00` (UTC) for people, RFC 3339 for machines
    /// (`2024-01-01T12:00:00Z`).
    pub fn time(t: DateTime<Utc>) -> Cell {
        Cell::new(
            t.format("%Y-%m-%d %H:%M").to_string(),
            t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        )
    }

    /// The start of a slice of a window: with seconds for the hour window (30-second
    /// slices), to the minute otherwise; RFC 3339 for machines.
    pub fn slice(t: DateTime<Utc>, window: tv_client::TimeWindow) -> Cell {
        let format = match window {
            tv_client::TimeWindow::Hour => "%Y-%m-%d %H:%M:%S",
            tv_client::TimeWindow::Day | tv_client::TimeWindow::Week => "%Y-%m-%d %H:%M",
        };
        Cell {
            human: t.format(format).to_string(),
            ..Cell::time(t)
        }
    }

    /// A time that may be missing.
    pub fn optional_time(t: Option<DateTime<Utc>>) -> Cell {
        t.map_or_else(Cell::absent, Cell::time)
    }

    /// A sparkline of `values` at most `width` characters wide for people (the newest
    /// slices when they do not all fit); for machines the values separated by `;`, a
    /// missing one empty (`1.5;;2`), so a CSV cell never holds a JSON array.
    pub fn sparkline(values: &[Option<f64>], width: usize) -> Cell {
        let machine: Vec<String> = values
            .iter()
            .map(|v| match v {
                Some(v) if v.is_finite() => exact(*v),
                _ => String::new(),
            })
            .collect();
        Cell::new(sparkline_width(values, width), machine.join(";"))
    }

    /// The same cell with another color.
    pub fn toned(self, tone: Tone) -> Cell {
        Cell { tone, ..self }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::text(s)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::text(s)
    }
}

/// The shortest text that parses back to exactly `v` (`0.1`, `1230.5`, `3`).
fn exact(v: f64) -> String {
    if v == 0.0 {
        // No "-0" in machine output.
        return "0".to_owned();
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn durations_are_human_and_exact() {
        let c = Cell::duration(Some(Duration::from_nanos(1_230_500)));
        assert_eq!(
            (c.human.as_str(), c.machine.as_str()),
            ("1.23 ms", "1230.5")
        );
        let c = Cell::duration(Some(Duration::from_micros(7)));
        assert_eq!((c.human.as_str(), c.machine.as_str()), ("7.00 µs", "7"));
        assert_eq!(
            Cell::duration(Some(Duration::from_nanos(1))).machine,
            "0.001"
        );
        assert_eq!(
            Cell::duration(Some(Duration::from_nanos(1_000_010))).machine,
            "1000.01"
        );
        assert_eq!(Cell::duration(None), Cell::new("-", ""));
    }

    #[test]
    fn numbers_rates_and_counts() {
        assert_eq!(Cell::number(12.3456), Cell::new("12.35", "12.3456"));
        assert_eq!(Cell::number(3.0), Cell::new("3", "3"));
        assert_eq!(Cell::number(-0.001), Cell::new("0", "-0.001"));
        assert_eq!(Cell::number(f64::NAN), Cell::new("n/a", ""));
        assert_eq!(Cell::count(12_345), Cell::new("12.3k", "12345"));
        assert_eq!(Cell::rate(Some(0.5)), Cell::new("0.500/s", "0.5"));
        assert_eq!(Cell::rate(None), Cell::absent());
        assert_eq!(Cell::integer(-42), Cell::text("-42"));
    }

    #[test]
    fn percentages_are_fractions_for_machines() {
        assert_eq!(Cell::percent(Some(0.1234)), Cell::new("12.3%", "0.1234"));
        assert_eq!(Cell::percent(Some(0.0)), Cell::new("0%", "0"));
        assert_eq!(Cell::change(Some(-0.045)), Cell::new("-4.50%", "-0.045"));
        assert_eq!(Cell::change(Some(f64::INFINITY)), Cell::new("n/a", ""));
        assert_eq!(Cell::percent(None), Cell::absent());
    }

    #[test]
    fn flags_and_enums_are_written_as_json_writes_them() {
        assert_eq!(Cell::flag(true, "yes", "no"), Cell::new("yes", "true"));
        assert_eq!(Cell::flag(false, "required", ""), Cell::new("", "false"));
        let presence = tv_client::math::Presence::CurrentOnly;
        assert_eq!(
            Cell::serialized(&presence, "new"),
            Cell::new("new", "current_only")
        );
        assert_eq!(Cell::serialized(&None::<u8>, "-"), Cell::new("-", ""));
        assert_eq!(Cell::serialized(&1.5, "1.5 s"), Cell::new("1.5 s", "1.5"));
    }

    #[test]
    fn times_are_utc_and_rfc3339() {
        let t = Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 30).unwrap();
        assert_eq!(
            Cell::time(t),
            Cell::new("2024-01-01 12:00", "2024-01-01T12:00:30Z")
        );
        assert_eq!(Cell::optional_time(None), Cell::absent());
    }

    #[test]
    fn sparkline_cells_keep_the_values() {
        let c = Cell::sparkline(&[Some(1.0), None, Some(2.5)], 10);
        assert_eq!(c.human, "▁ █");
        assert_eq!(c.machine, "1;;2.5");
        assert_eq!(c.tone, Tone::Plain);
    }

    #[test]
    fn toned_changes_only_the_tone() {
        let c = Cell::text("down").toned(Tone::Bad);
        assert_eq!((c.human.as_str(), c.tone), ("down", Tone::Bad));
        assert_eq!(Cell::from("x"), Cell::text("x"));
        assert_eq!(Cell::optional_text(None::<&str>), Cell::absent());
    }
}
