//! The JSON output shape and schema of series.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::points::{ErrorRatePoint, LatencyPoint};

const LATENCY_FIELDS: &str = "timestamp,volume,avg_latency";

fn rows(v: serde_json::Value) -> Vec<Vec<Option<f64>>> {
    serde_json::from_value(v).unwrap()
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

#[test]
fn json_output_shape() {
    let items = rows(json!([
        [1353259500, 11, 1180500],
        [1353259530, 0, null],
        [1353259560, 6, 1022766.6666666666]
    ]));
    let s = Series::<LatencyPoint>::decode(LATENCY_FIELDS, &items).unwrap();
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        json!({"step_s": 30, "points": [
            {"at": "2012-11-18T17:25:00Z", "epoch": 1353259500, "volume": 11, "average_us": 1180500},
            {"at": "2012-11-18T17:25:30Z", "epoch": 1353259530, "volume": 0, "average_us": null},
            {"at": "2012-11-18T17:26:00Z", "epoch": 1353259560, "volume": 6, "average_us": 1022766.667},
        ]})
    );
    let layer = LayerSeries {
        layer: "nginx".into(),
        series: Series::new(vec![LayerPoint {
            at: at(1),
            calls: 2,
            total: Duration::from_nanos(1500),
        }])
        .unwrap(),
    };
    assert_eq!(
        serde_json::to_value(&layer).unwrap(),
        json!({"layer": "nginx", "series": {"step_s": null, "points": [
            {"at": "1970-01-01T00:00:01Z", "epoch": 1, "calls": 2, "total_us": 1.5}]}})
    );
    let frac = Series::new(vec![ErrorRatePoint {
        at: DateTime::from_timestamp_millis(1_500).unwrap(),
        rate: Some(0.5),
    }])
    .unwrap();
    assert_eq!(
        serde_json::to_value(&frac).unwrap()["points"][0],
        json!({"at": "1970-01-01T00:00:01.500Z", "epoch": 1.5, "rate": 0.5})
    );
}

#[cfg(feature = "schemars")]
#[test]
fn json_schemas_describe_the_output() {
    let schema = serde_json::to_value(schemars::schema_for!(Series<LatencyPoint>)).unwrap();
    assert_eq!(schema["title"], "LatencyPointSeries");
    let point = &schema["definitions"]["LatencyPoint"];
    assert_eq!(
        point["properties"]["average_us"]["type"],
        json!(["number", "null"])
    );
    assert_eq!(point["properties"]["at"]["format"], "date-time");
    assert_eq!(point["properties"]["epoch"]["type"], "number");
    let required: Vec<&str> = point["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["at", "epoch", "volume"]);
    let layer = serde_json::to_value(schemars::schema_for!(LayerSeries)).unwrap();
    assert!(
        layer["definitions"]["LayerPoint"]["properties"]["total_us"].is_object(),
        "{layer}"
    );
}
