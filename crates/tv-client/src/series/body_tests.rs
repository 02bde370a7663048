//! Decoding answers from their bytes (`Series::from_body`, `LayerSeries::from_body`):
//! the direct path gives exactly what the generated types plus the conversion give, and
//! every body it declines gets the usual result or error.

use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::client::body_error;
use crate::points::{ErrorRatePoint, LatencyPoint, RequestsPoint};

/// The usual path: the generated envelope, then the conversion.
fn wire<P: Point + SeriesAnswer>(body: &str) -> Result<Series<P>, Error> {
    match serde_json::from_str::<P::Envelope>(body) {
        Ok(envelope) => Series::from_wire(&envelope),
        Err(e) => Err(body_error::<P::Envelope>(body.as_bytes(), &e)),
    }
}

fn wire_layers(body: &str) -> Result<Vec<LayerSeries>, Error> {
    match serde_json::from_str::<LayerTimeseriesListEnvelope>(body) {
        Ok(envelope) => LayerSeries::from_wire_all(&envelope),
        Err(e) => Err(body_error::<LayerTimeseriesListEnvelope>(
            body.as_bytes(),
            &e,
        )),
    }
}

/// `from_body` equals the usual path, and the direct path agrees whenever it answers.
fn same<P: Point + SeriesAnswer>(body: &str) -> Result<Series<P>, Error> {
    let usual = wire::<P>(body);
    if let Some(direct) = Series::<P>::direct(body.as_bytes(), 3) {
        assert_eq!(Ok(&direct), usual.as_ref(), "direct path on {body}");
    }
    let got = Series::<P>::from_body(body.as_bytes());
    assert_eq!(got, usual, "from_body on {body}");
    got
}

fn same_layers(body: &str) -> Result<Vec<LayerSeries>, Error> {
    let usual = wire_layers(body);
    if let Some(direct) = LayerSeries::direct_all(body.as_bytes(), 0) {
        assert_eq!(Ok(&direct), usual.as_ref(), "direct path on {body}");
    }
    let got = LayerSeries::from_body(body.as_bytes());
    assert_eq!(got, usual, "from_body on {body}");
    got
}

const ROWS: &str =
    "[[1353259500, 11, 1180500], [1353259530, 0, null], [1353259560, 6, 1022766.6666666666]]";

fn latency_body(rows: &str) -> String {
    format!(
        r#"{{"data": {{"fields": "timestamp,volume,avg_latency", "items": {rows}}}, "response": "ok"}}"#
    )
}

fn decode_error(result: Result<impl std::fmt::Debug, Error>) -> (String, String) {
    match result {
        Err(Error::Decode { path, reason, .. }) => (path, reason),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn valid_answers_take_the_direct_path() {
    let body = latency_body(ROWS);
    let direct = Series::<LatencyPoint>::direct(body.as_bytes(), 3).expect("read directly");
    assert_eq!(direct.len(), 3);
    assert_eq!(direct.step(), Some(Duration::from_secs(30)));
    assert_eq!(direct[1].average, None);
    assert_eq!(direct[2].average, Some(Duration::from_nanos(1_022_766_667)));
    assert_eq!(same::<LatencyPoint>(&body), Ok(direct));

    let rates = r#"{"data": {"fields": "timestamp,error_rate", "items": [[1353259500, 0.01], [1353259530, null]]}, "response": "ok"}"#;
    assert!(Series::<ErrorRatePoint>::direct(rates.as_bytes(), 2).is_some());
    assert_eq!(same::<ErrorRatePoint>(rates).unwrap()[1].rate, None);
    let requests = r#"{"data": {"fields": "timestamp,total_requests", "items": [[1353259500, 262.0]]}, "response": "ok"}"#;
    assert!(Series::<RequestsPoint>::direct(requests.as_bytes(), 1).is_some());
    assert_eq!(same::<RequestsPoint>(requests).unwrap()[0].requests, 262);
}

#[test]
fn keys_in_any_order_and_unknown_keys_ignored() {
    let expected = same::<LatencyPoint>(&latency_body(ROWS)).unwrap();
    for body in [
        format!(
            r#"{{"response": "ok", "data": {{"items": {ROWS}, "fields": "timestamp,volume,avg_latency"}}}}"#
        ),
        format!(
            r#"{{"data": {{"items": {ROWS}, "extra": [1, {{"a": null}}], "fields": "timestamp,volume,avg_latency"}}, "took_ms": 3, "response": "ok"}}"#
        ),
        format!("\n {} \n", latency_body(ROWS)),
    ] {
        assert!(
            Series::<LatencyPoint>::direct(body.as_bytes(), 3).is_some(),
            "{body}"
        );
        assert_eq!(
            same::<LatencyPoint>(&body).as_ref(),
            Ok(&expected),
            "{body}"
        );
    }
}

#[test]
fn every_way_of_writing_a_number_reads_the_same() {
    let body = latency_body(
        "[[1353259500.0, 1E2, -0], [1353259530000, 2.0, 0], [1.35325956e9, 3, 12345678901234567890123], \
         [1353259590, 18446744073709551616, 1.5e-3]]",
    );
    let direct = Series::<LatencyPoint>::direct(body.as_bytes(), 4);
    assert!(direct.is_none(), "the big count is an error");
    let _ = same::<LatencyPoint>(&body);
    let body = latency_body(
        "[[1353259500.0, 1E2, -0], [1353259530000, 2.0, 0], [1.35325956e9, 3, 1.5e-3]]",
    );
    let series = same::<LatencyPoint>(&body).unwrap();
    assert_eq!(series[0].volume, 100);
    assert_eq!(series[0].average, Some(Duration::ZERO));
    assert_eq!(series[2].average, Some(Duration::from_nanos(2)));
}

#[test]
fn unsorted_rows_are_sorted_and_duplicates_named() {
    let body = latency_body("[[1353259560, 6, 5], [1353259500, 11, 7], [1353259530, 1, 2]]");
    let series = same::<LatencyPoint>(&body).unwrap();
    let seconds: Vec<i64> = series.iter().map(|p| p.at.timestamp()).collect();
    assert_eq!(seconds, [1353259500, 1353259530, 1353259560]);
    assert_eq!(series.derived_step(), Some(Duration::from_secs(30)));

    let body = latency_body("[[1353259500, 1, 5], [1353259530, 2, 7], [1353259500000, 3, 2]]");
    assert_eq!(
        decode_error(same::<LatencyPoint>(&body)),
        (
            "data.items[2][0]".into(),
            "duplicate timestamp 2012-11-18T17:25:00+00:00 (also in items[0])".into()
        )
    );
}

#[test]
fn bad_and_null_cells_are_the_usual_errors() {
    for (rows, path, reason) in [
        (
            "[[1353259500, null, 5]]",
            "data.items[0][1]",
            "volume is null",
        ),
        ("[[null, 1, 5]]", "data.items[0][0]", "timestamp is null"),
        (
            "[[1353259500, 1, 5], [1353259530, 1.5, 5]]",
            "data.items[1][1]",
            "volume 1.5 is not a whole number",
        ),
        (
            "[[1353259500, -2, 5]]",
            "data.items[0][1]",
            "negative volume -2",
        ),
        (
            "[[1353259500, 1e300, 5]]",
            "data.items[0][1]",
            "volume 1e300 is out of range",
        ),
        (
            "[[1353259500, 1, -5]]",
            "data.items[0][2]",
            "negative latency -5",
        ),
        (
            "[[1e300, 1, 5]]",
            "data.items[0][0]",
            "timestamp 1e300 is out of range",
        ),
    ] {
        let got = decode_error(same::<LatencyPoint>(&latency_body(rows)));
        assert_eq!(got, (path.to_owned(), reason.to_owned()), "{rows}");
    }
    let rates = r#"{"data": {"fields": "timestamp,error_rate", "items": [[1353259500, 1.5]]}, "response": "ok"}"#;
    assert_eq!(
        decode_error(same::<ErrorRatePoint>(rates)),
        (
            "data.items[0][1]".into(),
            "error rate 1.5 is outside 0..1".into()
        )
    );
}

#[test]
fn bodies_that_are_not_the_envelope_are_decode_errors() {
    let long_row = latency_body("[[1353259500, 1, 5, 6]]");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let huge = latency_body(&format!(
        "[{}]",
        vec!["[1353259500, 1, 5]"; 100_000].join(",")
    ));
    for body in [
        "",
        "null",
        "{",
        "<html>502 Bad Gateway</html>",
        r#"{"data": true, "response": "ok"}"#,
        r#"{"data": {"fields": "timestamp,volume", "items": []}, "response": "ok"}"#,
        r#"{"data": {"fields": "timestamp,volume,avg_latency"}, "response": "ok"}"#,
        r#"{"data": {"fields": "timestamp,volume,avg_latency", "items": [[1, "2", 3]]}, "response": "ok"}"#,
        r#"{"data": {"fields": "timestamp,volume,avg_latency", "items": [], "items": []}, "response": "ok"}"#,
        r#"{"data": {"fields": "timestamp,volume,avg_latency", "items": []}, "response": "ok"} x"#,
        r#"{"data": {"fields": "timestamp,volume,avg_latency", "items": []}}"#,
        long_row.as_str(),
        deep.as_str(),
        huge.as_str(),
    ] {
        let result = same::<LatencyPoint>(body);
        assert!(matches!(result, Err(Error::Decode { .. })), "{result:?}");
    }
    let error_200 = r#"{"data": "bad key", "response": "error"}"#;
    assert!(matches!(
        same::<LatencyPoint>(error_200),
        Err(Error::UnexpectedResponse { status: 200, .. })
    ));
    let bytes = [b"{\"data\": \xff".as_slice(), b"}"].concat();
    assert!(matches!(
        Series::<LatencyPoint>::from_body(&bytes),
        Err(Error::Decode { .. })
    ));
}

#[test]
fn an_envelope_written_as_an_array_still_decodes() {
    // serde reads a struct from an array too; the direct path declines, the usual path reads it.
    let body = format!(r#"[{{"fields": "timestamp,volume,avg_latency", "items": {ROWS}}}, "ok"]"#);
    assert!(Series::<LatencyPoint>::direct(body.as_bytes(), 3).is_none());
    assert_eq!(same::<LatencyPoint>(&body).unwrap().len(), 3);
}

fn layer(name: &str, rows: &str, fields_first: bool) -> String {
    let series = if fields_first {
        format!(r#"{{"fields": "timestamp,volume,avg_latency", "items": {rows}}}"#)
    } else {
        format!(r#"{{"items": {rows}, "fields": "timestamp,volume,avg_latency"}}"#)
    };
    if fields_first {
        format!(r#"{{"layer": {name:?}, "timeseries": {series}}}"#)
    } else {
        format!(r#"{{"timeseries": {series}, "layer": {name:?}}}"#)
    }
}

fn layers_body(layers: &[String]) -> String {
    format!(r#"{{"data": [{}], "response": "ok"}}"#, layers.join(", "))
}

#[test]
fn by_layer_answers() {
    let rows = "[[1378931430.0, 7, 811684.0], [1378931460.0, 9, null]]";
    let body = layers_body(&[
        layer("Cassandra:client", rows, true),
        layer("nginx", rows, false),
    ]);
    let direct = LayerSeries::direct_all(body.as_bytes(), 0).expect("read directly");
    assert_eq!(direct.len(), 2);
    assert_eq!(direct[0].layer, "Cassandra:client");
    assert_eq!(direct[1].series[1].total, Duration::ZERO);
    assert_eq!(same_layers(&body), Ok(direct));
    assert_eq!(same_layers(&layers_body(&[])), Ok(vec![]));

    let escaped = layers_body(&[layer("a\"b\\u00e9", rows, true)]);
    assert_eq!(same_layers(&escaped).unwrap()[0].layer, "a\"b\\u00e9");

    let twice = layers_body(&[
        layer("nginx", rows, true),
        layer("x", rows, true),
        layer("nginx", rows, false),
    ]);
    assert_eq!(
        decode_error(same_layers(&twice)),
        (
            "data[2].layer".into(),
            "layer `nginx` appears twice (also data[0])".into()
        )
    );
    let bad = layers_body(&[
        layer("nginx", rows, true),
        layer("x", "[[1378931430.0, 7.5, 1]]", false),
    ]);
    assert_eq!(
        decode_error(same_layers(&bad)),
        (
            "data[1].timeseries.items[0][1]".into(),
            "volume 7.5 is not a whole number".into()
        )
    );
    for body in ["[]", r#"{"data": [{"layer": "x"}], "response": "ok"}"#] {
        assert!(
            matches!(same_layers(body), Err(Error::Decode { .. })),
            "{body}"
        );
    }
}

/// A cell as JSON text: mostly plausible, sometimes wrong.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        40 => (0u32..5000).prop_map(|n| n.to_string()),
        4 => (0.0f64..2e8).prop_map(|x| format!("{x:?}")),
        3 => Just("null".to_owned()),
        1 => (-5.0f64..5.0).prop_map(|x| format!("{x:?}")),
        1 => Just("1e300".to_owned()),
        1 => Just("\"7\"".to_owned()),
    ]
}

/// A row: a timestamp near the start (seconds or milliseconds, mostly ascending), then
/// mostly `cells` cells.
fn row(cells: usize) -> impl Strategy<Value = (u32, bool, Vec<String>)> {
    let width = prop_oneof![12 => Just(cells), 1 => Just(cells + 1), 1 => 0..cells];
    let cells = width.prop_flat_map(|n| prop::collection::vec(cell(), n));
    (0u32..12, prop::bool::weighted(0.1), cells)
}

fn render(rows: &[(u32, bool, Vec<String>)]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, (jitter, millis, cells))| {
            // Jitter 1 moves a row back by two steps (unsorted, maybe a duplicate), 2 by
            // half a step; the rest keep a 2 h step.
            let secs = 1_704_000_000 + 7200 * i as u64 + u64::from(*jitter == 2) * 3600
                - u64::from(*jitter == 1) * 14_400;
            let at = if *millis { secs * 1000 } else { secs };
            let mut all = vec![at.to_string()];
            all.extend(cells.iter().cloned());
            format!("[{}]", all.join(","))
        })
        .collect();
    format!("[{}]", rows.join(","))
}

proptest! {
    #[test]
    fn latency_bodies_agree(
        rows in prop::collection::vec(row(2), 0..12),
        fields_first in any::<bool>(),
        header in prop_oneof![8 => Just("timestamp,volume,avg_latency"), 1 => Just("timestamp,volume")],
    ) {
        let items = render(&rows);
        let data = if fields_first {
            format!(r#"{{"fields": "{header}", "items": {items}}}"#)
        } else {
            format!(r#"{{"items": {items}, "fields": "{header}"}}"#)
        };
        let body = format!(r#"{{"response": "ok", "data": {data}}}"#);
        let _ = same::<LatencyPoint>(&body);
    }

    #[test]
    fn error_rate_bodies_agree(rows in prop::collection::vec(row(1), 0..12)) {
        let body = format!(
            r#"{{"data": {{"fields": "timestamp,error_rate", "items": {}}}, "response": "ok"}}"#,
            render(&rows)
        );
        let _ = same::<ErrorRatePoint>(&body);
    }

    #[test]
    fn layer_bodies_agree(
        layers in prop::collection::vec((0u8..4, prop::collection::vec(row(2), 0..5), any::<bool>()), 0..5),
    ) {
        let layers: Vec<String> = layers
            .iter()
            .map(|(name, rows, order)| layer(&format!("layer-{name}"), &render(rows), *order))
            .collect();
        let _ = same_layers(&layers_body(&layers));
    }
}
