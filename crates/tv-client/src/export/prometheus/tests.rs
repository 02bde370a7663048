use std::time::Duration;

use super::*;
use crate::export::collect::{AppSnapshot, LayerSnapshot};

fn collection() -> Collection {
    Collection {
        listed: true,
        apps: vec![AppSnapshot {
            app: "web-shop".into(),
            average_seconds: Some(0.125),
            latest_seconds: Some(0.25),
            traced_per_second: Some(2.5),
            requests_per_second: Some(3.0),
            error_ratio: Some(0.01),
            last_trace_age_seconds: Some(30.0),
            layers: vec![LayerSnapshot {
                layer: "mysql".into(),
                share: Some(0.5),
                per_call_seconds: None,
            }],
        }],
        failures: vec![(Some("billing".into()), crate::Error::Timeout)],
        duration: Duration::from_millis(1500),
    }
}

fn encode(exporter: &Exporter, format: Format) -> String {
    match exporter.encode(format) {
        Ok(text) => text,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn prometheus_text_names_units_and_labels() {
    let exporter = Exporter::new();
    exporter.update(&collection());
    let text = encode(&exporter, Format::Prometheus);
    for line in [
        "# TYPE traceview_request_latency_average_seconds gauge",
        "traceview_request_latency_average_seconds{app=\"web-shop\"} 0.125",
        "traceview_error_ratio{app=\"web-shop\"} 0.01",
        "traceview_layer_time_share_ratio{app=\"web-shop\",layer=\"mysql\"} 0.5",
        "traceview_app_up{app=\"web-shop\"} 1.0",
        "traceview_app_up{app=\"billing\"} 0.0",
        "traceview_up 1.0",
        "traceview_collect_duration_seconds 1.5",
        "traceview_collections_total 1",
        "traceview_collect_errors_total 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
    }
    // A layer without a per-call time has no sample rather than a made-up one.
    assert!(
        !text.contains("traceview_layer_call_latency_seconds{"),
        "{text}"
    );
    assert!(!text.contains("# EOF"));
}

#[test]
fn openmetrics_when_asked_and_series_replaced_on_update() {
    let exporter = Exporter::new();
    exporter.update(&collection());
    exporter.update(&Collection {
        listed: false,
        ..Collection::default()
    });
    let text = encode(&exporter, Format::OpenMetrics);
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(
        text.contains("# UNIT traceview_collect_duration_seconds seconds"),
        "{text}"
    );
    assert!(
        text.contains("traceview_app_up{app=\"web-shop\"} 1"),
        "an unlisted collection keeps the last numbers: {text}"
    );
    assert!(text.lines().any(|l| l == "traceview_up 0.0"), "{text}");
    assert!(
        text.lines().any(|l| l == "traceview_collections_total 2"),
        "{text}"
    );
    exporter.update(&Collection {
        listed: true,
        ..Collection::default()
    });
    let text = encode(&exporter, Format::OpenMetrics);
    assert!(!text.contains("web-shop"), "old series must go: {text}");
}

#[test]
fn late_scrapes_build_info_and_api_calls() {
    let exporter = Exporter::new();
    exporter.update(&collection());
    exporter.set_build_info("1.2.3");
    exporter.note_late_scrape();
    let calls = |requests, millis| crate::ApiCalls {
        operation: "get_apps",
        outcome: "timeout",
        requests,
        time: Duration::from_millis(millis),
    };
    exporter.set_api_calls(&[calls(3, 1500)]);
    exporter.set_api_calls(&[calls(4, 2000)]);
    let text = encode(&exporter, Format::Prometheus);
    for line in [
        "traceview_up 0.0",
        "traceview_late_scrapes_total 1",
        "traceview_build_info{version=\"1.2.3\"} 1.0",
        "traceview_api_requests_total{operation=\"get_apps\",outcome=\"timeout\"} 4.0",
        "traceview_api_request_seconds_total{operation=\"get_apps\",outcome=\"timeout\"} 2.0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
}

#[test]
fn accept_header_negotiation() {
    let scraper = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    assert_eq!(Format::negotiate(Some(scraper)), Format::OpenMetrics);
    assert_eq!(Format::negotiate(Some("text/plain")), Format::Prometheus);
    assert_eq!(Format::negotiate(None), Format::Prometheus);
}

#[test]
fn an_app_without_traffic_has_no_latency_zero_traffic_and_an_age() {
    let exporter = Exporter::new();
    let mut quiet = collection();
    quiet.apps[0] = AppSnapshot {
        app: "quiet".into(),
        average_seconds: None,
        latest_seconds: None,
        traced_per_second: Some(0.0),
        requests_per_second: Some(0.0),
        error_ratio: None,
        last_trace_age_seconds: Some(604_800.0),
        layers: Vec::new(),
    };
    exporter.update(&quiet);
    let text = encode(&exporter, Format::Prometheus);
    assert!(!text.contains("traceview_request_latency_average_seconds{app=\"quiet\"}"));
    assert!(!text.contains("traceview_error_ratio{app=\"quiet\"}"));
    assert!(
        text.contains("traceview_traced_requests_per_second{app=\"quiet\"} 0.0\n"),
        "{text}"
    );
    assert!(
        text.contains("traceview_last_trace_age_seconds{app=\"quiet\"} 604800.0\n"),
        "{text}"
    );
}
