//! The typed records of the non-timeseries endpoints: hosts, versions, annotations,
//! the organization, and the two summaries.
//!
//! Times are `DateTime<Utc>` (the wire sends seconds since the epoch), latencies are
//! `Duration`s (the wire sends microseconds). All of them serialize to JSON with stable
//! field names and derive `JsonSchema`; durations appear as exact microseconds in
//! fields ending in `_us`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Error;
use crate::wire_units::{duration_from_micros, epoch_to_datetime};

/// A host running TraceView instrumentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Host {
    /// The host's id (for versions and deletion).
    pub id: i64,
    /// The host's name.
    pub name: String,
    /// First heartbeat received from the host.
    pub first_heartbeat: DateTime<Utc>,
    /// Latest heartbeat received from the host.
    pub last_heartbeat: DateTime<Utc>,
    /// Latest trace from the host; `None` when it never traced.
    pub last_trace: Option<DateTime<Utc>>,
}

/// One instrumentation component installed on a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct InstrumentationVersion {
    /// The component, e.g. `tracelyzer` or `nginx`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// When that version was released (midnight UTC).
    pub release_date: DateTime<Utc>,
    /// Whether TraceView asks for an update.
    pub update_required: bool,
    /// `linux` or `windows` when the instrumentation reports it.
    pub platform: Option<String>,
}

/// An annotation: an event drawn on the charts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Annotation {
    /// The annotation's id.
    pub id: i64,
    /// Its text.
    pub message: String,
    /// When the event happened.
    pub time: DateTime<Utc>,
    /// Who recorded it.
    pub username: Option<String>,
    /// The host's name it is attached to.
    pub host: Option<String>,
    /// The id (not the name) of the app it is attached to.
    pub app_id: Option<i64>,
}

/// The organization (account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Organization {
    /// Short name.
    pub name: String,
    /// Full name.
    pub fullname: String,
}

/// A user of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct User {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Whether the user is an admin.
    pub admin: bool,
}

/// Hosts reporting traces against the licensed number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Licenses {
    /// Hosts currently reporting.
    pub hosts_used: i64,
    /// Hosts licensed.
    pub hosts_limit: i64,
    /// `hosts_used / hosts_limit` (1 is the whole license, above 1 is over it); `null`
    /// when nothing is licensed.
    pub usage: Option<f64>,
}

impl Licenses {
    /// The licenses of `hosts_used` hosts reporting out of `hosts_limit`, with their usage.
    pub fn new(hosts_used: i64, hosts_limit: i64) -> Licenses {
        let usage = (hosts_limit > 0).then(|| hosts_used as f64 / hosts_limit as f64);
        Licenses {
            hosts_used,
            hosts_limit,
            usage,
        }
    }
}

/// Latency over a window (server or client side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LatencySummary {
    /// Traces (or page views) in the window.
    pub count: u64,
    /// Their volume-weighted average latency; `None` without traces.
    #[serde(
        rename = "average_us",
        serialize_with = "crate::json_shape::ser_opt_us"
    )]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub average: Option<Duration>,
    /// Average latency of the most recent minute (hour window), 15 minutes (day) or
    /// hour (week); `None` without recent traces.
    #[serde(rename = "latest_us", serialize_with = "crate::json_shape::ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub latest: Option<Duration>,
}

/// All requests over a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RequestsSummary {
    /// Requests in the window (traced or not).
    pub total_requests: u64,
    /// The average rate the server reported, per second (parsed from e.g. `19.61/sec`).
    pub per_second: Option<f64>,
    /// The rate exactly as the server wrote it.
    pub rate_text: String,
}

/// Parameters of `assign_app`: put a host into an app, optionally creating the app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    /// Target app (at most 40 characters, not `Default`).
    pub app: String,
    /// The host to assign.
    pub host: String,
    /// The app's entry layer; needed when the app has no layer yet.
    pub layer: Option<String>,
    /// Tags to attach (created when unknown). Names cannot contain commas or spaces.
    pub tags: Vec<String>,
    /// Create the app when it does not exist.
    pub create: bool,
}

/// Parameters of `log_message`: a new annotation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAnnotation {
    /// The annotation text (required).
    pub message: String,
    /// App to attach it to.
    pub app: Option<String>,
    /// Host to attach it to.
    pub host: Option<String>,
    /// Who made the change.
    pub user: Option<String>,
    /// Layer to attach it to.
    pub layer: Option<String>,
    /// When it happened (default: now, as decided by the server).
    pub time: Option<DateTime<Utc>>,
}

fn time(path: &str, seconds: i64) -> Result<DateTime<Utc>, Error> {
    epoch_to_datetime(seconds as f64)
        .ok_or_else(|| Error::decode(path, "timestamp out of range", &seconds.to_string()))
}

impl Host {
    pub(crate) fn from_wire(index: usize, host: tv_api::types::Host) -> Result<Self, Error> {
        let path = |field: &str| format!("data[{index}].{field}");
        Ok(Host {
            id: host.id,
            name: host.name,
            first_heartbeat: time(&path("first_heartbeat"), host.first_heartbeat)?,
            last_heartbeat: time(&path("last_heartbeat"), host.last_heartbeat)?,
            last_trace: host
                .last_trace
                .map(|t| time(&path("last_trace"), t))
                .transpose()?,
        })
    }
}

impl InstrumentationVersion {
    pub(crate) fn from_wire(
        index: usize,
        v: tv_api::types::InstrumentationVersion,
    ) -> Result<Self, Error> {
        Ok(InstrumentationVersion {
            release_date: time(&format!("data[{index}].release_date"), v.release_date)?,
            name: v.name,
            version: v.version,
            update_required: v.update_required,
            platform: v.platform,
        })
    }
}

impl Annotation {
    pub(crate) fn from_wire(index: usize, a: tv_api::types::Annotation) -> Result<Self, Error> {
        Ok(Annotation {
            time: time(&format!("data[{index}].time"), a.time)?,
            id: a.id,
            message: a.message,
            username: a.username,
            host: a.host,
            app_id: a.app,
        })
    }
}

impl LatencySummary {
    pub(crate) fn from_wire(s: tv_api::types::LatencySummary) -> Result<Self, Error> {
        let raw_count = s.count.or(s.volume).unwrap_or(0.0);
        if !(raw_count.is_finite() && raw_count >= 0.0 && raw_count.fract() == 0.0) {
            return Err(Error::decode(
                "data.count",
                "not a whole, non-negative count",
                &raw_count.to_string(),
            ));
        }
        let micros = |field: &str, value: Option<f64>| -> Result<Option<Duration>, Error> {
            match value {
                None => Ok(None),
                Some(v) if raw_count == 0.0 && v == 0.0 => Ok(None),
                Some(v) => duration_from_micros(v).map(Some).ok_or_else(|| {
                    Error::decode(
                        format!("data.{field}"),
                        "not a valid latency",
                        &v.to_string(),
                    )
                }),
            }
        };
        Ok(LatencySummary {
            count: raw_count as u64,
            average: micros("average", s.average)?,
            latest: micros("latest", s.latest)?,
        })
    }
}

impl RequestsSummary {
    pub(crate) fn from_wire(s: tv_api::types::TotalRequestsSummary) -> Result<Self, Error> {
        let total = s.total_requests;
        if !(total.is_finite() && total >= 0.0 && total.fract() == 0.0) {
            return Err(Error::decode(
                "data.total_requests",
                "not a whole, non-negative count",
                &total.to_string(),
            ));
        }
        Ok(RequestsSummary {
            total_requests: total as u64,
            per_second: parse_rate(&s.reqs_per_time_period),
            rate_text: s.reqs_per_time_period,
        })
    }
}

/// Parses `"19.61/sec"` (also `/min`, `/hour`) into requests per second.
pub fn parse_rate(text: &str) -> Option<f64> {
    let (number, unit) = text.trim().split_once('/')?;
    let value: f64 = number.trim().parse().ok()?;
    let per = match unit.trim() {
        "sec" | "s" | "second" => 1.0,
        "min" | "minute" => 60.0,
        "hour" | "h" => 3600.0,
        _ => return None,
    };
    Some(value / per).filter(|v| v.is_finite() && *v >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_with_their_unit() {
        assert_eq!(parse_rate("19.61/sec"), Some(19.61));
        assert_eq!(parse_rate("120/min"), Some(2.0));
        assert_eq!(parse_rate("fast"), None);
        assert_eq!(parse_rate("1/fortnight"), None);
    }

    #[test]
    fn summaries_accept_count_or_volume() {
        let wire = tv_api::types::LatencySummary {
            count: None,
            volume: Some(93.0),
            average: Some(1500.0),
            latest: None,
        };
        let summary = LatencySummary::from_wire(wire).unwrap();
        assert_eq!(summary.count, 93);
        assert_eq!(summary.average, Some(Duration::from_micros(1500)));
        assert_eq!(summary.latest, None);
    }

    #[test]
    fn an_empty_summary_has_no_average_even_when_zero_is_sent() {
        let wire = tv_api::types::LatencySummary {
            count: Some(0.0),
            volume: None,
            average: Some(0.0),
            latest: Some(0.0),
        };
        let summary = LatencySummary::from_wire(wire).unwrap();
        assert_eq!(
            (summary.count, summary.average, summary.latest),
            (0, None, None)
        );
    }

    #[test]
    fn a_fractional_count_is_a_decode_error() {
        let wire = tv_api::types::LatencySummary {
            count: Some(2.5),
            volume: None,
            average: None,
            latest: None,
        };
        let error = LatencySummary::from_wire(wire).unwrap_err();
        assert!(error.to_string().contains("data.count"), "{error}");
    }
}
