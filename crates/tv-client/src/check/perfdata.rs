//! Performance data: `'label'=value[UOM];[warn];[crit];[min];[max]`.
//!
//! Labels are always quoted (a `'` inside is doubled); numbers are plain decimals
//! (`[-0-9.]`, never an exponent, at most 6 decimals); a value that could not be
//! determined is `U`; trailing empty fields are dropped.

use std::fmt;

use super::range::ThresholdRange;

/// A unit of measurement of performance data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uom {
    /// A plain number of things (ratios, minutes).
    Number,
    /// Milliseconds (`ms`).
    Milliseconds,
    /// A percentage (`%`).
    Percent,
}

impl Uom {
    /// The suffix written after the value.
    pub fn suffix(self) -> &'static str {
        match self {
            Uom::Number => "",
            Uom::Milliseconds => "ms",
            Uom::Percent => "%",
        }
    }
}

/// One performance datum.
#[derive(Debug, Clone, PartialEq)]
pub struct PerfDatum {
    /// The label (any text; quoted on output).
    pub label: String,
    /// The value; `None` writes `U` (could not be determined).
    pub value: Option<f64>,
    /// Its unit.
    pub uom: Uom,
    /// The warning range.
    pub warning: Option<ThresholdRange>,
    /// The critical range.
    pub critical: Option<ThresholdRange>,
    /// The smallest possible value.
    pub min: Option<f64>,
    /// The largest possible value.
    pub max: Option<f64>,
}

/// A number as performance data wants it: decimal, no exponent, at most 6 decimals,
/// no trailing zeros (`1.5`, `0.000123`, `12`).
pub fn format_number(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    match text {
        "-0" | "" => "0".to_string(),
        t => t.to_string(),
    }
}

impl fmt::Display for PerfDatum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = self.label.replace('\'', "''");
        let value = match self.value {
            Some(v) => format!("{}{}", format_number(v), self.uom.suffix()),
            None => "U".to_string(),
        };
        let fields = [
            self.warning.map(|r| r.to_string()),
            self.critical.map(|r| r.to_string()),
            self.min.map(format_number),
            self.max.map(format_number),
        ];
        let used = fields
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |i| i + 1);
        write!(f, "'{label}'={value}")?;
        for field in &fields[..used] {
            write!(f, ";{}", field.as_deref().unwrap_or(""))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datum(value: Option<f64>, uom: Uom) -> PerfDatum {
        PerfDatum {
            label: "latency".into(),
            value,
            uom,
            warning: None,
            critical: None,
            min: None,
            max: None,
        }
    }

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(1.23e-4), "0.000123");
        assert_eq!(format_number(1e-9), "0");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(-2.25), "-2.25");
        assert_eq!(format_number(3e15), "3000000000000000");
    }

    #[test]
    fn full_datum() {
        let d = PerfDatum {
            warning: "500".parse().ok(),
            critical: "@1000:2000".parse().ok(),
            min: Some(0.0),
            max: Some(100.0),
            ..datum(Some(152.34), Uom::Milliseconds)
        };
        assert_eq!(d.to_string(), "'latency'=152.34ms;500;@1000:2000;0;100");
    }

    #[test]
    fn trailing_empty_fields_are_dropped_inner_ones_kept() {
        assert_eq!(datum(Some(1.0), Uom::Percent).to_string(), "'latency'=1%");
        let d = PerfDatum {
            critical: "5".parse().ok(),
            ..datum(Some(1.0), Uom::Percent)
        };
        assert_eq!(d.to_string(), "'latency'=1%;;5");
        let d = PerfDatum {
            min: Some(0.0),
            ..datum(None, Uom::Number)
        };
        assert_eq!(d.to_string(), "'latency'=U;;;0");
    }

    #[test]
    fn labels_are_quoted_and_quotes_doubled() {
        let d = PerfDatum {
            label: "it's a = label".into(),
            ..datum(Some(2.0), Uom::Number)
        };
        assert_eq!(d.to_string(), "'it''s a = label'=2");
    }
}
