//! The CI gate over a window-over-window comparison: rules that catch incidents and
//! stay quiet otherwise.

use std::time::Duration;

use serde::Serialize;

use super::gate_checks::{RuleCheck, checks};
use crate::error::Error;
use crate::json_shape::{ser_opt_num, ser_us};
use crate::math::{Comparison, LayerComparison, Presence, WindowComparison};
use crate::units::format_duration;

/// What the gate checks. The app's request latency always counts; a layer counts only
/// when it carries at least `min_share` of the request time and `min_calls` calls in
/// each window; a layer below those floors still trips when its time per call grew
/// more than `severe_layer_factor` times, with `severe_min_calls` calls in each window
/// (a dependency that got several times slower is a regression even where it carries
/// little of the time); no latency rule trips on a change smaller than `min_delta`.
///
/// JSON: `{"max_slowdown_fraction", "min_delta_us", "min_share_fraction", "min_calls",
/// "severe_layer_factor", "severe_min_calls", "max_error_increase_fraction",
/// "max_traffic_drop_fraction"}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct GateRules {
    /// Trip when a latency is slower by more than this fraction (`0.1` = 10 %);
    /// `None`: latency does not gate.
    #[serde(serialize_with = "ser_opt_num")]
    pub max_slowdown_fraction: Option<f64>,
    /// A latency trips only when it also grew by more than this (an absolute floor, so
    /// that tiny latencies cannot trip it).
    #[serde(rename = "min_delta_us", serialize_with = "ser_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "f64"))]
    pub min_delta: Duration,
    /// A layer counts only with at least this fraction of the request time (0..1).
    pub min_share_fraction: f64,
    /// A layer counts only with at least this many calls in each window.
    pub min_calls: u64,
    /// Part of the latency rule (judged only with `max_slowdown_fraction`): a layer the
    /// floors above leave out trips when its time per call grew more than this many
    /// times (`3.0`: three times as slow), whatever its share; `None`: off.
    #[serde(serialize_with = "ser_opt_num")]
    pub severe_layer_factor: Option<f64>,
    /// The calls a layer needs in each window for `severe_layer_factor`.
    pub severe_min_calls: u64,
    /// Trip when the error rate rose by more than this fraction (`0.01` = one
    /// percentage point); `None`: errors do not gate.
    #[serde(serialize_with = "ser_opt_num")]
    pub max_error_increase_fraction: Option<f64>,
    /// Trip when the app's traced requests fell by more than this fraction (`0.5`:
    /// more than half of them gone); `None`: traffic does not gate.
    #[serde(serialize_with = "ser_opt_num")]
    pub max_traffic_drop_fraction: Option<f64>,
}

/// The traffic rule a gate gets when only other rules are given: trip when more than
/// half of the traced requests vanished.
pub const DEFAULT_MAX_TRAFFIC_DROP: f64 = 0.5;

/// The default `severe_layer_factor`: a layer three times as slow per call.
pub const DEFAULT_SEVERE_LAYER_FACTOR: f64 = 3.0;

/// The default `severe_min_calls`.
pub const DEFAULT_SEVERE_MIN_CALLS: u64 = 20;

impl Default for GateRules {
    /// 10 % slower and at least 5 ms; layers with 20 % of the time and 100 calls, or
    /// three times as slow with 20 calls; the error rate does not gate.
    fn default() -> Self {
        GateRules {
            max_slowdown_fraction: Some(0.10),
            min_delta: Duration::from_millis(5),
            min_share_fraction: 0.20,
            min_calls: 100,
            severe_layer_factor: Some(DEFAULT_SEVERE_LAYER_FACTOR),
            severe_min_calls: DEFAULT_SEVERE_MIN_CALLS,
            max_error_increase_fraction: None,
            max_traffic_drop_fraction: Some(DEFAULT_MAX_TRAFFIC_DROP),
        }
    }
}

impl GateRules {
    /// No rule at all: a comparison without a gate.
    pub const OFF: GateRules = GateRules {
        max_slowdown_fraction: None,
        min_delta: Duration::from_millis(5),
        min_share_fraction: 0.20,
        min_calls: 100,
        severe_layer_factor: None,
        severe_min_calls: DEFAULT_SEVERE_MIN_CALLS,
        max_error_increase_fraction: None,
        max_traffic_drop_fraction: None,
    };

    /// Whether any rule can trip.
    pub fn is_active(&self) -> bool {
        self.max_slowdown_fraction.is_some()
            || self.max_error_increase_fraction.is_some()
            || self.max_traffic_drop_fraction.is_some()
    }

    /// Refuses NaN, infinite, negative and absurd thresholds ([`Error::InvalidArgument`]):
    /// a slowdown of 0..=100 (10 000 %), a share and an error increase of 0..=1, a
    /// severe factor of 1..=1000, a floor of at most an hour.
    pub fn validate(&self) -> Result<(), Error> {
        let check = |name: &str, value: f64, max: f64| {
            if value.is_finite() && (0.0..=max).contains(&value) {
                Ok(())
            } else {
                Err(Error::invalid_argument(format!(
                    "{name} must be a number from 0 to {max} (got {value})"
                )))
            }
        };
        if let Some(v) = self.max_slowdown_fraction {
            check("the slowdown threshold (fraction)", v, 100.0)?;
        }
        if let Some(v) = self.max_error_increase_fraction {
            check("the error-rate threshold (fraction)", v, 1.0)?;
        }
        if let Some(v) = self.max_traffic_drop_fraction {
            check("the traffic-drop threshold (fraction)", v, 1.0)?;
        }
        if let Some(v) = self.severe_layer_factor
            && !(v.is_finite() && (1.0..=1000.0).contains(&v))
        {
            return Err(Error::invalid_argument(format!(
                "the severe layer factor must be a number from 1 to 1000 (got {v})"
            )));
        }
        check("the minimum share (fraction)", self.min_share_fraction, 1.0)?;
        if self.min_delta > Duration::from_secs(3600) {
            return Err(Error::invalid_argument(format!(
                "the minimum latency change must be at most 1 h (got {})",
                format_duration(self.min_delta)
            )));
        }
        Ok(())
    }

    /// Applies the rules to a comparison.
    pub fn judge(&self, comparison: &WindowComparison) -> Verdict {
        let mut tripped = Vec::new();
        if let Some(max) = self.max_slowdown_fraction {
            tripped.extend(self.slower(None, &comparison.overall, max));
            for layer in self.counted_layers(comparison) {
                tripped.extend(self.slower(Some(&layer.layer), &layer.comparison, max));
            }
            for layer in self.severe_layers(comparison) {
                tripped.extend(self.severely_slower(layer));
            }
        }
        if let Some(max) = self.max_error_increase_fraction {
            let c = &comparison.overall;
            if let Some(delta) = c.error_rate_delta.filter(|d| *d > max) {
                let pp = |r: Option<f64>| r.map_or("-".into(), |r| format!("{:.2}%", r * 100.0));
                tripped.push(Trip {
                    rule: Rule::ErrorRate,
                    layer: None,
                    change_fraction: Some(delta),
                    message: format!(
                        "error rate {} → {} (+{:.2} pp) rose more than {:.2} pp",
                        pp(c.previous.error_rate),
                        pp(c.current.error_rate),
                        delta * 100.0,
                        max * 100.0
                    ),
                });
            }
        }
        if let Some(max) = self.max_traffic_drop_fraction {
            tripped.extend(traffic_drop(&comparison.overall, max));
        }
        let overall = &comparison.overall;
        Verdict {
            checks: checks(self, comparison, &tripped),
            rules: *self,
            active: self.is_active(),
            no_data: self.is_active()
                && overall.current.volume == 0
                && overall.previous.volume == 0,
            tripped,
        }
    }

    /// The layers the latency rule judges: seen in both windows, with at least
    /// `min_share_fraction` of the request time and `min_calls` calls in each window.
    pub fn counted_layers<'a>(&self, comparison: &'a WindowComparison) -> Vec<&'a LayerComparison> {
        let shares = shares(comparison);
        comparison
            .layers
            .iter()
            .zip(shares)
            .filter(|(layer, share)| {
                let c = &layer.comparison;
                layer.presence == Presence::Both
                    && share.is_some_and(|s| s >= self.min_share_fraction)
                    && c.current.volume >= self.min_calls
                    && c.previous.volume >= self.min_calls
            })
            .map(|(layer, _)| layer)
            .collect()
    }

    /// The layers the severe rule judges: seen in both windows with `severe_min_calls`
    /// calls in each, and left out by the floors of [`GateRules::counted_layers`] (a
    /// counted layer trips at the lower threshold); none when the rule is off.
    pub fn severe_layers<'a>(&self, comparison: &'a WindowComparison) -> Vec<&'a LayerComparison> {
        if self.severe_layer_factor.is_none() {
            return Vec::new();
        }
        let counted = self.counted_layers(comparison);
        comparison
            .layers
            .iter()
            .filter(|layer| {
                let c = &layer.comparison;
                layer.presence == Presence::Both
                    && c.current.volume >= self.severe_min_calls
                    && c.previous.volume >= self.severe_min_calls
                    && !counted.iter().any(|l| std::ptr::eq(*l, *layer))
            })
            .collect()
    }

    fn severely_slower(&self, layer: &LayerComparison) -> Option<Trip> {
        let factor = self.severe_layer_factor?;
        let c = &layer.comparison;
        let (before, now) = (c.previous.average?, c.current.average?);
        let delta = now.checked_sub(before)?;
        if before.is_zero() || delta <= self.min_delta {
            return None;
        }
        let times = now.as_secs_f64() / before.as_secs_f64();
        (times > factor).then(|| Trip {
            rule: Rule::SevereLayerLatency,
            layer: Some(layer.layer.clone()),
            change_fraction: Some(times - 1.0),
            message: format!(
                "layer {} per call {} → {} ({times:.1}×, +{}) is more than {factor}× slower \
                 ({} calls)",
                layer.layer,
                format_duration(before),
                format_duration(now),
                format_duration(delta),
                c.current.volume
            ),
        })
    }

    fn slower(&self, layer: Option<&str>, c: &Comparison, max: f64) -> Option<Trip> {
        let change = c.average_change_fraction.filter(|f| *f > max)?;
        let delta = c.average_delta?.to_std().ok()?;
        if delta <= self.min_delta {
            return None;
        }
        let (before, now) = (c.previous.average?, c.current.average?);
        let subject = layer.map_or("latency".to_string(), |l| format!("layer {l} per call"));
        Some(Trip {
            rule: if layer.is_some() {
                Rule::LayerLatency
            } else {
                Rule::Latency
            },
            layer: layer.map(str::to_string),
            change_fraction: Some(change),
            message: format!(
                "{subject} {} → {} (+{:.1}%, +{}) is more than {:.1}% and {} slower",
                format_duration(before),
                format_duration(now),
                change * 100.0,
                format_duration(delta),
                max * 100.0,
                format_duration(self.min_delta)
            ),
        })
    }
}

/// The traffic rule: the app's traced requests fell by more than `max` (a window
/// before without traces cannot drop).
fn traffic_drop(c: &Comparison, max: f64) -> Option<Trip> {
    let (before, now) = (c.previous.volume, c.current.volume);
    if before == 0 || now >= before {
        return None;
    }
    let drop = (before - now) as f64 / before as f64;
    (drop > max).then(|| Trip {
        rule: Rule::Traffic,
        layer: None,
        change_fraction: Some(-drop),
        message: format!(
            "traffic {before} → {now} traces (−{:.1}%) fell more than {:.1}%",
            drop * 100.0,
            max * 100.0
        ),
    })
}

/// Each layer's share of the request time in the current window (its time per call ×
/// calls over the sum of all layers'; by-layer totals are self time, so they add up to
/// the request time).
fn shares(comparison: &WindowComparison) -> Vec<Option<f64>> {
    let time = |c: &Comparison| {
        c.current
            .average
            .map_or(0.0, |a| a.as_secs_f64() * c.current.volume as f64)
    };
    let all: f64 = comparison.layers.iter().map(|l| time(&l.comparison)).sum();
    comparison
        .layers
        .iter()
        .map(|l| (all > 0.0).then(|| time(&l.comparison) / all))
        .collect()
}

/// Which rule tripped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The app's request latency got slower.
    Latency,
    /// A layer that carries enough of the request time got slower per call.
    LayerLatency,
    /// A layer below the share or call floors got several times slower per call.
    SevereLayerLatency,
    /// The app's error rate rose.
    ErrorRate,
    /// The app's traced requests fell (vanished traffic).
    Traffic,
}

/// One rule that tripped, with the numbers behind it.
///
/// JSON: `{"rule": "latency" | "layer_latency" | "severe_layer_latency" | "error_rate" |
/// "traffic", "layer": null | "mysql",
/// "change_fraction": 0.42, "message": "latency 100 ms → 142 ms (+42.0%, +42.0 ms) …"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Trip {
    /// The rule.
    pub rule: Rule,
    /// The layer, for [`Rule::LayerLatency`] and [`Rule::SevereLayerLatency`].
    pub layer: Option<String>,
    /// The change that tripped it: relative latency change, the error-rate increase
    /// (a fraction: 0.01 = one percentage point), or the relative traffic change
    /// (negative: −1 = all traffic gone).
    #[serde(serialize_with = "ser_opt_num")]
    pub change_fraction: Option<f64>,
    /// The rule and its numbers, on one line.
    pub message: String,
}

/// The gate's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Verdict {
    /// The rules applied.
    pub rules: GateRules,
    /// Whether any rule was set (a comparison without a gate always passes).
    pub active: bool,
    /// An active gate found no traces in either window: nothing to judge, which is
    /// not a pass.
    pub no_data: bool,
    /// What tripped; empty: the gate passes (unless `no_data`).
    pub tripped: Vec<Trip>,
    /// Every rule applied, tripped or not: its threshold, the value measured (`null`
    /// when not measurable) and its outcome (empty without a gate).
    pub checks: Vec<RuleCheck>,
}

impl Verdict {
    /// Whether the gate passed: nothing tripped and there was data to judge.
    pub fn passed(&self) -> bool {
        self.tripped.is_empty() && !self.no_data
    }
}

#[cfg(test)]
#[path = "gate_tests.rs"]
pub(super) mod tests;
