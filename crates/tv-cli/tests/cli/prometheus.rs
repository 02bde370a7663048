//! The exporter and the OpenMetrics export with the real tools: a Prometheus 2.x server
//! scraping `tv exporter` on loopback (plain; over TLS with basic auth; two profiles
//! through /probe and relabelling), promtool building TSDB blocks from `tv export
//! openmetrics` and checking and unit-testing the shipped alerting rules. They need
//! Debian's `prometheus` package (and `openssl` for the TLS test), so they are ignored by
//! plain `cargo test`: `cargo xtask integration` installs the tools and runs them (with
//! `--ignored`); without the tools they fail, never skip.
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{KEY, run, tv};
use crate::real_tools::{query, tool, wait_for};

/// A number of a `tv … -o json` command's output, at a JSON pointer.
fn json_number(sandbox: &crate::common::Sandbox, args: &[&str], pointer: &str) -> f64 {
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
    let sandbox = crate::common::shared();
    let (exporter, target) = crate::common::spawn_exporter(
        &sandbox.base_url,
        KEY,
        &["--cache", "3s", "--app", "web-shop", "--app", "billing-api"],
    );

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (_server, port) = crate::real_tools::prometheus(
        &format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: tv\n    static_configs:\n      - targets: ['{target}']\n"
        ),
        dir.path(),
    );
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

    // A scrape whose collection misses the 0.5 s deadline says 0; the next ones say 1.
    wait_for(port, "traceview_up == 1", limit);
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
    let sandbox = crate::common::shared();
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
    assert_eq!(stamps.last(), Some(&((crate::common::NOW - 30) * 1000)));

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

/// The directory of the shipped alerting rules.
fn rules_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("prometheus")
}

#[test]
#[ignore = "real tool: promtool; run by cargo xtask integration"]
fn promtool_checks_and_unit_tests_the_shipped_rules() {
    let promtool = tool("promtool");
    for args in [
        ["check", "rules", "tv-exporter.rules.yml"],
        ["test", "rules", "tv-exporter.rules.test.yml"],
    ] {
        let out = Command::new(&promtool)
            .args(args)
            .current_dir(rules_dir())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
#[ignore = "real tool: prometheus, openssl; run by cargo xtask integration"]
fn prometheus_scrapes_over_tls_with_basic_auth_and_is_refused_without() {
    // Go's TLS client (Prometheus') against the web configuration's TLS options too:
    // TLS 1.2 only, one cipher suite and one curve, by their Go names.
    let openssl = tool("openssl");
    let sandbox = crate::common::shared();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let status = Command::new(openssl)
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .args(["-keyout", &path("key.pem"), "-out", &path("cert.pem")])
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "openssl could not make a certificate");
    let hash = bcrypt::hash("s3cret", 4).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        path("web.yml"),
        format!(
            "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n  curve_preferences: [CurveP256]\n  prefer_server_cipher_suites: true\nhttp_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\nbasic_auth_users:\n  prometheus: '{hash}'\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let web = path("web.yml");
    let (_exporter, target) = crate::common::spawn_exporter(
        &sandbox.base_url,
        KEY,
        &["--app", "web-shop", "--web.config.file", &web],
    );
    let job = |name: &str, auth: &str| {
        format!(
            "  - job_name: {name}\n    scheme: https\n    tls_config:\n      ca_file: {}\n{auth}    static_configs:\n      - targets: ['{target}']\n",
            path("cert.pem")
        )
    };
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n{}{}",
        job(
            "tv",
            "    basic_auth:\n      username: prometheus\n      password: s3cret\n"
        ),
        job("tv-without-password", "")
    );
    let (_server, port) = crate::real_tools::prometheus(&config, dir.path());
    let limit = Duration::from_secs(60);
    wait_for(port, "up{job=\"tv\"} == 1", limit);
    wait_for(port, "traceview_up{job=\"tv\"} == 1", limit);
    wait_for(port, "up{job=\"tv-without-password\"} == 0", limit);
    assert!(query(port, "traceview_up{job=\"tv-without-password\"}").is_empty());
}

#[test]
#[ignore = "real tool: prometheus; run by cargo xtask integration"]
fn prometheus_scrapes_two_profiles_through_probe_and_relabelling() {
    let sandbox = crate::common::shared();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.lab-a]\napi_key = \"{KEY}\"\nbase_url = \"{url}\"\n[profiles.lab-b]\napi_key = \"refused-key\"\nbase_url = \"{url}\"\n",
            url = sandbox.base_url
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = config.to_string_lossy().into_owned();
    let (_exporter, address) = crate::common::spawn_exporter(
        &sandbox.base_url,
        KEY,
        &["--config", &config, "--app", "web-shop"],
    );
    let prometheus_config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: traceview\n    metrics_path: /probe\n    static_configs:\n      - targets: [lab-a, lab-b]\n    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n      - source_labels: [__param_target]\n        target_label: instance\n      - target_label: __address__\n        replacement: '{address}'\n"
    );
    let (_server, port) = crate::real_tools::prometheus(&prometheus_config, dir.path());
    let limit = Duration::from_secs(60);
    wait_for(port, "traceview_up{instance=\"lab-a\"} == 1", limit);
    wait_for(
        port,
        "traceview_app_up{instance=\"lab-a\",app=\"web-shop\"} == 1",
        limit,
    );
    // lab-b's key is refused: its own series say so, lab-a's are untouched.
    wait_for(port, "traceview_up{instance=\"lab-b\"} == 0", limit);
    wait_for(
        port,
        "traceview_app_up{instance=\"lab-b\",app=\"web-shop\"} == 0",
        limit,
    );
}
