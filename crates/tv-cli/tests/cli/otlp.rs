//! `tv export otlp` and `tv exporter --otlp-endpoint` against a loopback OTLP/HTTP
//! receiver decoding with the OpenTelemetry protocol types: every point equal to the
//! OpenMetrics export of the same range; the push of each collection.
use std::io::{Read, Write};
use std::time::Duration;

use crate::common::{KEY, run, tv};
use tv_client::export::otlp::Message as _;
use tv_client::export::otlp::proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use tv_client::export::otlp::proto::tonic::common::v1::any_value::Value as Any;
use tv_client::export::otlp::proto::tonic::metrics::v1::metric::Data;
use tv_client::export::otlp::proto::tonic::metrics::v1::number_data_point::Value;

/// A loopback OTLP/HTTP receiver: answers 200 to every POST and hands each (path,
/// body) to the test.
fn receiver() -> (String, std::sync::mpsc::Receiver<(String, Vec<u8>)>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            let mut reader = std::io::BufReader::new(stream);
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if std::io::BufRead::read_line(&mut reader, &mut line).unwrap_or(0) == 0 {
                    break;
                }
                if line == "\r\n" {
                    break;
                }
                if let Some((_, value)) = line
                    .split_once(':')
                    .filter(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                {
                    length = value.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let path = head.split(' ').nth(1).unwrap_or_default().to_string();
            let _ = reader
                .get_mut()
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            if sent.send((path, body)).is_err() {
                break;
            }
        }
    });
    (url, received)
}

/// (name, app, seconds, value) of every sample of an OpenMetrics history.
fn openmetrics_points(text: &str) -> Vec<(String, String, i64, String)> {
    let mut points: Vec<_> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (name, rest) = l.split_once("{app=\"")?;
            let (app, rest) = rest.split_once("\"} ")?;
            let (value, at) = rest.split_once(' ')?;
            Some((
                name.to_string(),
                app.to_string(),
                at.parse().ok()?,
                value.to_string(),
            ))
        })
        .collect();
    points.sort();
    points
}

#[test]
fn otlp_export_equals_the_openmetrics_export() {
    let sandbox = crate::common::shared();
    let range = ["web-shop", "billing-api", "--since", "3h"];
    let mut command = tv(sandbox);
    command.args(["export", "openmetrics"]).args(range);
    let (code, openmetrics, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let expected = openmetrics_points(&openmetrics);
    assert!(expected.len() > 100, "{openmetrics}");

    let (url, received) = receiver();
    let mut command = tv(sandbox);
    command
        .args(["export", "otlp"])
        .args(range)
        .args(["--endpoint", &url]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let (path, body) = received
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(path, "/v1/metrics");
    let mut got: Vec<_> = points(&body)
        .into_iter()
        .map(|(name, app, nanos, value)| {
            assert_eq!(nanos % 1_000_000_000, 0);
            let seconds = i64::try_from(nanos / 1_000_000_000).unwrap_or(0);
            (
                name,
                app.unwrap_or_else(|| panic!("no app")),
                seconds,
                value,
            )
        })
        .collect();
    got.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
    assert_eq!(got.len(), expected.len());
    for (otlp, om) in got.iter().zip(&expected) {
        let value: f64 = om.3.parse().unwrap_or(f64::NAN);
        assert_eq!((&otlp.0, &otlp.1, otlp.2), (&om.0, &om.1, om.2));
        assert_eq!(otlp.3, value, "{om:?}");
    }
}

#[test]
fn otlp_to_a_bad_endpoint_is_one_line() {
    let sandbox = crate::common::shared();
    let cases: [(&str, i32, &str); 2] = [
        ("collector:4318", 2, "not an OTLP/HTTP endpoint"),
        ("http://127.0.0.1:9", 1, "cannot reach the OTLP receiver"),
    ];
    for (endpoint, expected, message) in cases {
        let mut command = tv(sandbox);
        command.args([
            "export",
            "otlp",
            "web-shop",
            "--since",
            "1h",
            "--endpoint",
            endpoint,
        ]);
        let (code, _, stderr) = run(command);
        assert_eq!(code, expected, "{endpoint}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    }
}

/// (name, app attribute, time in ns, value) of every point of an OTLP metrics request.
fn points(body: &[u8]) -> Vec<(String, Option<String>, u64, f64)> {
    let request = ExportMetricsServiceRequest::decode(body).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    for metric in &request.resource_metrics[0].scope_metrics[0].metrics {
        let Some(Data::Gauge(gauge)) = &metric.data else {
            panic!("not a gauge: {}", metric.name);
        };
        for point in &gauge.data_points {
            let app = point
                .attributes
                .iter()
                .find(|a| a.key == "app")
                .and_then(|a| match a.value.as_ref()?.value.as_ref()? {
                    Any::StringValue(app) => Some(app.clone()),
                    _ => None,
                });
            let Some(Value::AsDouble(value)) = point.value else {
                panic!("not a double: {point:?}");
            };
            out.push((metric.name.clone(), app, point.time_unix_nano, value));
        }
    }
    out
}

#[test]
fn the_exporter_pushes_each_collection() {
    let sandbox = crate::common::shared();
    let (url, received) = receiver();
    let (_exporter, _) = crate::common::spawn_exporter(
        &sandbox.base_url,
        KEY,
        &[
            "--app",
            "web-shop",
            "--otlp-endpoint",
            &url,
            "--otlp-interval",
            "1s",
        ],
    );
    let mut stamps = Vec::new();
    for _ in 0..2 {
        let (path, body) = received
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(path, "/v1/metrics");
        let points = points(&body);
        let up = points
            .iter()
            .find(|p| p.0 == "traceview_up")
            .unwrap_or_else(|| panic!("{points:?}"));
        assert_eq!(up.3, 1.0);
        assert!(
            points
                .iter()
                .any(|p| p.0 == "traceview_request_latency_average_seconds"
                    && p.1.as_deref() == Some("web-shop")),
            "{points:?}"
        );
        stamps.push(up.2);
    }
    // Two collections, each stamped when it was pushed.
    assert!(stamps[1] > stamps[0], "{stamps:?}");
}

/// The Python of the real receiver: `TV_TEST_PYTHON` (a venv with PyPI's
/// opentelemetry-proto), else `python3`; a loud failure when the package is missing.
fn python_with_opentelemetry_proto() -> String {
    let python = std::env::var("TV_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let found = std::process::Command::new(&python)
        .args([
            "-c",
            "import opentelemetry.proto.collector.metrics.v1.metrics_service_pb2",
        ])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{python} cannot import opentelemetry.proto: this test needs PyPI's opentelemetry-proto \
         (python3 -m venv target/py-venv && target/py-venv/bin/pip install opentelemetry-proto; \
         TV_TEST_PYTHON=target/py-venv/bin/python)"
    );
    python
}

#[test]
#[ignore = "real tool: python3 with PyPI's opentelemetry-proto; run by cargo xtask integration"]
fn a_real_otlp_receiver_gets_the_export_and_the_annotations_intact() {
    use std::io::BufRead;
    let python = python_with_opentelemetry_proto();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/otlp_receiver.py");
    let mut child = std::process::Command::new(python)
        .arg(script)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let _receiver = crate::real_tools::Guard(child);
    // Read as it writes: a request's line can be larger than a pipe holds.
    let (line_tx, line_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line_tx.send(line).is_err() {
                break;
            }
        }
    });
    let next_line = || {
        line_rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("the receiver said nothing: {e}"))
    };
    let port = next_line();

    let sandbox = crate::common::shared();
    let range = ["web-shop", "--since", "7d"];
    let mut command = tv(sandbox);
    command.args(["export", "openmetrics"]).args(range);
    let (code, openmetrics, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let expected = openmetrics_points(&openmetrics);

    let mut command = tv(sandbox);
    command
        .args(["export", "otlp"])
        .args(range)
        .args(["--endpoint", &format!("http://127.0.0.1:{port}")]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");

    let metrics: serde_json::Value =
        serde_json::from_str(&next_line()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(metrics["path"], "/v1/metrics");
    let mut got: Vec<(String, String, i64, f64)> = metrics["points"]
        .as_array()
        .unwrap_or_else(|| panic!("{metrics}"))
        .iter()
        .map(|p| {
            let nanos = p[3].as_u64().unwrap_or_else(|| panic!("{p}"));
            assert_eq!(nanos % 1_000_000_000, 0, "{p}");
            (
                p[0].as_str().unwrap_or_default().to_owned(),
                p[2].as_str().unwrap_or_default().to_owned(),
                i64::try_from(nanos / 1_000_000_000).unwrap_or(0),
                p[4].as_str()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN),
            )
        })
        .collect();
    got.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
    assert_eq!(got.len(), expected.len());
    for (otlp, om) in got.iter().zip(&expected) {
        assert_eq!((&otlp.0, &otlp.1, otlp.2), (&om.0, &om.1, om.2));
        assert_eq!(otlp.3, om.3.parse::<f64>().unwrap_or(f64::NAN), "{om:?}");
    }

    // The annotations of the range, as `tv annotations` lists them.
    let mut command = tv(sandbox);
    command.args([
        "-o",
        "json",
        "annotations",
        "--app",
        "web-shop",
        "--since",
        "7d ago",
    ]);
    let (code, listed, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap_or_else(|e| panic!("{e}"));
    let mut listed: Vec<String> = listed
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"))
        .iter()
        .map(|a| a["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(!listed.is_empty());
    let logs: serde_json::Value =
        serde_json::from_str(&next_line()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(logs["path"], "/v1/logs");
    let mut sent: Vec<String> = logs["records"]
        .as_array()
        .unwrap_or_else(|| panic!("{logs}"))
        .iter()
        .map(|r| {
            assert_eq!(r[0]["app"], "web-shop", "{r}");
            r[0]["message"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    listed.sort();
    sent.sort();
    assert_eq!(sent, listed);
}
