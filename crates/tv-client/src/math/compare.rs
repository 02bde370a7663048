//! Window-over-window comparison: this window against the one before it, overall and
//! per layer; the CI gate over it is [`crate::workflow::GateRules`].
//!
//! Fetch the previous window with `time_end` = [`TimeWindow::previous_end`] of the
//! current one (same window size).
//!
//! [`TimeWindow::previous_end`]: crate::TimeWindow::previous_end

use std::collections::HashMap;
use std::time::Duration;

use chrono::TimeDelta;
use serde::Serialize;

use super::errors::estimate_errors;
use super::latency::{total_volume, weighted_mean};
use super::layers::layer_totals;
use crate::json_shape::{ser_opt_num, ser_opt_signed_us, ser_opt_us};
use crate::points::{ErrorRatePoint, LatencyPoint, LayerPoint};
use crate::series::{LayerSeries, Series};

/// One window in three numbers.
///
/// JSON: `{"volume": 3400, "average_us": 1160962.857 | null, "error_rate": 0.002 | null}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct WindowSummary {
    /// Traces (for an app) or calls (for a layer).
    pub volume: u64,
    /// Volume-weighted mean latency (app) or time per call (layer).
    #[serde(rename = "average_us", serialize_with = "ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub average: Option<Duration>,
    /// Volume-weighted error rate, 0..=1, when error rates were given.
    #[serde(serialize_with = "ser_opt_num")]
    pub error_rate: Option<f64>,
}

impl WindowSummary {
    /// Summarizes an app's window from its server (or client) latency series and,
    /// optionally, its error-rate series (weighted by the latency series' volumes).
    pub fn of_app(latency: &Series<LatencyPoint>, errors: Option<&Series<ErrorRatePoint>>) -> Self {
        WindowSummary {
            volume: total_volume(latency),
            average: weighted_mean(latency),
            error_rate: errors.and_then(|e| estimate_errors(e, latency).rate),
        }
    }

    /// Summarizes a layer's window: calls and time per call.
    pub fn of_layer(points: &[LayerPoint]) -> Self {
        let totals = layer_totals(points);
        WindowSummary {
            volume: totals.calls,
            average: totals.per_call(),
            error_rate: None,
        }
    }
}

/// The current window against the previous one. Deltas are `current − previous`;
/// relative changes are fractions of the previous window (`0.1` = 10 % more).
///
/// JSON: `{"current": <WindowSummary>, "previous": …, "average_delta_us",
/// "average_change_fraction", "volume_delta", "volume_change_fraction",
/// "error_rate_delta"}` (absent values are null).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Comparison {
    /// This window.
    pub current: WindowSummary,
    /// The window before it.
    pub previous: WindowSummary,
    /// Change of the average latency; `None` unless both windows have one.
    #[serde(rename = "average_delta_us", serialize_with = "ser_opt_signed_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub average_delta: Option<TimeDelta>,
    /// Change of the average latency as a fraction of the previous one ([`change_fraction`]).
    #[serde(serialize_with = "ser_opt_num")]
    pub average_change_fraction: Option<f64>,
    /// Change of the volume (saturating at the bounds of `i64`).
    pub volume_delta: i64,
    /// Change of the volume as a fraction of the previous one; `None` if that was zero.
    #[serde(serialize_with = "ser_opt_num")]
    pub volume_change_fraction: Option<f64>,
    /// Change of the error rate as a fraction (0.01 = one percentage point); `None`
    /// unless both windows have one.
    #[serde(serialize_with = "ser_opt_num")]
    pub error_rate_delta: Option<f64>,
}

fn relative_change(current: f64, previous: f64) -> Option<f64> {
    (previous != 0.0).then(|| (current - previous) / previous)
}

/// Relative change of a latency against the one before, as a fraction (`0.1` = 10 %
/// slower); `None` unless both are known and the previous one is not zero.
pub fn change_fraction(current: Option<Duration>, previous: Option<Duration>) -> Option<f64> {
    let (c, p) = current.zip(previous)?;
    relative_change(c.as_nanos() as f64, p.as_nanos() as f64)
}

impl Comparison {
    /// Compares two windows.
    pub fn new(current: WindowSummary, previous: WindowSummary) -> Self {
        let averages = current.average.zip(previous.average);
        let average_delta = averages
            .and_then(|(c, p)| Some(TimeDelta::from_std(c).ok()? - TimeDelta::from_std(p).ok()?));
        let volume_delta = i128::from(current.volume) - i128::from(previous.volume);
        Comparison {
            current,
            previous,
            average_delta,
            average_change_fraction: change_fraction(current.average, previous.average),
            volume_delta: i64::try_from(volume_delta).unwrap_or(if volume_delta < 0 {
                i64::MIN
            } else {
                i64::MAX
            }),
            volume_change_fraction: relative_change(current.volume as f64, previous.volume as f64),
            error_rate_delta: current
                .error_rate
                .zip(previous.error_rate)
                .map(|(c, p)| c - p),
        }
    }
}

/// On which side of a comparison a layer was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// In both windows.
    Both,
    /// Only in the current window (a new layer).
    CurrentOnly,
    /// Only in the previous window (a layer that went away).
    PreviousOnly,
}

/// One layer's [`Comparison`].
///
/// JSON: `{"layer": "nginx", "presence": "both" | "current_only" | "previous_only", "comparison": <Comparison>}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LayerComparison {
    /// The layer's name.
    pub layer: String,
    /// Where the layer was seen; the missing side compares as an empty window.
    pub presence: Presence,
    /// The layer's current window against its previous one.
    pub comparison: Comparison,
}

/// Compares each layer's time per call and calls across two windows. Layers of the
/// current window come first (in their order), then layers seen only in the previous
/// window. A layer missing on one side is compared against an empty window, so its
/// percentages are `None`.
pub fn compare_layers(current: &[LayerSeries], previous: &[LayerSeries]) -> Vec<LayerComparison> {
    let before: HashMap<&str, &LayerSeries> =
        previous.iter().map(|l| (l.layer.as_str(), l)).collect();
    let now: HashMap<&str, &LayerSeries> = current.iter().map(|l| (l.layer.as_str(), l)).collect();
    let mut out: Vec<LayerComparison> = current
        .iter()
        .map(|l| {
            let prev = before.get(l.layer.as_str());
            LayerComparison {
                layer: l.layer.clone(),
                presence: if prev.is_some() {
                    Presence::Both
                } else {
                    Presence::CurrentOnly
                },
                comparison: Comparison::new(
                    WindowSummary::of_layer(&l.series),
                    prev.map(|p| WindowSummary::of_layer(&p.series))
                        .unwrap_or_default(),
                ),
            }
        })
        .collect();
    out.extend(
        previous
            .iter()
            .filter(|l| !now.contains_key(l.layer.as_str()))
            .map(|l| LayerComparison {
                layer: l.layer.clone(),
                presence: Presence::PreviousOnly,
                comparison: Comparison::new(
                    WindowSummary::default(),
                    WindowSummary::of_layer(&l.series),
                ),
            }),
    );
    out
}

/// The whole window-over-window report: the app overall and each layer.
///
/// JSON: `{"overall": <Comparison>, "layers": [<LayerComparison>, …]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct WindowComparison {
    /// The app's latency (and error rate) against the previous window.
    pub overall: Comparison,
    /// Per layer ([`compare_layers`]); empty when layers were not compared.
    pub layers: Vec<LayerComparison>,
}

#[cfg(test)]
mod tests;
