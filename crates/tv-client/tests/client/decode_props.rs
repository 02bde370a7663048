//! Property tests of the decoders (part of the reliability suite): whatever the server
//! sends, `Series::decode`, `LayerSeries::decode_all` and the client's envelope decoding
//! never panic; a bad value is an `Error::Decode` naming its row and column (or the
//! header, or the layer) inside the document; a good series comes back whole and sorted.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRng, TestRunner};
use tv_client::{
    Error, ErrorRatePoint, LatencyPoint, LayerPoint, LayerSeries, Point, RequestsPoint,
    RetryPolicy, Series, ServerFilter, TraceView,
};

/// Column names a header is made of: the known ones, aliases, and noise.
fn column() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("timestamp"),
        Just("volume"),
        Just("avg_latency"),
        Just("latency"),
        Just("error_rate"),
        Just("total_requests"),
        Just("Timestamp"),
        Just(" volume "),
        Just("extra"),
        Just(""),
    ]
}

/// Any cell: null, ordinary numbers, and everything a decoder must reject.
fn cell() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        2 => Just(None),
        4 => (1_353_259_500i64..1_353_300_000).prop_map(|t| Some(t as f64)),
        4 => (0u32..10_000).prop_map(|v| Some(f64::from(v))),
        2 => (0.0f64..1.0).prop_map(Some),
        1 => any::<f64>().prop_map(Some),
        1 => prop_oneof![
            Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), Just(1e300), Just(-0.0), Just(0.5)
        ].prop_map(Some),
    ]
}

fn header() -> impl Strategy<Value = String> {
    proptest::collection::vec(column(), 0..6).prop_map(|c| c.join(","))
}

fn rows() -> impl Strategy<Value = Vec<Vec<Option<f64>>>> {
    proptest::collection::vec(proptest::collection::vec(cell(), 0..6), 0..12)
}

/// Parses `data.items[R][C]` / `data.items[R]` / `data.fields` under `prefix`.
fn place(path: &str, prefix: &str) -> Option<(Option<usize>, Option<usize>)> {
    let rest = path.strip_prefix(prefix)?;
    if rest == ".fields" {
        return Some((None, None));
    }
    let rest = rest.strip_prefix(".items[")?;
    let (row, rest) = rest.split_once(']')?;
    let row: usize = row.parse().ok()?;
    if rest.is_empty() {
        return Some((Some(row), None));
    }
    let column = rest.strip_prefix('[')?.strip_suffix(']')?.parse().ok()?;
    Some((Some(row), Some(column)))
}

/// Decoding any header and rows as `P` returns a sorted series or an error that points
/// into the document.
fn check_any<P: Point + std::fmt::Debug>(
    fields: &str,
    items: &[Vec<Option<f64>>],
) -> Result<(), TestCaseError> {
    match Series::<P>::decode(fields, items) {
        Ok(series) => {
            prop_assert_eq!(series.len(), items.len());
            prop_assert!(series.windows(2).all(|w| w[0].at() < w[1].at()));
        }
        Err(Error::Decode { path, reason, .. }) => {
            let place = place(&path, "data");
            prop_assert!(place.is_some(), "unexpected path {path} ({reason})");
            if let Some((Some(row), column)) = place {
                prop_assert!(row < items.len(), "{path}");
                if let Some(column) = column {
                    prop_assert!(column < items[row].len(), "{path}: {reason}");
                }
            }
            prop_assert!(!reason.is_empty());
        }
        Err(other) => prop_assert!(false, "not a decode error: {other:?}"),
    }
    Ok(())
}

/// A runner of `cases` cases with a fixed seed: CI runs the same cases every time.
fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    TestRunner::new_with_rng(config, rng)
}

#[test]
fn any_series_decodes_or_names_its_place() {
    let mut runner = runner(2048);
    runner
        .run(&(header(), rows()), |(fields, items)| {
            check_any::<LatencyPoint>(&fields, &items)?;
            check_any::<LayerPoint>(&fields, &items)?;
            check_any::<ErrorRatePoint>(&fields, &items)?;
            check_any::<RequestsPoint>(&fields, &items)
        })
        .unwrap();
}

/// A well-formed latency series: unique timestamps (shuffled), whole volumes,
/// non-negative averages or null.
fn valid_latency() -> impl Strategy<Value = Vec<Vec<Option<f64>>>> {
    proptest::collection::btree_set(0i64..500, 1..40)
        .prop_flat_map(|slots| {
            let n = slots.len();
            (
                Just(slots.into_iter().collect::<Vec<_>>()),
                proptest::collection::vec((0u32..5000, proptest::option::of(0.0f64..1e9)), n),
            )
        })
        .prop_map(|(slots, values)| {
            slots
                .iter()
                .zip(values)
                .map(|(slot, (volume, latency))| {
                    vec![
                        Some((1_353_259_500 + 30 * slot) as f64),
                        Some(f64::from(volume)),
                        latency,
                    ]
                })
                .collect()
        })
        .prop_shuffle()
}

#[test]
fn a_valid_series_comes_back_whole_and_sorted() {
    let mut runner = runner(512);
    runner
        .run(&valid_latency(), |items| {
            let series = Series::<LatencyPoint>::decode("timestamp,volume,avg_latency", &items)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(series.len(), items.len());
            let mut volumes: Vec<u64> = items.iter().map(|r| r[1].unwrap_or(0.0) as u64).collect();
            let mut decoded: Vec<u64> = series.iter().map(|p| p.volume).collect();
            volumes.sort_unstable();
            decoded.sort_unstable();
            prop_assert_eq!(volumes, decoded);
            prop_assert!(series.windows(2).all(|w| w[0].at < w[1].at));
            Ok(())
        })
        .unwrap();
}

/// Values a volume column must refuse, and values a latency column must refuse.
fn bad_volume() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        Just(Some(-1.0)),
        Just(Some(2.5)),
        Just(Some(f64::NAN)),
        Just(Some(f64::INFINITY)),
        Just(Some(1e300)),
    ]
}

fn bad_latency() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(Some(-5.0)),
        Just(Some(f64::NAN)),
        Just(Some(f64::NEG_INFINITY)),
        Just(Some(1e300)),
    ]
}

#[test]
fn one_bad_cell_is_named_by_row_and_column() {
    let strategy = (
        valid_latency(),
        any::<prop::sample::Index>(),
        bad_volume(),
        bad_latency(),
        any::<bool>(),
    );
    let mut runner = runner(512);
    runner
        .run(
            &strategy,
            |(mut items, index, volume, latency, in_volume)| {
                let row = index.index(items.len());
                let column = if in_volume { 1 } else { 2 };
                items[row][column] = if in_volume { volume } else { latency };
                // The layer endpoint names its columns the same way.
                match LayerSeries::decode_all([(
                    "nginx",
                    "timestamp,volume,avg_latency",
                    items.as_slice(),
                )]) {
                    Err(Error::Decode { path, .. }) => {
                        prop_assert_eq!(path, format!("data[0].timeseries.items[{row}][{column}]"));
                    }
                    other => prop_assert!(false, "row {row} column {column}: {other:?}"),
                }
                match Series::<LatencyPoint>::decode("timestamp,volume,avg_latency", &items) {
                    Err(Error::Decode { path, .. }) => {
                        prop_assert_eq!(path, format!("data.items[{row}][{column}]"));
                    }
                    other => prop_assert!(false, "row {row} column {column}: {other:?}"),
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn any_layer_list_decodes_or_names_its_place() {
    let layer = (
        prop_oneof![Just("nginx"), Just("rails"), Just("mysql"), Just("")],
        header(),
        rows(),
    );
    let mut runner = runner(512);
    runner
        .run(&proptest::collection::vec(layer, 0..5), |layers| {
            let input = layers
                .iter()
                .map(|(name, fields, items)| (*name, fields.as_str(), items.as_slice()));
            match LayerSeries::decode_all(input) {
                Ok(decoded) => prop_assert_eq!(decoded.len(), layers.len()),
                Err(Error::Decode { path, reason, .. }) => {
                    let i: usize = path
                        .strip_prefix("data[")
                        .and_then(|r| r.split_once(']'))
                        .and_then(|(i, _)| i.parse().ok())
                        .ok_or_else(|| TestCaseError::fail(format!("bad path {path}")))?;
                    prop_assert!(i < layers.len(), "{path}");
                    let inner = format!("data[{i}].timeseries");
                    prop_assert!(
                        path == format!("data[{i}].layer") || place(&path, &inner).is_some(),
                        "{path}: {reason}"
                    );
                }
                Err(other) => prop_assert!(false, "not a decode error: {other:?}"),
            }
            Ok(())
        })
        .unwrap();
}

/// A loopback server answering every request with the current `body` as a JSON 200.
fn serve(body: Arc<Mutex<Vec<u8>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let body = body.lock().unwrap().clone();
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}/api-v2")
}

const BY_LAYER: &str = r#"{"data": [{"layer": "nginx", "timeseries": {"fields": "timestamp,volume,avg_latency", "items": [[1704283200, 3, 1200.5], [1704283230, 0, null]]}}, {"layer": "mysql", "timeseries": {"fields": "timestamp,volume,avg_latency", "items": [[1704283200, 9, 800]]}}], "response": "ok"}"#;

/// Mutations of a valid by-layer envelope: cut short, a byte replaced, a token inserted.
fn mutated_body() -> impl Strategy<Value = Vec<u8>> {
    let len = BY_LAYER.len();
    let token = prop_oneof![
        Just("null"),
        Just("\"x\""),
        Just("-1"),
        Just("1e999"),
        Just("[]"),
        Just("{}"),
        Just(","),
        Just("]"),
        Just("}"),
        Just("\"error\""),
        Just("0.5"),
        Just("\u{fffd}"),
    ];
    prop_oneof![
        (0..len).prop_map(|cut| BY_LAYER.as_bytes()[..cut].to_vec()),
        (0..len, any::<u8>()).prop_map(|(at, byte)| {
            let mut body = BY_LAYER.as_bytes().to_vec();
            body[at] = byte;
            body
        }),
        (0..len, token).prop_map(|(at, token)| {
            let mut body = BY_LAYER.as_bytes()[..at].to_vec();
            body.extend_from_slice(token.as_bytes());
            body.extend_from_slice(&BY_LAYER.as_bytes()[at..]);
            body
        }),
    ]
}

#[test]
fn any_by_layer_body_is_decoded_or_refused_by_the_client() {
    let body = Arc::new(Mutex::new(BY_LAYER.as_bytes().to_vec()));
    let base = serve(Arc::clone(&body));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let tv = TraceView::builder()
        .site(&base)
        .api_key("prop-test-key")
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let filter = ServerFilter::new();
    let layers = runtime
        .block_on(tv.latency().by_layer("web-shop", &filter))
        .unwrap();
    assert_eq!(layers.len(), 2);

    let mut runner = runner(256);
    runner
        .run(&mutated_body(), |mutated| {
            *body.lock().unwrap() = mutated;
            match runtime.block_on(tv.latency().by_layer("web-shop", &filter)) {
                Ok(layers) => prop_assert!(layers.len() <= 3),
                Err(Error::Decode { path, .. }) => {
                    prop_assert!(
                        path == "$" || path == "response" || path.starts_with("data"),
                        "{path}"
                    );
                }
                Err(Error::UnexpectedResponse { status, .. }) => prop_assert_eq!(status, 200),
                Err(other) => prop_assert!(false, "not a decode error: {:?}", other),
            }
            Ok(())
        })
        .unwrap();
}
