//! Decoding tests, with the examples of the API reference (§11–13).

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::points::{ErrorRatePoint, LatencyPoint, RequestsPoint};
use crate::wire_units::duration_from_micros;

const LATENCY_FIELDS: &str = "timestamp,volume,avg_latency";

/// Rows from JSON, exactly as the generated wire type will hold them.
fn rows(v: serde_json::Value) -> Vec<Vec<Option<f64>>> {
    serde_json::from_value(v).unwrap()
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

fn decode_err<P: Point>(fields: &str, items: serde_json::Value) -> (String, String) {
    match Series::<P>::decode(fields, &rows(items)) {
        Err(Error::Decode { path, reason, .. }) => (path, reason),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn latency_reference_example() {
    let items = rows(json!([
        [1353259500, 11, 1180500],
        [1353259530, 10, 1246510],
        [1353259560, 6, 1022766.6666666666],
        [1353259590, 8, 1130812.5]
    ]));
    let s = Series::<LatencyPoint>::decode(LATENCY_FIELDS, &items).unwrap();
    assert_eq!(s.len(), 4);
    assert_eq!(s.step(), Some(Duration::from_secs(30)));
    assert_eq!(
        s[0],
        LatencyPoint {
            at: at(1353259500),
            volume: 11,
            average: Some(Duration::from_micros(1_180_500))
        }
    );
    assert_eq!(s[2].average, Some(Duration::from_nanos(1_022_766_667)));
    assert_eq!(s[3].average, Some(Duration::from_nanos(1_130_812_500)));
    assert_eq!(s.span(), TimeRange::new(at(1353259500), at(1353259620)));
}

#[test]
fn python_examples_floats_nulls_and_zeros() {
    let server = rows(json!([[1399089120.0, 27.0, 226074.07407407407]]));
    let s = Series::<LatencyPoint>::decode(LATENCY_FIELDS, &server).unwrap();
    assert_eq!(s[0].at, at(1399089120));
    assert_eq!(s[0].volume, 27);
    assert_eq!(s[0].average, duration_from_micros(226_074.074_074_074_07));
    assert_eq!(s.step(), None);
    assert_eq!(
        s.with_window(TimeWindow::Hour).step(),
        Some(Duration::from_secs(30))
    );

    // Client series: null latency in an empty slice; `0` there means the same.
    let client = rows(json!([
        [1399090230.0, 0, null],
        [1399090260.0, 0, 0],
        [1399090290.0, 3, 0]
    ]));
    let s = Series::<LatencyPoint>::decode(LATENCY_FIELDS, &client).unwrap();
    assert_eq!(s[0].average, None);
    assert_eq!(s[1].average, None);
    assert_eq!(
        s[2].average,
        Some(Duration::ZERO),
        "a real 0 µs average with traces"
    );

    // By-layer python example: an idle layer with `0` (and `null`) total.
    let layer = rows(json!([[1399089540.0, 10, 0], [1399089570.0, 0, null]]));
    let s = Series::<LayerPoint>::decode(LATENCY_FIELDS, &layer).unwrap();
    assert_eq!(
        s[0],
        LayerPoint {
            at: at(1399089540),
            calls: 10,
            total: Duration::ZERO
        }
    );
    assert_eq!(s[1].total, Duration::ZERO);
}

#[test]
fn millisecond_timestamps() {
    let ms = rows(json!([
        [1353259500000_i64, 11, 1180500],
        [1353259530000.0, 10, 1246510]
    ]));
    let s = Series::<LatencyPoint>::decode(LATENCY_FIELDS, &ms).unwrap();
    assert_eq!(s[0].at, at(1353259500));
    assert_eq!(s.step(), Some(Duration::from_secs(30)));
}

#[test]
fn error_rate_and_requests_examples() {
    let e = rows(json!([
        [1353259500, 0.01],
        [1353259530, 0],
        [1353259560, 0.0003],
        [1353259590, 0],
        [1353259620, null]
    ]));
    let s = Series::<ErrorRatePoint>::decode("timestamp,error_rate", &e).unwrap();
    let rates: Vec<_> = s.iter().map(|p| p.rate).collect();
    assert_eq!(
        rates,
        [Some(0.01), Some(0.0), Some(0.0003), Some(0.0), None]
    );
    let py = rows(json!([[1399082880.0, 0], [1399082910.0, 0]]));
    assert_eq!(
        Series::<ErrorRatePoint>::decode("timestamp,error_rate", &py)
            .unwrap()
            .len(),
        2
    );

    let r = rows(json!([
        [1433360130, 262],
        [1433360160, 224],
        [1433360190, 201],
        [1433360220, 222]
    ]));
    let s = Series::<RequestsPoint>::decode("timestamp,total_requests", &r).unwrap();
    assert_eq!(
        s.iter().map(|p| p.requests).collect::<Vec<_>>(),
        [262, 224, 201, 222]
    );
    let py = rows(json!([[1444650840.0, 583.0], [1444650870.0, 591.0]]));
    let s = Series::<RequestsPoint>::decode("timestamp,total_requests", &py).unwrap();
    assert_eq!(
        s[1],
        RequestsPoint {
            at: at(1444650870),
            requests: 591
        }
    );
}

#[test]
fn columns_are_found_by_name() {
    let reordered = rows(json!([[1180500, 7, 1353259500, 11]]));
    let s = Series::<LatencyPoint>::decode("latency, extra ,timestamp,volume", &reordered).unwrap();
    assert_eq!(
        s[0],
        LatencyPoint {
            at: at(1353259500),
            volume: 11,
            average: Some(Duration::from_micros(1_180_500))
        }
    );
    let (path, reason) = decode_err::<LatencyPoint>("timestamp,avg_latency", json!([[1, 2]]));
    assert_eq!(
        (path.as_str(), reason.as_str()),
        ("data.fields", "missing column `volume`")
    );
    let (_, reason) = decode_err::<RequestsPoint>("timestamp,volume", json!([]));
    assert_eq!(reason, "missing column `total_requests`");
    let (_, reason) = decode_err::<ErrorRatePoint>("error_rate", json!([]));
    assert_eq!(reason, "missing column `timestamp`");
    // No rows is an empty series, not an error.
    assert!(
        Series::<LatencyPoint>::decode::<Vec<Option<f64>>>(LATENCY_FIELDS, &[])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn bad_cells_name_row_and_column() {
    let cases = [
        (
            json!([[1353259500, 11, 1180500], [1353259530, 10]]),
            "data.items[1]",
            "expected 3 values (timestamp,volume,avg_latency), found 2",
        ),
        (
            json!([[1353259500, 11, 1180500, 4]]),
            "data.items[0]",
            "expected 3 values (timestamp,volume,avg_latency), found 4",
        ),
        (
            json!([[1, 1, 1], [2, 1, 1], [3, 1, 1], [1353259590, 8, -5]]),
            "data.items[3][2]",
            "negative latency -5",
        ),
        (
            json!([[1353259500, 2.5, 1]]),
            "data.items[0][1]",
            "volume 2.5 is not a whole number",
        ),
        (
            json!([[1353259500, -1, 1]]),
            "data.items[0][1]",
            "negative volume -1",
        ),
        (
            json!([[1353259500, null, 1]]),
            "data.items[0][1]",
            "volume is null",
        ),
        (
            json!([[1353259500, 1e300, 1]]),
            "data.items[0][1]",
            "volume 1e300 is out of range",
        ),
        (
            json!([[null, 1, 1]]),
            "data.items[0][0]",
            "timestamp is null",
        ),
        (
            json!([[-30, 1, 1]]),
            "data.items[0][0]",
            "timestamp -30 is out of range",
        ),
        (
            json!([[1353259500, 1, 1e300]]),
            "data.items[0][2]",
            "latency 1e300 µs is out of range",
        ),
    ];
    for (items, want_path, want_reason) in cases {
        let (path, reason) = decode_err::<LatencyPoint>(LATENCY_FIELDS, items);
        assert_eq!((path.as_str(), reason.as_str()), (want_path, want_reason));
    }
    let nan = vec![vec![Some(1353259500.0), Some(1.0), Some(f64::NAN)]];
    assert!(
        matches!(Series::<LatencyPoint>::decode(LATENCY_FIELDS, &nan),
        Err(Error::Decode { path, reason, .. }) if path == "data.items[0][2]" && reason == "latency is not a number")
    );
    let inf = vec![vec![Some(f64::INFINITY), Some(1.0), Some(1.0)]];
    assert!(Series::<LatencyPoint>::decode(LATENCY_FIELDS, &inf).is_err());
    let (path, reason) =
        decode_err::<ErrorRatePoint>("timestamp,error_rate", json!([[1353259500, 1.5]]));
    assert_eq!(
        (path.as_str(), reason.as_str()),
        ("data.items[0][1]", "error rate 1.5 is outside 0..1")
    );
    let (_, reason) =
        decode_err::<RequestsPoint>("timestamp,total_requests", json!([[1353259500, 0.5]]));
    assert_eq!(reason, "total requests 0.5 is not a whole number");
}

#[test]
fn the_error_message_shows_the_row() {
    let err = Series::<LatencyPoint>::decode(LATENCY_FIELDS, &rows(json!([[1353259590, 8, -5]])))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode the response at data.items[0][2]: negative latency -5 (near `[1353259590, 8, -5]`)"
    );
}

#[test]
fn rows_are_sorted_and_duplicates_rejected() {
    let unsorted = rows(json!([
        [1353259560, 1, 3],
        [1353259500, 1, 1],
        [1353259530, 1, 2]
    ]));
    let s = Series::<LatencyPoint>::decode(LATENCY_FIELDS, &unsorted).unwrap();
    assert!(s.windows(2).all(|w| w[0].at < w[1].at));
    // The same instant in seconds and in milliseconds is a duplicate too.
    let dup = json!([
        [1353259500, 1, 1],
        [1353259530, 1, 1],
        [1353259500000_i64, 2, 2]
    ]);
    let (path, reason) = decode_err::<LatencyPoint>(LATENCY_FIELDS, dup);
    assert_eq!(path, "data.items[2][0]");
    assert_eq!(
        reason,
        "duplicate timestamp 2012-11-18T17:25:00+00:00 (also in items[0])"
    );
    let points = vec![
        RequestsPoint {
            at: at(1),
            requests: 1,
        },
        RequestsPoint {
            at: at(1),
            requests: 2,
        },
    ];
    assert!(matches!(
        Series::new(points),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn derived_step_ignores_gaps() {
    let gappy = rows(json!([
        [1353259500, 1, 1],
        [1353259590, 1, 1],
        [1353259620, 1, 1]
    ]));
    let s = Series::<LatencyPoint>::decode(LATENCY_FIELDS, &gappy).unwrap();
    assert_eq!(s.derived_step(), Some(Duration::from_secs(30)));
    assert_eq!(
        s.clone().with_window(TimeWindow::Day).step(),
        Some(Duration::from_secs(900))
    );
    assert_eq!(
        s.clone().with_step(Duration::ZERO).step(),
        Some(Duration::from_secs(30))
    );
    assert_eq!(s.point_at(at(1353259590)).map(|p| p.volume), Some(1));
    assert_eq!(s.point_at(at(1353259560)), None);
}

#[test]
fn by_layer_paths_and_duplicates() {
    let ok = rows(json!([[1378931430.0, 7, 811684.0]]));
    let bad = rows(json!([[1378931430.0, 7, 811684.0], [1378931460.0, 9]]));
    let err = LayerSeries::decode_all([
        ("nginx", LATENCY_FIELDS, ok.as_slice()),
        ("php", LATENCY_FIELDS, bad.as_slice()),
    ])
    .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == "data[1].timeseries.items[1]"),
        "{err}"
    );
    let err = LayerSeries::decode_all([
        ("nginx", LATENCY_FIELDS, ok.as_slice()),
        ("nginx", LATENCY_FIELDS, ok.as_slice()),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode the response at data[1].layer: layer `nginx` appears twice (also data[0]) (near `nginx`)"
    );
    let layers = LayerSeries::decode_all([("nginx", LATENCY_FIELDS, ok.as_slice())]).unwrap();
    assert_eq!(layers[0].series[0].total, Duration::from_micros(811_684));
    assert_eq!(
        layers[0]
            .clone()
            .with_window(TimeWindow::Week)
            .series
            .step(),
        Some(Duration::from_secs(7200))
    );
}
