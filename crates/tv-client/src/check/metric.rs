//! The metrics a check can judge: names, units and how each is computed.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::perfdata::{Uom, format_number};
use super::staleness::{STALE_HORIZON, Staleness, staleness};
use super::{CheckData, Status, error_rate};
use crate::math;
use crate::window::TimeWindow;

/// A metric's value, why it has none (or how to read it), and a state that overrides
/// the thresholds.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reading {
    pub(super) value: Option<f64>,
    pub(super) note: Option<String>,
    pub(super) forced: Option<Status>,
}

impl Reading {
    fn of(value: Option<f64>, note: Option<String>) -> Reading {
        Reading {
            value,
            note,
            forced: None,
        }
    }
}

/// A metric of [`run_check`](super::run_check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Average request latency over the window, in milliseconds.
    Latency,
    /// Latency of the most recent slice the server reports, in milliseconds.
    Latest,
    /// Share of traces with an error over the window, in percent.
    ErrorRate,
    /// Traces in the window ÷ traces in the window before (a drop is below 1).
    Traffic,
    /// Minutes since the end of the last slice with traces.
    Stale,
}

impl Metric {
    /// Every metric, in documentation order.
    pub const ALL: [Metric; 5] = [
        Metric::Latency,
        Metric::Latest,
        Metric::ErrorRate,
        Metric::Traffic,
        Metric::Stale,
    ];

    /// The name on the command line (`latency`, `latest`, `error-rate`, `traffic`, `stale`).
    pub fn name(self) -> &'static str {
        match self {
            Metric::Latency => "latency",
            Metric::Latest => "latest",
            Metric::ErrorRate => "error-rate",
            Metric::Traffic => "traffic",
            Metric::Stale => "stale",
        }
    }

    /// The performance-data label.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Latency => "latency",
            Metric::Latest => "latest",
            Metric::ErrorRate => "error_rate",
            Metric::Traffic => "traffic_ratio",
            Metric::Stale => "stale_minutes",
        }
    }

    /// The unit of the value and of its thresholds.
    pub fn uom(self) -> Uom {
        match self {
            Metric::Latency | Metric::Latest => Uom::Milliseconds,
            Metric::ErrorRate => Uom::Percent,
            Metric::Traffic | Metric::Stale => Uom::Number,
        }
    }

    /// The perfdata minimum and maximum.
    pub(super) fn bounds(self) -> (Option<f64>, Option<f64>) {
        match self {
            Metric::ErrorRate => (Some(0.0), Some(100.0)),
            _ => (Some(0.0), None),
        }
    }

    /// The words of the status line.
    pub(super) fn description(self) -> &'static str {
        match self {
            Metric::Latency => "average latency",
            Metric::Latest => "latest latency",
            Metric::ErrorRate => "error rate",
            Metric::Traffic => "traffic vs the window before",
            Metric::Stale => "last traces",
        }
    }

    /// A value with its unit, for the status line.
    pub(super) fn show(self, value: f64) -> String {
        let number = format_number((value * 1000.0).round() / 1000.0);
        match self {
            Metric::Latency | Metric::Latest => format!("{number} ms"),
            Metric::ErrorRate => format!("{number}%"),
            Metric::Traffic => format!("×{number}"),
            Metric::Stale if value >= 60.0 => {
                format!("{number} min ago ({})", days_hours_minutes(value))
            }
            Metric::Stale => format!("{number} min ago"),
        }
    }

    /// The reading on `data` of a check over `window`.
    pub(super) fn reading(self, data: &CheckData, window: TimeWindow) -> Reading {
        match self {
            Metric::Stale => stale_reading(data, window),
            _ => {
                let (value, note) = self.value(data);
                Reading::of(value, note)
            }
        }
    }

    /// The value on `data`, or why there is none (or how to read it).
    fn value(self, data: &CheckData) -> (Option<f64>, Option<String>) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let no_traces = || Some("no traces in the window".to_string());
        match self {
            Metric::Latency => match data.summary.and_then(|s| s.average) {
                Some(average) => (Some(ms(average)), None),
                None => (None, no_traces()),
            },
            Metric::Latest => match data.summary.and_then(|s| s.latest) {
                Some(latest) => (Some(ms(latest)), None),
                None => (None, Some("no recent traces".into())),
            },
            Metric::ErrorRate => match error_rate(data) {
                Ok(rate) => (Some(rate * 100.0), None),
                Err(why) => (None, Some(why)),
            },
            Metric::Traffic => traffic_ratio(data),
            Metric::Stale => (None, None),
        }
    }
}

/// Minutes as days, hours and minutes for people (`3d 8h 43m`, `5h 0m`): the status
/// line gives thresholds in minutes, and 4723.583 minutes is hard to read as 3 days.
fn days_hours_minutes(minutes: f64) -> String {
    let total = minutes.round() as u64;
    let (days, hours, minutes) = (total / 1440, total / 60 % 24, total % 60);
    if days > 0 {
        format!("{days}d {hours}h {minutes}m")
    } else {
        format!("{hours}h {minutes}m")
    }
}

fn traffic_ratio(data: &CheckData) -> (Option<f64>, Option<String>) {
    let (Some(current), Some(previous)) = (&data.series, &data.previous) else {
        return (None, Some("no window before".into()));
    };
    let before = math::total_volume(previous.points());
    if before == 0 {
        return (None, Some("no traces in the window before".into()));
    }
    let now = math::total_volume(current.points());
    (Some(now as f64 / before as f64), None)
}

/// The stale metric's reading: minutes, or more than the horizon (CRITICAL whatever the
/// thresholds), or why it is unknown.
fn stale_reading(data: &CheckData, window: TimeWindow) -> Reading {
    match staleness(data, window) {
        Staleness::Minutes(minutes) => Reading::of(Some(minutes), None),
        Staleness::BeyondHorizon => Reading {
            value: Some(STALE_HORIZON.duration().as_secs_f64() / 60.0),
            note: Some("more than".into()),
            forced: Some(Status::Critical),
        },
        Staleness::Unknown(why) => Reading::of(None, Some(why)),
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown metric name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown metric {0:?} (expected latency, latest, error-rate, traffic or stale)")]
pub struct ParseMetricError(String);

impl FromStr for Metric {
    type Err = ParseMetricError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == text.trim())
            .ok_or_else(|| ParseMetricError(text.to_string()))
    }
}
