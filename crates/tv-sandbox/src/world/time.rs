//! Parsing of the time parameters (`time_end`, `since_time`, `time_start`, `time`).
//!
//! Per the project decisions a time may be seconds or milliseconds since the epoch (a
//! value above 10^11 is milliseconds), integer or float, or (for every parameter, which
//! is a superset of what the reference requires) an ISO-8601 date-time. Results are whole
//! seconds since the epoch, rounded down.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::error::WorldError;
use super::window::MAX_TIME;

/// Values above this are milliseconds.
const MILLIS_THRESHOLD: f64 = 1e11;

/// The latest accepted instant: 9999-12-31T23:59:59Z.
const MAX_SECONDS: i64 = MAX_TIME;

/// Parses a time parameter named `param` into seconds since the epoch.
///
/// Accepts `1700000000`, `1700000000.5`, `1700000000000` (ms), `2023-11-14T22:13:20Z`,
/// `2023-11-14T22:13:20+01:00`, `2023-11-14T22:13:20` and `2023-11-14 22:13:20` (UTC),
/// and `2023-11-14` (midnight UTC). Negative, non-finite or far-future values are a
/// [`WorldError::BadRequest`] naming `param`.
pub fn parse_instant(param: &str, value: &str) -> Result<i64, WorldError> {
    parse_with(param, value, Some(MILLIS_THRESHOLD))
}

/// Like [`parse_instant`], but a number is always seconds: for the sandbox's own
/// `from`/`to` (the incidents' range), where `253402300799` must be 9999-12-31, not a
/// day of 1978 read as milliseconds.
pub fn parse_instant_seconds(param: &str, value: &str) -> Result<i64, WorldError> {
    parse_with(param, value, None)
}

fn parse_with(param: &str, value: &str, millis_above: Option<f64>) -> Result<i64, WorldError> {
    let v = value.trim();
    let bad = || {
        WorldError::BadRequest(format!(
            "{param} must be {} since the epoch or an ISO-8601 date-time (got {value:?})",
            if millis_above.is_some() {
                "seconds or milliseconds"
            } else {
                "seconds"
            }
        ))
    };
    if v.is_empty() {
        return Err(bad());
    }
    let seconds = if let Ok(n) = v.parse::<f64>() {
        if !n.is_finite() || n < 0.0 {
            return Err(bad());
        }
        let s = match millis_above {
            Some(threshold) if n > threshold => n / 1000.0,
            _ => n,
        };
        if s > MAX_SECONDS as f64 {
            return Err(bad());
        }
        s.floor() as i64
    } else if let Ok(dt) = DateTime::parse_from_rfc3339(v) {
        dt.timestamp()
    } else if let Ok(dt) = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f") {
        dt.and_utc().timestamp()
    } else if let Ok(dt) = NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S%.f") {
        dt.and_utc().timestamp()
    } else if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0)
            .ok_or_else(bad)?
            .and_utc()
            .timestamp()
    } else {
        return Err(bad());
    };
    if !(0..=MAX_SECONDS).contains(&seconds) {
        return Err(bad());
    }
    Ok(seconds)
}

/// Like [`parse_instant`] for an optional parameter; an absent or empty value is `None`.
pub fn parse_optional_instant(param: &str, value: Option<&str>) -> Result<Option<i64>, WorldError> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => parse_instant(param, v).map(Some),
    }
}

/// Like [`parse_instant_seconds`] for an optional parameter.
pub fn parse_optional_instant_seconds(
    param: &str,
    value: Option<&str>,
) -> Result<Option<i64>, WorldError> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => parse_instant_seconds(param, v).map(Some),
    }
}

/// Midnight UTC of the day containing `t`.
pub(crate) fn midnight(t: i64) -> i64 {
    t.div_euclid(86_400) * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_incidents_range_is_in_seconds() {
        assert_eq!(
            parse_instant_seconds("to", "253402300799"),
            Ok(253_402_300_799)
        );
        assert_eq!(parse_instant("to", "253402300799"), Ok(253_402_300));
        assert!(parse_instant_seconds("to", "253402300800").is_err());
        assert_eq!(
            parse_instant_seconds("to", "2024-01-03T00:00:00Z"),
            Ok(1_704_240_000)
        );
    }

    #[test]
    fn seconds_and_milliseconds() {
        assert_eq!(parse_instant("time_end", "1378931430"), Ok(1_378_931_430));
        assert_eq!(parse_instant("time_end", "1378931430.9"), Ok(1_378_931_430));
        assert_eq!(
            parse_instant("time_end", "1378931430000"),
            Ok(1_378_931_430)
        );
        assert_eq!(
            parse_instant("time_end", "1378931430999.0"),
            Ok(1_378_931_430)
        );
        assert_eq!(parse_instant("time_end", " 0 "), Ok(0));
    }

    #[test]
    fn iso_8601() {
        assert_eq!(
            parse_instant("t", "2014-06-16T00:00:00Z"),
            Ok(1_402_876_800)
        );
        assert_eq!(
            parse_instant("t", "2014-06-16T02:00:00+02:00"),
            Ok(1_402_876_800)
        );
        assert_eq!(
            parse_instant("t", "2014-06-16T00:00:00.250"),
            Ok(1_402_876_800)
        );
        assert_eq!(parse_instant("t", "2014-06-16 00:00:00"), Ok(1_402_876_800));
        assert_eq!(parse_instant("t", "2014-06-16"), Ok(1_402_876_800));
    }

    #[test]
    fn garbage_names_the_parameter() {
        for bad in ["", "yesterday", "-5", "NaN", "inf", "1e300", "2014-13-01"] {
            let err = parse_instant("time_end", bad).unwrap_err();
            assert!(matches!(err, WorldError::BadRequest(_)));
            assert!(err.message().starts_with("time_end"), "{err}");
        }
        assert_eq!(parse_optional_instant("since_time", Some("")), Ok(None));
        assert_eq!(parse_optional_instant("since_time", None), Ok(None));
    }

    #[test]
    fn midnight_floors() {
        assert_eq!(midnight(1_402_876_800 + 3_599), 1_402_876_800);
    }
}
