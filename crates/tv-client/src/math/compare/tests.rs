use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::math::strategies::{error_series, latency_series, layer_series, slot};

fn summary(volume: u64, ms: Option<u64>, error_rate: Option<f64>) -> WindowSummary {
    WindowSummary {
        volume,
        average: ms.map(Duration::from_millis),
        error_rate,
    }
}

fn layer(name: &str, calls: u64, total_ms: u64) -> LayerSeries {
    LayerSeries {
        layer: name.into(),
        series: Series::new(vec![LayerPoint {
            at: slot(0),
            calls,
            total: Duration::from_millis(total_ms),
        }])
        .unwrap(),
    }
}

#[test]
fn deltas_and_percentages() {
    let c = Comparison::new(
        summary(90, Some(110), Some(0.02)),
        summary(100, Some(100), Some(0.01)),
    );
    assert_eq!(c.average_delta, Some(TimeDelta::milliseconds(10)));
    assert!((c.average_change_fraction.unwrap() - 0.1).abs() < 1e-9);
    assert_eq!(c.volume_delta, -10);
    assert!((c.volume_change_fraction.unwrap() + 0.1).abs() < 1e-9);
    assert!((c.error_rate_delta.unwrap() - 0.01).abs() < 1e-12);
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["average_delta_us"], 10_000);
    assert_eq!(json["current"]["average_us"], 110_000);
    assert_eq!(json["volume_delta"], -10);
}

#[test]
fn incomparable_windows() {
    let c = Comparison::new(summary(5, Some(1), None), summary(0, None, None));
    assert_eq!(c.average_delta, None);
    assert_eq!(c.average_change_fraction, None);
    assert_eq!(c.volume_change_fraction, None);
    assert_eq!(c.error_rate_delta, None);
    let zero = Comparison::new(summary(5, Some(1), None), summary(5, Some(0), None));
    assert_eq!(zero.average_change_fraction, None);
    assert_eq!(zero.average_delta, Some(TimeDelta::milliseconds(1)));
}

#[test]
fn layers_on_one_side_only() {
    let current = [layer("nginx", 10, 100), layer("new", 1, 5)];
    let previous = [layer("gone", 3, 3), layer("nginx", 10, 50)];
    let cmp = compare_layers(&current, &previous);
    let seen: Vec<_> = cmp.iter().map(|c| (c.layer.as_str(), c.presence)).collect();
    assert_eq!(
        seen,
        [
            ("nginx", Presence::Both),
            ("new", Presence::CurrentOnly),
            ("gone", Presence::PreviousOnly)
        ]
    );
    assert!((cmp[0].comparison.average_change_fraction.unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(cmp[1].comparison.previous, WindowSummary::default());
    assert_eq!(cmp[2].comparison.current.volume, 0);

    let report = WindowComparison {
        overall: Comparison::new(summary(1, Some(105), None), summary(1, Some(100), None)),
        layers: cmp,
    };
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["layers"][2]["presence"], "previous_only");
}

#[test]
fn app_summary_weights_error_rates() {
    let latency = Series::new(vec![
        LatencyPoint {
            at: slot(0),
            volume: 1,
            average: Some(Duration::from_millis(10)),
        },
        LatencyPoint {
            at: slot(1),
            volume: 9,
            average: Some(Duration::from_millis(20)),
        },
    ])
    .unwrap();
    let errors = Series::new(vec![
        ErrorRatePoint {
            at: slot(0),
            rate: Some(1.0),
        },
        ErrorRatePoint {
            at: slot(1),
            rate: Some(0.0),
        },
    ])
    .unwrap();
    let s = WindowSummary::of_app(&latency, Some(&errors));
    assert_eq!(s.volume, 10);
    assert_eq!(s.average, Some(Duration::from_millis(19)));
    assert_eq!(s.error_rate, Some(0.1));
    assert_eq!(WindowSummary::of_app(&latency, None).error_rate, None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// A window compared with itself shows no change and passes any gate.
    #[test]
    fn self_comparison_is_neutral(latency in latency_series(40), errors in error_series(40)) {
        let s = WindowSummary::of_app(&latency, Some(&errors));
        let c = Comparison::new(s, s);
        prop_assert_eq!(c.volume_delta, 0);
        prop_assert!(c.average_delta.is_none_or(|d| d.is_zero()));
        prop_assert!(c.average_change_fraction.is_none_or(|p| p == 0.0));
        prop_assert!(c.error_rate_delta.is_none_or(|d| d == 0.0));
    }

    /// The signed delta is current − previous, and the percentage agrees with it.
    #[test]
    fn delta_matches_averages(a in latency_series(30), b in latency_series(30)) {
        let (cur, prev) = (WindowSummary::of_app(&a, None), WindowSummary::of_app(&b, None));
        let c = Comparison::new(cur, prev);
        if let (Some(x), Some(y)) = (cur.average, prev.average) {
            let d = c.average_delta.unwrap();
            prop_assert_eq!(d.num_nanoseconds().unwrap() as i128, x.as_nanos() as i128 - y.as_nanos() as i128);
            if let Some(pct) = c.average_change_fraction {
                prop_assert_eq!(pct > 0.0, x > y);
            }
        } else {
            prop_assert!(c.average_delta.is_none());
        }
    }

    /// Every layer of either side appears exactly once, with the right presence.
    #[test]
    fn layer_presence_partitions(cur in proptest::collection::btree_set(0u8..8, 0..6),
                                 prev in proptest::collection::btree_set(0u8..8, 0..6),
                                 series in layer_series(5)) {
        let make = |ids: &std::collections::BTreeSet<u8>| -> Vec<LayerSeries> {
            ids.iter().map(|i| LayerSeries { layer: format!("l{i}"), series: series.clone() }).collect()
        };
        let cmp = compare_layers(&make(&cur), &make(&prev));
        prop_assert_eq!(cmp.len(), cur.union(&prev).count());
        for c in &cmp {
            let i: u8 = c.layer[1..].parse().unwrap();
            let want = match (cur.contains(&i), prev.contains(&i)) {
                (true, true) => Presence::Both,
                (true, false) => Presence::CurrentOnly,
                _ => Presence::PreviousOnly,
            };
            prop_assert_eq!(c.presence, want);
        }
    }
}
