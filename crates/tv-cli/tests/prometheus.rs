//! The exporter and the OpenMetrics export with the real tools: a Prometheus 2.x server
//! scraping `tv exporter` on loopback, and promtool building TSDB blocks from
//! `tv export openmetrics`. Both need Debian's `prometheus` package, so they are ignored
//! by plain `cargo test`: `cargo xtask integration` installs it and runs them (with
//! `--ignored`); without the tools they fail, never skip.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Guard, KEY, free_port, run, tv};

/// The path of a tool of Debian's prometheus package.
fn tool(name: &str) -> String {
    common::tool(
        name,
        "Debian's prometheus package (apt-get install -y prometheus)",
    )
}

/// GET `path` from 127.0.0.1:`port` (HTTP/1.0); the body, or `None` if unreachable.
fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
}

/// The instant vector of a PromQL query: (labels, value).
fn query(port: u16, promql: &str) -> Vec<(serde_json::Value, f64)> {
    let encoded: String = promql
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let Some(body) = get(port, &format!("/api/v1/query?query={encoded}")) else {
        return Vec::new();
    };
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    json["data"]["result"]
        .as_array()
        .map(|results| {
            results
                .iter()
                .filter_map(|r| {
                    let value = r["value"][1].as_str()?.parse().ok()?;
                    Some((r["metric"].clone(), value))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Polls `promql` until it has a result, for at most `limit`.
fn wait_for(port: u16, promql: &str, limit: Duration) -> Vec<(serde_json::Value, f64)> {
    let started = Instant::now();
    loop {
        let result = query(port, promql);
        if !result.is_empty() {
            return result;
        }
        assert!(
            started.elapsed() < limit,
            "no result for {promql} within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A number of a `tv … -o json` command's output, at a JSON pointer.
fn json_number(sandbox: &common::Sandbox, args: &[&str], pointer: &str) -> f64 {
    let mut command = tv(sandbox);
    command.args(["--output", "json"]).args(args);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
    json.pointer(pointer)
        .and_then(serde_json::Value::as_f64)
        .unwrap_or_else(|| panic!("{pointer} in {stdout}"))
}

#[test]
#[ignore = "real tool: prometheus; run by cargo xtask integration"]
fn prometheus_scrapes_the_exporter() {
    let prometheus = tool("prometheus");
    let sandbox = common::shared();
    let (exporter, target) = common::exporter(
        sandbox,
        KEY,
        &["--cache", "3s", "--app", "web-shop", "--app", "billing-api"],
    );

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: tv\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let port = free_port();
    let server = Command::new(prometheus)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let _server = Guard(server);
    let limit = Duration::from_secs(60);

    let expected = json_number(
        sandbox,
        &["latency", "summary", "web-shop"],
        "/summary/average_us",
    ) / 1e6;
    let got = wait_for(
        port,
        "traceview_request_latency_average_seconds{app=\"web-shop\"}",
        limit,
    );
    assert_eq!(got.len(), 1, "{got:?}");
    assert!((got[0].1 - expected).abs() < 1e-9, "{got:?} vs {expected}");
    assert_eq!(got[0].0["job"], "tv");

    let up = wait_for(port, "traceview_up", limit);
    assert_eq!(up[0].1, 1.0, "{up:?}");
    let layers = wait_for(
        port,
        "traceview_layer_time_share_ratio{app=\"billing-api\"}",
        limit,
    );
    let shares: f64 = layers.iter().map(|(_, v)| v).sum();
    assert!(
        layers.len() > 1 && (shares - 1.0).abs() < 1e-6,
        "{layers:?}"
    );
    assert!(
        layers.iter().all(|(l, _)| l["layer"].is_string()),
        "{layers:?}"
    );
    for family in [
        "traceview_request_latency_latest_seconds",
        "traceview_traced_requests_per_second",
        "traceview_requests_per_second",
        "traceview_error_ratio",
        "traceview_layer_call_latency_seconds",
        "traceview_app_up",
        "traceview_collect_duration_seconds",
    ] {
        wait_for(port, family, limit);
    }
    // Scrapes every second, a 3 s cache: fewer collections than scrapes.
    let started = Instant::now();
    let scrapes = loop {
        let n = query(port, "count_over_time(traceview_up[5m])");
        if n.first().is_some_and(|(_, v)| *v >= 6.0) {
            break n[0].1;
        }
        assert!(
            started.elapsed() < limit,
            "fewer than 6 scrapes within {limit:?}: {n:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    let collections = wait_for(port, "traceview_collections_total", limit)[0].1;
    assert!(
        collections >= 1.0 && collections < scrapes,
        "{collections} collections for {scrapes} scrapes"
    );
    drop(exporter);
}

#[test]
#[ignore = "real tool: promtool; run by cargo xtask integration"]
fn promtool_builds_blocks_from_the_export() {
    let promtool = tool("promtool");
    let sandbox = common::shared();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("history.om");
    let mut command = tv(sandbox);
    command.args([
        "export",
        "openmetrics",
        "web-shop",
        "billing-api",
        "--since",
        "2d",
    ]);
    command.arg("--out").arg(&file);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
    let samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();

    let blocks = dir.path().join("blocks");
    let status = Command::new(&promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&file)
        .arg(&blocks)
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "promtool refused the export");
    // promtool 2.x's dump wants a WAL directory next to the blocks.
    std::fs::create_dir_all(blocks.join("wal")).unwrap_or_else(|e| panic!("{e}"));
    let dump = Command::new(&promtool)
        .args(["tsdb", "dump"])
        .arg(&blocks)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert_eq!(
        dump.lines().count(),
        samples.len(),
        "every sample in the blocks"
    );

    // The newest hour at 30 s steps, the newest day at 15 min, older at 2 h.
    let stamps: Vec<i64> = dump
        .lines()
        .filter(|l| {
            l.starts_with("{__name__=\"traceview_traced_requests_per_second\", app=\"web-shop\"}")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    let steps: Vec<i64> = stamps.windows(2).map(|w| (w[1] - w[0]) / 1000).collect();
    for step in [7200, 900, 30] {
        assert!(steps.contains(&step), "no {step} s step in {steps:?}");
    }
    assert_eq!(stamps.last(), Some(&((common::NOW - 30) * 1000)));

    // The newest latency of web-shop, in the blocks as in the file.
    let newest = samples
        .iter()
        .rfind(|l| l.starts_with("traceview_request_latency_average_seconds{app=\"web-shop\"}"))
        .unwrap_or_else(|| panic!("no latency sample"));
    let mut fields = newest.rsplit(' ');
    let (at, value) = (
        fields.next().unwrap_or_default(),
        fields.next().unwrap_or_default(),
    );
    let line = format!(
        "{{__name__=\"traceview_request_latency_average_seconds\", app=\"web-shop\"}} {value} {at}000"
    );
    assert!(dump.lines().any(|l| l == line), "{line} not in the dump");
}
