//! Proptest strategies shared by the math tests.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;

use crate::points::{ErrorRatePoint, LatencyPoint, LayerPoint, RequestsPoint};
use crate::series::Series;
use crate::window::TimeWindow;

/// The first timestamp of the reference's latency example.
pub(crate) const BASE: i64 = 1_353_259_500;
/// The step of an hour window, in seconds.
pub(crate) const STEP: i64 = 30;

/// The start of slot `i` of a 30 s grid.
pub(crate) fn slot(i: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(BASE, 0).unwrap() + TimeDelta::seconds(STEP * i)
}

/// Up to `max` slot indices in 0..200, unique and sorted (slices may be missing).
fn slots(max: usize) -> impl Strategy<Value = Vec<i64>> {
    proptest::collection::btree_set(0i64..200, 0..=max).prop_map(|s| s.into_iter().collect())
}

/// A latency slice: empty (no traces) one time in five, else 1..5000 traces of
/// 0..30 s average (nanosecond resolution).
pub(crate) fn latency_at(at: DateTime<Utc>) -> impl Strategy<Value = LatencyPoint> {
    prop_oneof![
        1 => Just(LatencyPoint { at, volume: 0, average: None }),
        4 => (1u64..5000, 0u64..30_000_000_000).prop_map(move |(volume, nanos)| LatencyPoint {
            at,
            volume,
            average: Some(Duration::from_nanos(nanos)),
        }),
    ]
}

/// Every series below is told its window (`hour`, 30 s).
///
/// A latency series on the 30 s grid with up to `max` slices.
pub(crate) fn latency_series(max: usize) -> impl Strategy<Value = Series<LatencyPoint>> {
    slots(max)
        .prop_flat_map(|s| {
            s.into_iter()
                .map(|i| latency_at(slot(i)))
                .collect::<Vec<_>>()
        })
        .prop_map(|points| Series::new(points).unwrap().with_window(TimeWindow::Hour))
}

/// A layer series on the 30 s grid with up to `max` slices (some without calls).
pub(crate) fn layer_series(max: usize) -> impl Strategy<Value = Series<LayerPoint>> {
    slots(max)
        .prop_flat_map(|s| {
            s.into_iter()
                .map(|i| {
                    (0u64..2000, 0u64..60_000_000_000).prop_map(move |(calls, nanos)| LayerPoint {
                        at: slot(i),
                        calls,
                        total: if calls == 0 {
                            Duration::ZERO
                        } else {
                            Duration::from_nanos(nanos)
                        },
                    })
                })
                .collect::<Vec<_>>()
        })
        .prop_map(|points| Series::new(points).unwrap().with_window(TimeWindow::Hour))
}

/// A requests series on the 30 s grid with up to `max` slices.
pub(crate) fn requests_series(max: usize) -> impl Strategy<Value = Series<RequestsPoint>> {
    slots(max)
        .prop_flat_map(|s| {
            s.into_iter()
                .map(|i| {
                    (0u64..100_000).prop_map(move |requests| RequestsPoint {
                        at: slot(i),
                        requests,
                    })
                })
                .collect::<Vec<_>>()
        })
        .prop_map(|points| Series::new(points).unwrap().with_window(TimeWindow::Hour))
}

/// An error-rate series on the 30 s grid with up to `max` slices (some `null`).
pub(crate) fn error_series(max: usize) -> impl Strategy<Value = Series<ErrorRatePoint>> {
    slots(max)
        .prop_flat_map(|s| {
            s.into_iter()
                .map(|i| {
                    proptest::option::weighted(0.8, 0.0f64..=1.0)
                        .prop_map(move |rate| ErrorRatePoint { at: slot(i), rate })
                })
                .collect::<Vec<_>>()
        })
        .prop_map(|points| Series::new(points).unwrap().with_window(TimeWindow::Hour))
}
