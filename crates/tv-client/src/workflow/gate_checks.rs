//! The gate's rules one by one, as applied: each rule's threshold, the value measured
//! (or why none could be) and its outcome — the one home of the numbers that
//! `tv compare`'s JSON (`verdict.checks`) and its gate table both show.

use std::time::Duration;

use chrono::TimeDelta;
use serde::Serialize;

use super::gate::{GateRules, Rule, Trip};
use crate::json_shape::{ser_opt_num, ser_opt_signed_us, ser_opt_us};
use crate::math::{Comparison, WindowComparison};

/// How one rule came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Measured, and within the threshold.
    Pass,
    /// Measured, and beyond the threshold: the rule tripped.
    Fail,
    /// Nothing to measure (no traffic in a window, no layer that counts): neither a
    /// pass nor a fail.
    NotMeasured,
}

/// One rule of the gate as applied to a comparison.
///
/// JSON: `{"rule": "latency", "layer": null, "threshold_fraction": 0.1,
/// "min_delta_us": 5000, "measured_fraction": 0.42 | null, "measured_delta_us": 42000 |
/// null, "previous_volume": 1825, "current_volume": 1957, "outcome": "pass" | "fail" |
/// "not_measured", "note": null}`. The fields a rule has no use for are `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RuleCheck {
    /// The rule.
    pub rule: Rule,
    /// The layer, for [`Rule::LayerLatency`] (`null` on the row that says no layer
    /// counted).
    pub layer: Option<String>,
    /// The rule's threshold as a fraction: slower by more than (latency rules; for the
    /// severe layer rule its factor − 1, `2.0` = three times as slow), higher by more
    /// than (error rate: 0.01 = one percentage point), fewer traces by more than
    /// (traffic: 0.5 = half of them).
    pub threshold_fraction: f64,
    /// Latency rules: the absolute floor a change must also pass.
    #[serde(rename = "min_delta_us", serialize_with = "ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub min_delta: Option<Duration>,
    /// The change measured, a fraction in the threshold's terms (latency: `0.42` = 42 %
    /// slower; error rate: the change in points as a fraction; traffic: the relative
    /// change, `-1` = all gone); `null` when it could not be measured.
    #[serde(serialize_with = "ser_opt_num")]
    pub measured_fraction: Option<f64>,
    /// Latency rules: the change of the average (negative: faster).
    #[serde(rename = "measured_delta_us", serialize_with = "ser_opt_signed_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub measured_delta: Option<TimeDelta>,
    /// Traces (calls, for a layer) in the window compared against.
    pub previous_volume: Option<u64>,
    /// Traces (calls, for a layer) in the current window.
    pub current_volume: Option<u64>,
    /// Pass, fail, or nothing to measure.
    pub outcome: Outcome,
    /// Why nothing was measured, for people.
    pub note: Option<String>,
}

impl RuleCheck {
    /// Whether the rule tripped.
    pub fn tripped(&self) -> bool {
        self.outcome == Outcome::Fail
    }
}

/// Every rule of `rules` on `comparison`, in the gate table's order: latency, each
/// layer that counts (or one row saying none does), each layer the severe rule judges,
/// error rate, traffic. A rule is a
/// fail exactly when `tripped` holds its trip.
pub(super) fn checks(
    rules: &GateRules,
    comparison: &WindowComparison,
    tripped: &[Trip],
) -> Vec<RuleCheck> {
    let fail = |rule: Rule, layer: Option<&str>| {
        tripped
            .iter()
            .any(|t| t.rule == rule && t.layer.as_deref() == layer)
    };
    let outcome = |measured: bool, failed: bool| match (failed, measured) {
        (true, _) => Outcome::Fail,
        (false, true) => Outcome::Pass,
        (false, false) => Outcome::NotMeasured,
    };
    let overall = &comparison.overall;
    let mut checks = Vec::new();
    if let Some(max) = rules.max_slowdown_fraction {
        let latency = |rule: Rule, layer: Option<&str>, c: &Comparison| {
            let measured = c.average_change_fraction;
            RuleCheck {
                rule,
                layer: layer.map(str::to_string),
                threshold_fraction: max,
                min_delta: Some(rules.min_delta),
                measured_fraction: measured,
                measured_delta: c.average_delta,
                previous_volume: Some(c.previous.volume),
                current_volume: Some(c.current.volume),
                outcome: outcome(measured.is_some(), fail(rule, layer)),
                note: measured
                    .is_none()
                    .then(|| "no traces in a window".to_string()),
            }
        };
        checks.push(latency(Rule::Latency, None, overall));
        let layers = rules.counted_layers(comparison);
        if layers.is_empty() {
            checks.push(RuleCheck {
                note: Some(format!(
                    "no layer with ≥ {:.1}% of the time and ≥ {} calls in each window",
                    rules.min_share_fraction * 100.0,
                    rules.min_calls
                )),
                previous_volume: None,
                current_volume: None,
                measured_delta: None,
                measured_fraction: None,
                outcome: Outcome::NotMeasured,
                ..latency(Rule::LayerLatency, None, overall)
            });
        }
        for layer in layers {
            let name = Some(layer.layer.as_str());
            checks.push(latency(Rule::LayerLatency, name, &layer.comparison));
        }
        if let Some(factor) = rules.severe_layer_factor {
            for layer in rules.severe_layers(comparison) {
                let (name, c) = (Some(layer.layer.as_str()), &layer.comparison);
                let times = match (c.previous.average, c.current.average) {
                    (Some(before), Some(now)) if !before.is_zero() => {
                        Some(now.as_secs_f64() / before.as_secs_f64())
                    }
                    _ => None,
                };
                let measured = times.map(|t| t - 1.0);
                let rule = Rule::SevereLayerLatency;
                checks.push(RuleCheck {
                    threshold_fraction: factor - 1.0,
                    measured_fraction: measured,
                    outcome: outcome(measured.is_some(), fail(rule, name)),
                    ..latency(rule, name, c)
                });
            }
        }
    }
    if let Some(max) = rules.max_error_increase_fraction {
        let measured = overall.error_rate_delta;
        checks.push(RuleCheck {
            rule: Rule::ErrorRate,
            layer: None,
            threshold_fraction: max,
            min_delta: None,
            measured_fraction: measured,
            measured_delta: None,
            previous_volume: Some(overall.previous.volume),
            current_volume: Some(overall.current.volume),
            outcome: outcome(measured.is_some(), fail(Rule::ErrorRate, None)),
            note: measured
                .is_none()
                .then(|| "no error rate without traces in a window".to_string()),
        });
    }
    if let Some(max) = rules.max_traffic_drop_fraction {
        let (before, now) = (overall.previous.volume, overall.current.volume);
        // Traces counted in either window are a measurement (none before cannot drop).
        let measured = before > 0 || now > 0;
        checks.push(RuleCheck {
            rule: Rule::Traffic,
            layer: None,
            threshold_fraction: max,
            min_delta: None,
            measured_fraction: overall.volume_change_fraction,
            measured_delta: None,
            previous_volume: Some(before),
            current_volume: Some(now),
            outcome: outcome(measured, fail(Rule::Traffic, None)),
            note: (!measured).then(|| "no traces in either window".to_string()),
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::gate::tests::comparison;

    fn all_rules() -> GateRules {
        GateRules {
            max_error_increase_fraction: Some(0.01),
            ..GateRules::default()
        }
    }

    #[test]
    fn every_rule_has_one_check_and_the_fails_are_the_trips() {
        let verdict = all_rules().judge(&comparison(1000, 10));
        let rules: Vec<Rule> = verdict.checks.iter().map(|c| c.rule).collect();
        assert_eq!(
            rules,
            [
                Rule::Latency,
                Rule::LayerLatency,
                Rule::ErrorRate,
                Rule::Traffic
            ]
        );
        let fails: Vec<Rule> = verdict
            .checks
            .iter()
            .filter(|c| c.tripped())
            .map(|c| c.rule)
            .collect();
        let trips: Vec<Rule> = verdict.tripped.iter().map(|t| t.rule).collect();
        assert_eq!(fails, trips);
        let traffic = &verdict.checks[3];
        assert_eq!(traffic.measured_fraction, Some(-0.99));
        assert_eq!(
            (traffic.previous_volume, traffic.current_volume),
            (Some(1000), Some(10))
        );
        assert_eq!(traffic.threshold_fraction, 0.5);
        assert_eq!(verdict.checks[0].measured_fraction, Some(0.0));
        assert_eq!(verdict.checks[0].outcome, Outcome::Pass);
        // No layer counts: a row that says so, not a pass.
        assert_eq!(verdict.checks[1].outcome, Outcome::NotMeasured);
    }

    #[test]
    fn a_rule_without_traffic_to_measure_is_not_a_pass() {
        // The app was idle before: no latency or error rate to compare, traffic rose.
        let verdict = all_rules().judge(&comparison(0, 500));
        let outcome = |rule: Rule| {
            verdict
                .checks
                .iter()
                .find(|c| c.rule == rule)
                .map(|c| (c.outcome, c.measured_fraction))
        };
        assert_eq!(outcome(Rule::Latency), Some((Outcome::NotMeasured, None)));
        assert_eq!(outcome(Rule::ErrorRate), Some((Outcome::NotMeasured, None)));
        assert_eq!(outcome(Rule::Traffic), Some((Outcome::Pass, None)));
        // Nothing in either window: nothing measured at all.
        let verdict = all_rules().judge(&comparison(0, 0));
        assert!(
            verdict
                .checks
                .iter()
                .all(|c| c.outcome == Outcome::NotMeasured)
        );
        // Without a gate, no checks.
        assert!(GateRules::OFF.judge(&comparison(10, 10)).checks.is_empty());
    }

    #[test]
    fn the_json_names_the_threshold_and_the_measurement() {
        let verdict = all_rules().judge(&comparison(1000, 10));
        let json = serde_json::to_value(&verdict.checks[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "rule": "latency", "layer": null, "threshold_fraction": 0.1,
                "min_delta_us": 5000, "measured_fraction": 0, "measured_delta_us": 0,
                "previous_volume": 1000, "current_volume": 10, "outcome": "pass",
                "note": null
            })
        );
    }
}
