//! The metrics a check can judge: names, units and how each is computed.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::perfdata::{Uom, format_number};
use super::{CheckData, error_rate};
use crate::math;
use crate::points::Point;

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
            Metric::Stale => format!("{number} min ago"),
        }
    }

    /// The value on `data`, or why there is none (or how to read it).
    pub(super) fn value(self, data: &CheckData) -> (Option<f64>, Option<String>) {
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
                Some(rate) => (Some(rate * 100.0), None),
                None => (None, no_traces()),
            },
            Metric::Traffic => traffic_ratio(data),
            Metric::Stale => stale_minutes(data),
        }
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

/// Minutes from the end of the last slice with traces to the end of the series (the
/// server's now); at least the whole window when no slice has traces.
fn stale_minutes(data: &CheckData) -> (Option<f64>, Option<String>) {
    let Some(series) = &data.series else {
        return (None, None);
    };
    let Some(span) = series.span() else {
        return (None, Some("the server sent no slices".into()));
    };
    let step = series.step().unwrap_or_default();
    let last = series.points().iter().rev().find(|p| p.volume > 0);
    let minutes =
        |from: chrono::DateTime<chrono::Utc>| (span.end - from).num_seconds().max(0) as f64 / 60.0;
    match last {
        Some(point) => {
            let slice_end = point.at() + chrono::Duration::from_std(step).unwrap_or_default();
            (Some(minutes(slice_end)), None)
        }
        None => (Some(minutes(span.start)), Some("at least".into())),
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
