use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::math::strategies::{error_series, latency_series, layer_series, requests_series, slot};
use crate::math::{total_requests, total_volume};

fn multiple() -> impl Strategy<Value = Duration> {
    (1u64..=12).prop_map(|k| Duration::from_secs(30 * k))
}

#[test]
fn latency_buckets_use_weighted_means() {
    let p = |i, volume, ms: Option<u64>| LatencyPoint {
        at: slot(i),
        volume,
        average: ms.map(Duration::from_millis),
    };
    // BASE = 1353259500 is a multiple of 60 s: slots 0+1 and 2+3 share buckets.
    let series = Series::new(vec![
        p(0, 1, Some(100)),
        p(1, 3, Some(20)),
        p(2, 0, None),
        p(3, 0, None),
    ])
    .unwrap();
    let out = resample(&series, Duration::from_secs(60)).unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0],
        LatencyPoint {
            at: slot(0),
            volume: 4,
            average: Some(Duration::from_millis(40))
        }
    );
    assert_eq!(
        out[1],
        LatencyPoint {
            at: slot(2),
            volume: 0,
            average: None
        }
    );
    assert_eq!(out.step(), Some(Duration::from_secs(60)));
}

#[test]
fn steps_must_be_multiples() {
    let series = Series::new(vec![
        RequestsPoint {
            at: slot(0),
            requests: 1,
        },
        RequestsPoint {
            at: slot(1),
            requests: 1,
        },
    ])
    .unwrap();
    let err = resample(&series, Duration::from_secs(45)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: the new step (45 s) is not a multiple of the series' step (30 s)"
    );
    assert!(resample(&series, Duration::ZERO).is_err());
    assert!(resample(&series, Duration::from_secs(30)).is_ok());
    // Without a known step any step goes.
    let one = Series::new(vec![RequestsPoint {
        at: slot(0),
        requests: 1,
    }])
    .unwrap();
    assert_eq!(resample(&one, Duration::from_secs(7)).unwrap().len(), 1);
    assert!(
        resample(&Series::<RequestsPoint>::default(), Duration::from_secs(60))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn error_rates_are_weighted_by_volume() {
    let rates = Series::new(vec![
        ErrorRatePoint {
            at: slot(0),
            rate: Some(0.5),
        },
        ErrorRatePoint {
            at: slot(1),
            rate: Some(0.0),
        },
        ErrorRatePoint {
            at: slot(2),
            rate: None,
        },
    ])
    .unwrap();
    let volumes = Series::new(vec![
        LatencyPoint {
            at: slot(0),
            volume: 2,
            average: None,
        },
        LatencyPoint {
            at: slot(1),
            volume: 8,
            average: None,
        },
    ])
    .unwrap();
    let out = resample_error_rates(&rates, &volumes, Duration::from_secs(60)).unwrap();
    assert_eq!(out[0].rate, Some(0.1));
    assert_eq!(out[1].rate, None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Volumes are preserved exactly, summed latency to rounding; buckets are aligned.
    #[test]
    fn latency_totals_preserved(series in latency_series(80), step in multiple()) {
        let out = resample(&series, step).unwrap();
        prop_assert_eq!(total_volume(&out), total_volume(&series));
        let time = |s: &Series<LatencyPoint>| -> u128 {
            s.iter().filter(|p| p.has_data()).map(|p| u128::from(p.volume) * p.average.unwrap().as_nanos()).sum()
        };
        let volume: u128 = series.iter().filter(|p| p.has_data()).map(|p| u128::from(p.volume)).sum();
        prop_assert!(time(&out).abs_diff(time(&series)) <= volume / 2 + out.len() as u128);
        let step_s = step.as_secs() as i64;
        prop_assert!(out.iter().all(|p| p.at.timestamp() % step_s == 0));
        prop_assert!(out.len() <= series.len());
    }

    /// Layer calls and time are preserved exactly.
    #[test]
    fn layer_totals_preserved(series in layer_series(80), step in multiple()) {
        let out = resample(&series, step).unwrap();
        prop_assert_eq!(layer_totals(&out), layer_totals(&series));
    }

    /// Requests are preserved exactly, and resampling twice equals resampling once.
    #[test]
    fn requests_preserved(series in requests_series(80), k in 1u64..=4, j in 1u64..=3) {
        let fine = Duration::from_secs(30 * k);
        let coarse = Duration::from_secs(30 * k * j);
        let once = resample(&series, coarse).unwrap();
        let twice = resample(&resample(&series, fine).unwrap(), coarse).unwrap();
        prop_assert_eq!(total_requests(&once), total_requests(&series));
        prop_assert_eq!(once.points(), twice.points());
    }

    /// Error-rate buckets stay within 0..=1 and one bucket per occupied interval.
    #[test]
    fn error_rates_stay_fractions(rates in error_series(60), volumes in latency_series(60), step in multiple()) {
        let out = resample_error_rates(&rates, &volumes, step).unwrap();
        prop_assert!(out.iter().all(|p| p.rate.is_none_or(|r| (0.0..=1.0).contains(&r))));
        prop_assert_eq!(out.len(), resample(&volumes_as_requests(&rates), step).unwrap().len());
    }
}

/// A requests series on the same slices (to count buckets independently).
fn volumes_as_requests(rates: &Series<ErrorRatePoint>) -> Series<RequestsPoint> {
    Series::new(
        rates
            .iter()
            .map(|r| RequestsPoint {
                at: r.at,
                requests: 1,
            })
            .collect(),
    )
    .unwrap()
    .with_window(crate::window::TimeWindow::Hour)
}
