//! Threshold ranges in the Monitoring Plugins syntax.
//!
//! | range | alert when the value is |
//! |---|---|
//! | `10` | below 0 or above 10 (outside `0..=10`) |
//! | `10:` | below 10 |
//! | `~:10` | above 10 (`~` is minus infinity) |
//! | `10:20` | below 10 or above 20 |
//! | `@10:20` | from 10 to 20, both included (inside) |
//!
//! The endpoints belong to the range: `10` does not alert on 10 itself, `@10:20` alerts
//! on 10 and 20. A start left empty (`:10`) is 0, as with a lone end.

use std::fmt;
use std::str::FromStr;

/// A threshold: alert outside `start..=end` (or inside, with `@`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdRange {
    /// Lower end; `-inf` for `~`.
    pub start: f64,
    /// Upper end; `+inf` when left open (`10:`).
    pub end: f64,
    /// `@`: alert inside the range instead of outside.
    pub inside: bool,
}

/// Why a range does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad threshold range {text:?}: {reason} (expected e.g. 10, 10:, ~:10, 10:20, @10:20)")]
pub struct ParseRangeError {
    text: String,
    reason: &'static str,
}

impl ThresholdRange {
    /// Whether `value` is an alert for this range.
    pub fn alerts(&self, value: f64) -> bool {
        let within = self.start <= value && value <= self.end;
        if self.inside { within } else { !within }
    }
}

fn number(text: &str, whole: &str) -> Result<f64, ParseRangeError> {
    let fail = |reason| ParseRangeError {
        text: whole.to_string(),
        reason,
    };
    let value: f64 = text.trim().parse().map_err(|_| fail("not a number"))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(fail("not a finite number"))
    }
}

impl FromStr for ThresholdRange {
    type Err = ParseRangeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let whole = text;
        let fail = |reason| ParseRangeError {
            text: whole.to_string(),
            reason,
        };
        let trimmed = text.trim();
        let (inside, body) = match trimmed.strip_prefix('@') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        if body.is_empty() {
            return Err(fail("empty"));
        }
        let (start, end) = match body.split_once(':') {
            Some((start, end)) => {
                let start = match start.trim() {
                    "~" => f64::NEG_INFINITY,
                    "" => 0.0,
                    s => number(s, whole)?,
                };
                let end = match end.trim() {
                    "" => f64::INFINITY,
                    e => number(e, whole)?,
                };
                (start, end)
            }
            None => (0.0, number(body, whole)?),
        };
        if start > end {
            return Err(fail("the start is above the end"));
        }
        Ok(ThresholdRange { start, end, inside })
    }
}

impl fmt::Display for ThresholdRange {
    /// The canonical text: `10`, `10:`, `~:10`, `10:20`, `@10:20`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inside {
            f.write_str("@")?;
        }
        let end = if self.end.is_infinite() {
            String::new()
        } else {
            super::perfdata::format_number(self.end)
        };
        if self.start == 0.0 && !self.end.is_infinite() {
            return f.write_str(&end);
        }
        let start = if self.start.is_infinite() {
            "~".to_string()
        } else {
            super::perfdata::format_number(self.start)
        };
        write!(f, "{start}:{end}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> ThresholdRange {
        match text.parse() {
            Ok(range) => range,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn the_guidelines_table() {
        // (range, value, alerts) from the Monitoring Plugins development guidelines.
        let cases = [
            ("10", -1.0, true),
            ("10", 0.0, false),
            ("10", 10.0, false),
            ("10", 10.1, true),
            ("10:", 9.9, true),
            ("10:", 10.0, false),
            ("10:", 1e12, false),
            ("~:10", -1e12, false),
            ("~:10", 10.0, false),
            ("~:10", 10.5, true),
            ("10:20", 9.0, true),
            ("10:20", 15.0, false),
            ("10:20", 21.0, true),
            ("@10:20", 9.0, false),
            ("@10:20", 10.0, true),
            ("@10:20", 20.0, true),
            ("@10:20", 20.5, false),
            ("@5", 0.0, true),
            ("@5", -0.1, false),
            (":3", -1.0, true),
            ("0.5:1.5", 1.0, false),
        ];
        for (text, value, alerts) in cases {
            assert_eq!(range(text).alerts(value), alerts, "{text} on {value}");
        }
    }

    #[test]
    fn bad_ranges_are_refused_with_the_text() {
        for text in ["", "@", "abc", "20:10", "1:x", "~", "nan", "inf:"] {
            let error = match text.parse::<ThresholdRange>() {
                Ok(r) => panic!("{text:?} parsed as {r:?}"),
                Err(e) => e,
            };
            assert!(error.to_string().contains(&format!("{text:?}")), "{error}");
        }
    }

    #[test]
    fn display_is_canonical_and_parses_back() {
        for (text, shown) in [
            ("10", "10"),
            ("10:", "10:"),
            ("~:10", "~:10"),
            ("10:20", "10:20"),
            ("@10:20", "@10:20"),
            (" 0.25 ", "0.25"),
            ("0:5", "5"),
            ("~:", "~:"),
        ] {
            let parsed = range(text);
            assert_eq!(parsed.to_string(), shown);
            assert_eq!(range(shown), parsed);
        }
    }
}
