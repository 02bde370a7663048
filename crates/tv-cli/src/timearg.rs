//! Times on the command line, one grammar for every time flag of every command:
//! `now`; a span before the server's now (`2h ago`); a bare span (`30d`), counted back
//! from the flag's reference (the range's end for `--since`, the server's now
//! elsewhere); epoch seconds (or milliseconds); ISO-8601. Clap parses each flag into a
//! [`TimeArg`] once; the command resolves it against the server's now.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::exit::CliError;

/// A time flag as typed: resolved once, against the server's now, by [`TimeArg::at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    /// `now`: the server's now.
    Now,
    /// `2h ago`: a span before the server's now.
    Ago(Duration),
    /// `30d`: a span back from the flag's reference (see [`TimeArg::since`]).
    Back(Duration),
    /// An instant: ISO-8601, or epoch seconds or milliseconds.
    Absolute(DateTime<Utc>),
}

/// What clap prints (after the flag's name) for a value that is not a time.
const GRAMMAR: &str =
    "use ISO-8601 (2024-01-01T12:00:00Z), epoch seconds, `now`, `2h ago`, or a span like `30d`";

impl FromStr for TimeArg {
    type Err = String;

    /// Accepted: `now`; `2h ago`, `90m ago`, `3 days ago`, `1w ago`; a span (`30d`,
    /// `12h`); epoch seconds (`1700000000`, `1700000000.5`) or milliseconds (above
    /// 10^11); RFC 3339 (`2024-01-01T12:00:00Z`, `…+02:00`); `2024-01-01 12:00[:00]`
    /// and `2024-01-01` (UTC).
    fn from_str(text: &str) -> Result<TimeArg, String> {
        let text = text.trim();
        let bad = || format!("cannot read `{text}` as a time: {GRAMMAR}");
        if text.eq_ignore_ascii_case("now") {
            return Ok(TimeArg::Now);
        }
        if let Some(span) = text.strip_suffix("ago") {
            return humantime::parse_duration(span.trim())
                .map(TimeArg::Ago)
                .map_err(|_| bad());
        }
        if let Ok(number) = text.parse::<f64>() {
            return tv_client::wire_units::epoch_to_datetime(number)
                .map(TimeArg::Absolute)
                .ok_or_else(bad);
        }
        if let Ok(span) = humantime::parse_duration(text) {
            return Ok(TimeArg::Back(span));
        }
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            return Ok(TimeArg::Absolute(time.with_timezone(&Utc)));
        }
        for format in [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
                return Ok(TimeArg::Absolute(Utc.from_utc_datetime(&naive)));
            }
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|date| date.and_hms_opt(0, 0, 0))
            .map(|t| TimeArg::Absolute(Utc.from_utc_datetime(&t)))
            .ok_or_else(bad)
    }
}

impl TimeArg {
    /// Whether resolving it needs the server's now.
    pub fn is_relative(self) -> bool {
        !matches!(self, TimeArg::Absolute(_))
    }

    /// The instant, with `now` the server's now (a bare span counts back from it).
    pub fn at(self, now: DateTime<Utc>) -> Result<DateTime<Utc>, CliError> {
        self.from_reference(now, now)
    }

    /// The instant of a `--since` whose range ends at `end`: a bare span counts back
    /// from `end`, everything else as [`TimeArg::at`].
    pub fn since(self, end: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, CliError> {
        self.from_reference(end, now)
    }

    fn from_reference(
        self,
        reference: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, CliError> {
        let before = |from: DateTime<Utc>, span: Duration| {
            chrono::Duration::from_std(span)
                .ok()
                .and_then(|span| from.checked_sub_signed(span))
                .ok_or_else(|| {
                    CliError::usage(format!(
                        "{} before {} is out of range",
                        humantime::format_duration(span),
                        from.format("%Y-%m-%d %H:%M:%S UTC")
                    ))
                })
        };
        match self {
            TimeArg::Now => Ok(now),
            TimeArg::Ago(span) => before(now, span),
            TimeArg::Back(span) => before(reference, span),
            TimeArg::Absolute(at) => Ok(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 3, 12, 0, 0).unwrap()
    }

    fn at(text: &str) -> String {
        let arg: TimeArg = text.parse().unwrap();
        arg.at(now()).unwrap().to_rfc3339()
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(at("now"), "2024-01-03T12:00:00+00:00");
        assert_eq!(at("2h ago"), "2024-01-03T10:00:00+00:00");
        assert_eq!(at("3 days ago"), "2023-12-31T12:00:00+00:00");
        assert_eq!(at("2h"), "2024-01-03T10:00:00+00:00");
        assert_eq!(at("1704283200"), "2024-01-03T12:00:00+00:00");
        assert_eq!(at("1704283200000"), "2024-01-03T12:00:00+00:00");
        assert_eq!(at("2024-01-03T13:00:00+01:00"), "2024-01-03T12:00:00+00:00");
        assert_eq!(at("2024-01-02 08:30"), "2024-01-02T08:30:00+00:00");
        assert_eq!(at("2024-01-02"), "2024-01-02T00:00:00+00:00");
    }

    #[test]
    fn a_bare_span_counts_back_from_the_reference_an_ago_from_now() {
        let end = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let since = |text: &str| {
            let arg: TimeArg = text.parse().unwrap();
            arg.since(end, now()).unwrap().to_rfc3339()
        };
        assert_eq!(since("1d"), "2023-12-31T00:00:00+00:00");
        assert_eq!(since("1d ago"), "2024-01-02T12:00:00+00:00");
        assert_eq!(since("now"), "2024-01-03T12:00:00+00:00");
    }

    #[test]
    fn only_absolute_times_need_no_server_now() {
        for (text, relative) in [
            ("now", true),
            ("2h ago", true),
            ("2h", true),
            ("2024-01-02", false),
        ] {
            assert_eq!(
                text.parse::<TimeArg>().unwrap().is_relative(),
                relative,
                "{text}"
            );
        }
    }

    #[test]
    fn nonsense_is_refused_with_the_grammar() {
        for text in ["yesterday-ish", "ago", "-5", "2024-13-01", "next tuesday"] {
            let error = text.parse::<TimeArg>().unwrap_err();
            assert!(error.contains("ISO-8601"), "{text}: {error}");
        }
    }

    #[test]
    fn a_span_past_the_calendar_is_a_usage_error() {
        let arg: TimeArg = "100000000d ago".parse().unwrap();
        let error = arg.at(now()).unwrap_err();
        assert_eq!(error.exit, crate::exit::Exit::Usage);
    }
}
