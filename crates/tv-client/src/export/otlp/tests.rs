use chrono::TimeZone;

use super::*;

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, 0)
        .single()
        .unwrap_or_else(|| panic!("{seconds}"))
}

#[test]
fn history_points_keep_their_slices_time_names_and_units() {
    let history = AppHistory {
        app: "web-shop".into(),
        latency_average: vec![(at(1_700_000_000), 0.125), (at(1_700_000_030), f64::NAN)],
        traced_rate: vec![(at(1_700_000_000), 2.5)],
        error_ratio: Vec::new(),
        request_rate: vec![(at(1_700_000_030), 3.0)],
    };
    let request = history_metrics(&[history]);
    let decoded = ExportMetricsServiceRequest::decode(request.encode_to_vec().as_slice())
        .unwrap_or_else(|e| panic!("{e}"));
    let metrics = &decoded.resource_metrics[0].scope_metrics[0].metrics;
    // No error ratio samples: no empty family.
    let names: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "traceview_request_latency_average_seconds",
            "traceview_traced_requests_per_second",
            "traceview_requests_per_second"
        ]
    );
    let units: Vec<&str> = metrics.iter().map(|m| m.unit.as_str()).collect();
    assert_eq!(units, ["s", "{request}/s", "{request}/s"]);
    let Some(metric::Data::Gauge(latency)) = &metrics[0].data else {
        panic!("not a gauge: {:?}", metrics[0]);
    };
    assert_eq!(latency.data_points.len(), 1, "the NaN is left out");
    let latency = &latency.data_points[0];
    assert_eq!(latency.time_unix_nano, 1_700_000_000_000_000_000);
    assert_eq!(
        latency.value,
        Some(number_data_point::Value::AsDouble(0.125))
    );
    assert_eq!(latency.attributes, vec![text("app", "web-shop")]);
}

#[test]
fn annotations_are_log_records_with_app_and_message() {
    let request = annotation_logs(&[Note {
        app: "web-shop".into(),
        time: at(1_700_000_000),
        message: "deployed v2\u{1b}[31m".into(),
    }]);
    let record = &request.resource_logs[0].scope_logs[0].log_records[0];
    assert_eq!(record.time_unix_nano, 1_700_000_000_000_000_000);
    assert!(record.attributes.contains(&text("app", "web-shop")));
    assert!(
        record
            .attributes
            .contains(&text("message", "deployed v2\u{FFFD}[31m"))
    );
}

#[test]
fn endpoints_and_signal_paths() {
    let url = |endpoint: &str, signal| signal_url(endpoint, signal).map(|u| u.to_string());
    assert_eq!(
        url("http://collector:4318", Signal::Metrics)
            .ok()
            .as_deref(),
        Some("http://collector:4318/v1/metrics")
    );
    assert_eq!(
        url("https://otel.example/otlp/", Signal::Logs)
            .ok()
            .as_deref(),
        Some("https://otel.example/otlp/v1/logs")
    );
    assert!(url("collector:4318", Signal::Metrics).is_err());
    assert!(url("ftp://x", Signal::Metrics).is_err());
}
