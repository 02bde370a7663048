use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::math::strategies::{latency_series, layer_series, slot};

/// The by-layer example of the reference (§13.3).
fn reference_layers() -> Vec<LayerSeries> {
    let rows = |v: [[f64; 3]; 4]| {
        v.iter()
            .map(|r| r.iter().map(|x| Some(*x)).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    let fields = "timestamp,volume,avg_latency";
    let cassandra = rows([
        [1378931430.0, 7.0, 811684.0],
        [1378931460.0, 9.0, 1036504.0],
        [1378931490.0, 17.0, 506987.0],
        [1378931520.0, 9.0, 278861.0],
    ]);
    let nginx = rows([
        [1378931430.0, 6.0, 715784.0],
        [1378931460.0, 8.0, 1310193.0],
        [1378931490.0, 7.0, 631103.0],
        [1378931520.0, 8.0, 90745.0],
    ]);
    let etl = rows([
        [1378931430.0, 5.0, 2647537.0],
        [1378931460.0, 9.0, 2421637.0],
        [1378931490.0, 12.0, 4999099.0],
        [1378931520.0, 9.0, 2083804.0],
    ]);
    LayerSeries::decode_all([
        ("Cassandra:client", fields, cassandra.as_slice()),
        ("nginx", fields, nginx.as_slice()),
        ("etlworker", fields, etl.as_slice()),
    ])
    .unwrap()
}

#[test]
fn reference_per_call_and_shares() {
    let layers = reference_layers();
    let per_call: Vec<_> = layers.iter().map(|l| per_call_average(&l.series)).collect();
    assert_eq!(
        per_call,
        [
            Some(Duration::from_nanos(62_715_143)),
            Some(Duration::from_nanos(94_752_586)),
            Some(Duration::from_nanos(347_202_200)),
        ]
    );
    let shares = time_shares(&layers);
    let sum: f64 = shares.iter().filter_map(|s| s.share).sum();
    assert!((sum - 1.0).abs() < 1e-12);
    assert_eq!(shares[2].total, Duration::from_micros(12_152_077));
    let share = shares[2].share.unwrap();
    assert!((share - 12_152_077.0 / 17_533_938.0).abs() < 1e-12);
}

#[test]
fn per_request_joins_by_timestamp() {
    let layers = reference_layers();
    let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap();
    // Server series: the first layer slice has no partner; one server slice is extra.
    let server = Series::new(vec![
        LatencyPoint {
            at: at(1378931460),
            volume: 10,
            average: None,
        },
        LatencyPoint {
            at: at(1378931490),
            volume: 20,
            average: None,
        },
        LatencyPoint {
            at: at(1378931520),
            volume: 10,
            average: None,
        },
        LatencyPoint {
            at: at(1378931550),
            volume: 99,
            average: None,
        },
    ])
    .unwrap();
    let r = per_request_average(&layers[0].series, &server);
    assert_eq!(r.requests, 40);
    assert_eq!(
        r.layer_total,
        Duration::from_micros(1036504 + 506987 + 278861)
    );
    assert_eq!(r.average, Some(Duration::from_nanos(45_558_800)));
    assert_eq!(r.alignment.matched, 3);
    assert_eq!(r.alignment.only_in_first, [at(1378931430)]);
    assert_eq!(r.alignment.only_in_second, [at(1378931550)]);
    assert!(!r.alignment.is_complete());

    let breakdown = layer_breakdown(&layers, Some(&server));
    assert_eq!(breakdown[0].per_request, r.average);
    assert_eq!(breakdown[1].calls, 29);
    assert_eq!(layer_breakdown(&layers, None)[0].per_request, None);
    let json = serde_json::to_value(&breakdown[0]).unwrap();
    assert_eq!(json["per_request_us"], 45_558.8);
    assert_eq!(json["total_us"], 2_634_036);
}

#[test]
fn idle_layers() {
    let idle = LayerSeries {
        layer: "PHP".into(),
        series: Series::new(vec![LayerPoint {
            at: slot(0),
            calls: 0,
            total: Duration::ZERO,
        }])
        .unwrap(),
    };
    assert_eq!(per_call_average(&idle.series), None);
    let shares = time_shares(std::slice::from_ref(&idle));
    assert_eq!(shares[0].share, None);
    assert!(time_shares(&[]).is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// per-call × calls ≈ total (within rounding to the nearest nanosecond).
    #[test]
    fn per_call_times_calls_is_total(series in layer_series(60)) {
        let totals = layer_totals(&series);
        match per_call_average(&series) {
            Some(avg) => {
                let back = avg.as_nanos() * u128::from(totals.calls);
                prop_assert!(back.abs_diff(totals.total.as_nanos()) <= u128::from(totals.calls) / 2);
            }
            None => prop_assert_eq!(totals.calls, 0),
        }
    }

    /// Shares sum to 1 when any layer spent time, and each lies in 0..=1.
    #[test]
    fn shares_sum_to_one(all in proptest::collection::vec(layer_series(20), 0..6)) {
        let layers: Vec<_> = all.into_iter().enumerate()
            .map(|(i, series)| LayerSeries { layer: format!("l{i}"), series })
            .collect();
        let shares = time_shares(&layers);
        let any_time = shares.iter().any(|s| !s.total.is_zero());
        if any_time {
            let sum: f64 = shares.iter().map(|s| s.share.unwrap()).sum();
            prop_assert!((sum - 1.0).abs() < 1e-9, "{sum}");
            prop_assert!(shares.iter().all(|s| (0.0..=1.0).contains(&s.share.unwrap())));
        } else {
            prop_assert!(shares.iter().all(|s| s.share.is_none()));
        }
    }

    /// Per-request uses exactly the matched slices, and every slice is accounted for.
    #[test]
    fn per_request_accounts_for_every_slice(layer in layer_series(40), server in latency_series(40)) {
        let r = per_request_average(&layer, &server);
        prop_assert_eq!(r.alignment.matched + r.alignment.only_in_first.len(), layer.len());
        prop_assert_eq!(r.alignment.matched + r.alignment.only_in_second.len(), server.len());
        let requests: u64 = server.iter().filter(|p| layer.point_at(p.at).is_some()).map(|p| p.volume).sum();
        prop_assert_eq!(r.requests, requests);
        prop_assert_eq!(r.average.is_some(), requests > 0);
    }
}
