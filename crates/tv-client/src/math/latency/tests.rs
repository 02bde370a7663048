use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::math::strategies::{latency_series, slot};

fn p(i: i64, volume: u64, ms: Option<u64>) -> LatencyPoint {
    LatencyPoint {
        at: slot(i),
        volume,
        average: ms.map(Duration::from_millis),
    }
}

#[test]
fn reference_example_mean() {
    // §13.1: 11 @ 1180500, 10 @ 1246510, 6 @ 1022766.67, 8 @ 1130812.5 (µs).
    let us = |v: f64| crate::wire_units::duration_from_micros(v);
    let points = [
        LatencyPoint {
            at: slot(0),
            volume: 11,
            average: us(1_180_500.0),
        },
        LatencyPoint {
            at: slot(1),
            volume: 10,
            average: us(1_246_510.0),
        },
        LatencyPoint {
            at: slot(2),
            volume: 6,
            average: us(1_022_766.666_666_666_6),
        },
        LatencyPoint {
            at: slot(3),
            volume: 8,
            average: us(1_130_812.5),
        },
    ];
    // Σ v·a = 12985500 + 12465100 + 6136600 + 9046500 = 40633700 µs over 35 traces.
    assert_eq!(
        weighted_mean(&points),
        Some(Duration::from_nanos(1_160_962_857))
    );
    assert_eq!(total_volume(&points), 35);
    assert_eq!(min_slice(&points).map(|p| p.volume), Some(6));
    assert_eq!(max_slice(&points).map(|p| p.volume), Some(10));
    assert_eq!(latest_slice(&points).map(|p| p.volume), Some(8));
}

#[test]
fn empty_slices_are_ignored() {
    let points = [
        p(0, 0, None),
        p(1, 5, Some(10)),
        p(2, 0, None),
        p(3, 7, None),
    ];
    assert_eq!(weighted_mean(&points), Some(Duration::from_millis(10)));
    assert_eq!(total_volume(&points), 12);
    assert_eq!(latest_slice(&points).map(|p| p.at), Some(slot(1)));
    assert_eq!(weighted_mean(&[p(0, 0, None)]), None);
    assert_eq!(weighted_mean(&[]), None);
    assert_eq!(min_slice(&[p(0, 0, None)]), None);
    let summary = summarize_latency(&[]);
    assert_eq!(summary.volume, 0);
    assert_eq!(summary.average, None);
}

#[test]
fn ties_pick_the_earliest_slice() {
    let points = [p(5, 1, Some(10)), p(1, 1, Some(10)), p(3, 1, Some(10))];
    assert_eq!(min_slice(&points).map(|p| p.at), Some(slot(1)));
    assert_eq!(max_slice(&points).map(|p| p.at), Some(slot(1)));
    assert_eq!(latest_slice(&points).map(|p| p.at), Some(slot(5)));
}

#[test]
fn summary_json_shape() {
    let s = summarize_latency(&[p(0, 2, Some(1)), p(1, 2, Some(3))]);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["volume"], 4);
    assert_eq!(json["average_us"], 2000);
    assert_eq!(json["min"]["average_us"], 1000);
    assert_eq!(json["latest"]["epoch"], 1_353_259_530);
    #[cfg(feature = "schemars")]
    {
        let schema = serde_json::to_value(schemars::schema_for!(LatencySummary)).unwrap();
        assert_eq!(
            schema["properties"]["average_us"]["type"],
            serde_json::json!(["number", "null"])
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The weighted mean lies within min..max of the non-empty slices, and is None
    /// exactly when there is no volume with an average.
    #[test]
    fn weighted_mean_within_extremes(series in latency_series(60)) {
        let mean = weighted_mean(&series);
        match (min_slice(&series), max_slice(&series)) {
            (Some(lo), Some(hi)) => {
                let mean = mean.unwrap();
                prop_assert!(lo.average.unwrap() <= mean && mean <= hi.average.unwrap());
            }
            _ => prop_assert_eq!(mean, None),
        }
    }

    /// The weighted mean times the volume is the summed latency, to rounding.
    #[test]
    fn weighted_mean_preserves_total_time(series in latency_series(60)) {
        let with_data: Vec<_> = series.iter().filter(|p| p.has_data()).copied().collect();
        let volume: u128 = with_data.iter().map(|p| u128::from(p.volume)).sum();
        let total: u128 = with_data.iter().map(|p| u128::from(p.volume) * p.average.unwrap().as_nanos()).sum();
        if let Some(mean) = weighted_mean(&series) {
            let back = mean.as_nanos() * volume;
            prop_assert!(back.abs_diff(total) <= volume / 2 + 1, "{back} vs {total}");
        }
    }
}
