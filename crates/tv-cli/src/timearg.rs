//! Times on the command line: ISO-8601, epoch seconds (or milliseconds), `now`, or
//! relative like `2h ago`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::exit::CliError;

/// Whether `text` is a time relative to now (`now`, `2h ago`), which needs the
/// server's now to be read.
pub fn is_relative(text: &str) -> bool {
    let text = text.trim();
    text.eq_ignore_ascii_case("now") || text.ends_with("ago")
}

/// Parses a time given by a user, relative to `now` (the server's, see
/// `commands::reference_time`).
///
/// Accepted: `now`; `2h ago`, `90m ago`, `3 days ago`, `1w ago`; epoch seconds
/// (`1700000000`, `1700000000.5`) or milliseconds (above 10^11); RFC 3339
/// (`2024-01-01T12:00:00Z`, `…+02:00`); `2024-01-01 12:00[:00]` and `2024-01-01` (UTC).
pub fn parse_time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, CliError> {
    let text = text.trim();
    let bad = || {
        CliError::usage(format!(
            "cannot read `{text}` as a time: use ISO-8601 (2024-01-01T12:00:00Z), epoch seconds, or `2h ago`"
        ))
    };
    if text.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Some(span) = text.strip_suffix("ago") {
        let span = humantime::parse_duration(span.trim()).map_err(|_| bad())?;
        let span = chrono::Duration::from_std(span).map_err(|_| bad())?;
        return now.checked_sub_signed(span).ok_or_else(bad);
    }
    if let Ok(number) = text.parse::<f64>() {
        return tv_client::wire_units::epoch_to_datetime(number).ok_or_else(bad);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Utc.from_utc_datetime(&naive));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date
            .and_hms_opt(0, 0, 0)
            .map(|t| Utc.from_utc_datetime(&t))
            .ok_or_else(bad);
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 3, 12, 0, 0).unwrap()
    }

    #[test]
    fn accepted_forms() {
        let at = |s: &str| parse_time(s, now()).unwrap().to_rfc3339();
        assert_eq!(at("now"), "2024-01-03T12:00:00+00:00");
        assert_eq!(at("2h ago"), "2024-01-03T10:00:00+00:00");
        assert_eq!(at("3 days ago"), "2023-12-31T12:00:00+00:00");
        assert_eq!(at("1704283200"), "2024-01-03T12:00:00+00:00");
        assert_eq!(at("1704283200000"), "2024-01-03T12:00:00+00:00");
        assert_eq!(at("2024-01-03T13:00:00+01:00"), "2024-01-03T12:00:00+00:00");
        assert_eq!(at("2024-01-02 08:30"), "2024-01-02T08:30:00+00:00");
        assert_eq!(at("2024-01-02"), "2024-01-02T00:00:00+00:00");
    }

    #[test]
    fn nonsense_is_a_usage_error() {
        for text in ["yesterday-ish", "2h", "ago", "-5", "2024-13-01"] {
            let error = parse_time(text, now()).unwrap_err();
            assert_eq!(error.exit, crate::exit::Exit::Usage, "{text}");
            assert!(error.message.contains("ISO-8601"), "{}", error.message);
        }
    }
}
