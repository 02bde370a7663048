//! Unit tests of the gate's rules.

use super::*;
use crate::math::WindowSummary;

/// An app's comparison: `before` → `now` traces at 100 ms and a 1 % error rate, no
/// layers (also used by `gate_checks`' tests).
pub(in crate::workflow) fn comparison(before: u64, now: u64) -> WindowComparison {
    let summary = |volume| WindowSummary {
        volume,
        average: (volume > 0).then_some(Duration::from_millis(100)),
        error_rate: (volume > 0).then_some(0.01),
    };
    WindowComparison {
        overall: Comparison::new(summary(now), summary(before)),
        layers: Vec::new(),
    }
}

#[test]
fn vanished_traffic_trips_the_default_gate() {
    let verdict = GateRules::default().judge(&comparison(1000, 0));
    assert!(!verdict.passed());
    assert_eq!(verdict.tripped[0].rule, Rule::Traffic);
    assert_eq!(verdict.tripped[0].change_fraction, Some(-1.0));
    assert_eq!(
        verdict.tripped[0].message,
        "traffic 1000 → 0 traces (−100.0%) fell more than 50.0%"
    );
    // A drop within the rule, and a rise, pass.
    assert!(GateRules::default().judge(&comparison(1000, 600)).passed());
    assert!(GateRules::default().judge(&comparison(10, 1000)).passed());
}

/// An app of 500 → 570 traces at 200 ms → 215 ms (+7.5 %, under the 10 % rule), with
/// a busy layer that did not change and a small one (`calls` per window, 8.96 ms
/// per call before) whose time per call grew to `now_ms`.
fn small_layer_slower(calls: u64, now_ms: u64) -> WindowComparison {
    let summary = |volume, ms| WindowSummary {
        volume,
        average: Some(Duration::from_micros(ms)),
        error_rate: None,
    };
    let layer = |name: &str, current, previous| LayerComparison {
        layer: name.into(),
        presence: Presence::Both,
        comparison: Comparison::new(current, previous),
    };
    WindowComparison {
        overall: Comparison::new(summary(570, 215_000), summary(500, 200_000)),
        layers: vec![
            layer("PHP", summary(570, 80_000), summary(500, 80_000)),
            layer(
                "file_get_contents",
                summary(calls, now_ms * 1000),
                summary(calls, 8_960),
            ),
        ],
    }
}

#[test]
fn a_small_layer_several_times_slower_trips_the_default_gate() {
    // The sandbox's major incident of auth-gateway on 2023-11-22 04:30: 29 calls,
    // 8.96 ms → 362 ms, 8 % of the time: under both floors of the 10 % layer rule.
    let comparison = small_layer_slower(29, 362);
    let counted = GateRules::default().counted_layers(&comparison);
    assert!(counted.iter().all(|l| l.layer == "PHP"), "{counted:?}");
    let verdict = GateRules::default().judge(&comparison);
    assert_eq!(verdict.tripped.len(), 1, "{verdict:?}");
    let trip = &verdict.tripped[0];
    assert_eq!(trip.rule, Rule::SevereLayerLatency);
    assert_eq!(trip.layer.as_deref(), Some("file_get_contents"));
    assert_eq!(
        trip.message,
        "layer file_get_contents per call 8.96 ms → 362 ms (40.4×, +353 ms) is more \
         than 3× slower (29 calls)"
    );
    // Not severe enough, too few calls, or the rule off: the gate passes.
    assert!(
        GateRules::default()
            .judge(&small_layer_slower(29, 26))
            .passed()
    );
    assert!(
        GateRules::default()
            .judge(&small_layer_slower(19, 362))
            .passed()
    );
    let off = GateRules {
        severe_layer_factor: None,
        ..GateRules::default()
    };
    assert!(off.judge(&small_layer_slower(29, 362)).passed());
    // Only with the latency rule.
    let no_latency = GateRules {
        max_slowdown_fraction: None,
        ..GateRules::default()
    };
    assert!(no_latency.judge(&small_layer_slower(29, 362)).passed());
    let absurd = GateRules {
        severe_layer_factor: Some(0.5),
        ..GateRules::default()
    };
    assert!(absurd.validate().is_err());
}

#[test]
fn no_data_in_either_window_is_not_a_pass() {
    let verdict = GateRules::default().judge(&comparison(0, 0));
    assert!(verdict.tripped.is_empty());
    assert!(verdict.no_data);
    assert!(!verdict.passed());
    // Without a gate there is nothing to pass or fail.
    let verdict = GateRules::OFF.judge(&comparison(0, 0));
    assert!(!verdict.no_data && verdict.passed());
}
