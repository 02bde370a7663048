//! Window-over-window comparison: this window against the one before it, overall and
//! per layer, for regression checks such as a `--fail-if-slower PCT` CI gate.
//!
//! Fetch the previous window with `time_end` = [`TimeWindow::previous_end`] of the
//! current one (same window size).
//!
//! [`TimeWindow::previous_end`]: crate::TimeWindow::previous_end

use std::collections::HashMap;
use std::time::Duration;

use chrono::TimeDelta;
use schemars::JsonSchema;
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, JsonSchema)]
pub struct WindowSummary {
    /// Traces (for an app) or calls (for a layer).
    pub volume: u64,
    /// Volume-weighted mean latency (app) or time per call (layer).
    #[serde(rename = "average_us", serialize_with = "ser_opt_us")]
    #[schemars(with = "Option<f64>")]
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
/// percentages are relative to the previous window (`+10.0` = 10 % more).
///
/// JSON: `{"current": <WindowSummary>, "previous": …, "average_delta_us", "average_change_pct",
/// "volume_delta", "volume_change_pct", "error_rate_delta"}` (absent values are null).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Comparison {
    /// This window.
    pub current: WindowSummary,
    /// The window before it.
    pub previous: WindowSummary,
    /// Change of the average latency; `None` unless both windows have one.
    #[serde(rename = "average_delta_us", serialize_with = "ser_opt_signed_us")]
    #[schemars(with = "Option<f64>")]
    pub average_delta: Option<TimeDelta>,
    /// Change of the average latency in percent of the previous one; `None` unless both
    /// windows have one and the previous one is not zero.
    #[serde(serialize_with = "ser_opt_num")]
    pub average_change_pct: Option<f64>,
    /// Change of the volume (saturating at the bounds of `i64`).
    pub volume_delta: i64,
    /// Change of the volume in percent of the previous one; `None` if that was zero.
    #[serde(serialize_with = "ser_opt_num")]
    pub volume_change_pct: Option<f64>,
    /// Change of the error rate as a fraction (0.01 = one percentage point); `None`
    /// unless both windows have one.
    #[serde(serialize_with = "ser_opt_num")]
    pub error_rate_delta: Option<f64>,
}

fn change_pct(current: f64, previous: f64) -> Option<f64> {
    (previous != 0.0).then(|| (current - previous) / previous * 100.0)
}

impl Comparison {
    /// Compares two windows.
    pub fn new(current: WindowSummary, previous: WindowSummary) -> Self {
        let averages = current.average.zip(previous.average);
        let average_delta = averages
            .and_then(|(c, p)| Some(TimeDelta::from_std(c).ok()? - TimeDelta::from_std(p).ok()?));
        let average_change_pct =
            averages.and_then(|(c, p)| change_pct(c.as_nanos() as f64, p.as_nanos() as f64));
        let volume_delta = i128::from(current.volume) - i128::from(previous.volume);
        Comparison {
            current,
            previous,
            average_delta,
            average_change_pct,
            volume_delta: i64::try_from(volume_delta).unwrap_or(if volume_delta < 0 {
                i64::MIN
            } else {
                i64::MAX
            }),
            volume_change_pct: change_pct(current.volume as f64, previous.volume as f64),
            error_rate_delta: current
                .error_rate
                .zip(previous.error_rate)
                .map(|(c, p)| c - p),
        }
    }

    /// Whether the average got slower by more than `threshold_pct` percent; `None` when
    /// the windows cannot be compared (an average missing or the previous one zero).
    pub fn slower_by_more_than(&self, threshold_pct: f64) -> Option<bool> {
        self.average_change_pct.map(|pct| pct > threshold_pct)
    }
}

/// On which side of a comparison a layer was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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

/// A comparison that got slower than a threshold, from [`WindowComparison::slowdowns`].
///
/// JSON: `{"layer": "nginx" | null, "average_change_pct": 12.5}` (`null` = the whole app).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Slowdown {
    /// The layer, or `None` for the app overall.
    pub layer: Option<String>,
    /// How much slower, in percent.
    pub average_change_pct: f64,
}

/// The whole window-over-window report: the app overall and each layer.
///
/// JSON: `{"overall": <Comparison>, "layers": [<LayerComparison>, …]}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WindowComparison {
    /// The app's latency (and error rate) against the previous window.
    pub overall: Comparison,
    /// Per layer ([`compare_layers`]); empty when layers were not compared.
    pub layers: Vec<LayerComparison>,
}

impl WindowComparison {
    /// Everything that got slower by more than `threshold_pct` percent: the overall
    /// average first, then layers present in both windows. Empty means the gate passes.
    pub fn slowdowns(&self, threshold_pct: f64) -> Vec<Slowdown> {
        let overall = self
            .overall
            .average_change_pct
            .filter(|pct| *pct > threshold_pct)
            .map(|pct| Slowdown {
                layer: None,
                average_change_pct: pct,
            });
        let layers = self
            .layers
            .iter()
            .filter(|l| l.presence == Presence::Both)
            .filter_map(|l| {
                let pct = l
                    .comparison
                    .average_change_pct
                    .filter(|pct| *pct > threshold_pct)?;
                Some(Slowdown {
                    layer: Some(l.layer.clone()),
                    average_change_pct: pct,
                })
            });
        overall.into_iter().chain(layers).collect()
    }
}

#[cfg(test)]
mod tests;
