//! Decoding answers from their bytes (`Series::from_body`, `LayerSeries::from_body`):
//! the generated envelope, then the typed conversion, with its errors.

use std::time::Duration;

use super::*;
use crate::points::{ErrorRatePoint, LatencyPoint, RequestsPoint};

fn from_body<P: Point + SeriesAnswer>(body: &str) -> Result<Series<P>, Error> {
    Series::<P>::from_body(body.as_bytes())
}

fn layers_from_body(body: &str) -> Result<Vec<LayerSeries>, Error> {
    LayerSeries::from_body(body.as_bytes())
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
fn valid_answers_decode() {
    let body = latency_body(ROWS);
    let series = from_body::<LatencyPoint>(&body).expect("a valid answer");
    assert_eq!(series.len(), 3);
    assert_eq!(series.step(), Some(Duration::from_secs(30)));
    assert_eq!(series[1].average, None);
    assert_eq!(series[2].average, Some(Duration::from_nanos(1_022_766_667)));

    let rates = r#"{"data": {"fields": "timestamp,error_rate", "items": [[1353259500, 0.01], [1353259530, null]]}, "response": "ok"}"#;
    assert_eq!(from_body::<ErrorRatePoint>(rates).unwrap()[1].rate, None);
    let requests = r#"{"data": {"fields": "timestamp,total_requests", "items": [[1353259500, 262.0]]}, "response": "ok"}"#;
    assert_eq!(
        from_body::<RequestsPoint>(requests).unwrap()[0].requests,
        262
    );
}

#[test]
fn keys_in_any_order_and_unknown_keys_ignored() {
    let expected = from_body::<LatencyPoint>(&latency_body(ROWS)).unwrap();
    for body in [
        format!(
            r#"{{"response": "ok", "data": {{"items": {ROWS}, "fields": "timestamp,volume,avg_latency"}}}}"#
        ),
        format!(
            r#"{{"data": {{"items": {ROWS}, "extra": [1, {{"a": null}}], "fields": "timestamp,volume,avg_latency"}}, "took_ms": 3, "response": "ok"}}"#
        ),
        format!("\n {} \n", latency_body(ROWS)),
    ] {
        assert_eq!(
            from_body::<LatencyPoint>(&body).as_ref(),
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
    assert!(
        matches!(from_body::<LatencyPoint>(&body), Err(Error::Decode { .. })),
        "the big count is an error"
    );
    let body = latency_body(
        "[[1353259500.0, 1E2, -0], [1353259530000, 2.0, 0], [1.35325956e9, 3, 1.5e-3]]",
    );
    let series = from_body::<LatencyPoint>(&body).unwrap();
    assert_eq!(series[0].volume, 100);
    assert_eq!(series[0].average, Some(Duration::ZERO));
    assert_eq!(series[2].average, Some(Duration::from_nanos(2)));
}

#[test]
fn unsorted_rows_are_sorted_and_duplicates_named() {
    let body = latency_body("[[1353259560, 6, 5], [1353259500, 11, 7], [1353259530, 1, 2]]");
    let series = from_body::<LatencyPoint>(&body).unwrap();
    let seconds: Vec<i64> = series.iter().map(|p| p.at.timestamp()).collect();
    assert_eq!(seconds, [1353259500, 1353259530, 1353259560]);
    assert_eq!(series.derived_step(), Some(Duration::from_secs(30)));

    let body = latency_body("[[1353259500, 1, 5], [1353259530, 2, 7], [1353259500000, 3, 2]]");
    assert_eq!(
        decode_error(from_body::<LatencyPoint>(&body)),
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
        let got = decode_error(from_body::<LatencyPoint>(&latency_body(rows)));
        assert_eq!(got, (path.to_owned(), reason.to_owned()), "{rows}");
    }
    let rates = r#"{"data": {"fields": "timestamp,error_rate", "items": [[1353259500, 1.5]]}, "response": "ok"}"#;
    assert_eq!(
        decode_error(from_body::<ErrorRatePoint>(rates)),
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
        let result = from_body::<LatencyPoint>(body);
        assert!(matches!(result, Err(Error::Decode { .. })), "{result:?}");
    }
    let error_200 = r#"{"data": "bad key", "response": "error"}"#;
    assert!(matches!(
        from_body::<LatencyPoint>(error_200),
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
    // serde reads a struct from an array too.
    let body = format!(r#"[{{"fields": "timestamp,volume,avg_latency", "items": {ROWS}}}, "ok"]"#);
    assert_eq!(from_body::<LatencyPoint>(&body).unwrap().len(), 3);
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
    let layers = layers_from_body(&body).expect("a valid answer");
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[0].layer, "Cassandra:client");
    assert_eq!(layers[1].series[1].total, Duration::ZERO);
    assert_eq!(layers_from_body(&layers_body(&[])), Ok(vec![]));

    let escaped = layers_body(&[layer("a\"b\\u00e9", rows, true)]);
    assert_eq!(layers_from_body(&escaped).unwrap()[0].layer, "a\"b\\u00e9");

    let twice = layers_body(&[
        layer("nginx", rows, true),
        layer("x", rows, true),
        layer("nginx", rows, false),
    ]);
    assert_eq!(
        decode_error(layers_from_body(&twice)),
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
        decode_error(layers_from_body(&bad)),
        (
            "data[1].timeseries.items[0][1]".into(),
            "volume 7.5 is not a whole number".into()
        )
    );
    for body in ["[]", r#"{"data": [{"layer": "x"}], "response": "ok"}"#] {
        assert!(
            matches!(layers_from_body(body), Err(Error::Decode { .. })),
            "{body}"
        );
    }
}
