//! `tv exporter` and `tv export openmetrics` without external tools: what a scrape
//! shows (snapshot), the exporter's failures, the export's failures.

mod common;
mod real_tools;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{KEY, run, tv};
use real_tools::Guard;

/// Starts `tv exporter` with `key`; returns it and its host:port.
fn exporter(sandbox: &common::Sandbox, key: &str, extra: &[&str]) -> (Guard, String) {
    real_tools::spawn_exporter(&sandbox.base_url, key, extra)
}

/// (status line, headers and body) of a GET.
fn get(address: &str, path: &str, accept: Option<&str>) -> (String, String) {
    let mut stream = TcpStream::connect(address).unwrap_or_else(|e| panic!("{e}"));
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let accept = accept
        .map(|a| format!("Accept: {a}\r\n"))
        .unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: x\r\n{accept}\r\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .unwrap_or_else(|e| panic!("{e}"));
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    (head.to_string(), body.to_string())
}

/// The samples of an exposition, sorted, without the ones that vary run to run.
fn stable_samples(body: &str) -> String {
    let mut lines: Vec<&str> = body
        .lines()
        .filter(|l| !l.starts_with("traceview_collect_duration_seconds"))
        .filter(|l| !l.starts_with("traceview_cache_age_seconds"))
        .filter(|l| !l.starts_with("traceview_api_request_seconds"))
        .filter(|l| !l.starts_with("traceview_build_info"))
        .collect();
    lines.sort_unstable();
    lines.join("\n")
}

#[test]
fn a_scrape_in_both_formats() {
    let sandbox = common::shared();
    let (_exporter, address) = exporter(sandbox, KEY, &["--app", "billing-api"]);
    let (head, body) = get(&address, "/metrics", None);
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{head}"
    );
    assert!(
        head.to_lowercase()
            .contains("content-type: text/plain; version=0.0.4"),
        "{head}"
    );
    insta::assert_snapshot!("exporter_prometheus_text", stable_samples(&body));
    let (head, body) = get(
        &address,
        "/metrics",
        Some("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"),
    );
    assert!(
        head.to_lowercase()
            .contains("content-type: application/openmetrics-text"),
        "{head}"
    );
    assert!(body.ends_with("# EOF\n"), "{body}");
    // Within the cache interval: the same collection.
    assert!(body.contains("traceview_collections_total 1\n"), "{body}");
    let (head, _) = get(&address, "/nope", None);
    assert!(head.contains(" 404 "), "{head}");
}

#[test]
fn a_refused_key_is_up_0_and_never_shown() {
    let sandbox = common::shared();
    let key = "refused-key-5d1e";
    let (_exporter, address) = exporter(sandbox, key, &["--app", "web-shop"]);
    let (_, body) = get(&address, "/metrics", None);
    for line in [
        "traceview_up 0.0",
        "traceview_app_up{app=\"web-shop\"} 0.0",
        "traceview_collect_errors_total 1",
    ] {
        assert!(body.lines().any(|l| l == line), "{line} in {body}");
    }
    assert!(!body.contains(key));
}

#[test]
fn a_taken_port_is_one_line_and_exit_1() {
    let sandbox = common::shared();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let address = taken
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_string();
    let mut command = tv(sandbox);
    command.args(["exporter", "--listen", &address]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: cannot listen on {address}")),
        "{stderr}"
    );
}

#[test]
fn export_of_the_last_minutes_and_its_failures() {
    let sandbox = common::shared();
    let mut command = tv(sandbox);
    command.args(["export", "openmetrics", "web-shop", "--since", "2m"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("export_openmetrics_2m", stdout);

    let cases: [(&[&str], i32, &str); 3] = [
        (&["no-such-app"], 4, "No app found"),
        (&["web-shop", "--since", "1h", "--until", "2h ago"], 0, ""),
        (
            &["web-shop", "--since", "now"],
            2,
            "--since must be before --until",
        ),
    ];
    for (args, expected, message) in cases {
        let mut command = tv(sandbox);
        command.args(["export", "openmetrics"]).args(args);
        let (code, _, stderr) = run(command);
        assert_eq!(code, expected, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{stderr}");
    }
}

/// The whole answer to a raw request (empty when the connection gave nothing).
fn exchange(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap_or_else(|e| panic!("{e}"));
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn a_hanging_upstream_never_blocks_a_scrape() {
    // A TraceView that accepts connections and never answers.
    let hanging = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let upstream = common::Sandbox::at(format!(
        "http://{}/api-v2",
        hanging.local_addr().unwrap_or_else(|e| panic!("{e}"))
    ));
    let (_exporter, address) = exporter(&upstream, KEY, &["--app", "web-shop"]);
    // Prometheus says it gives up after 1.5 s: the answer comes before (the client's
    // own deadline is 3 attempts of 30 s).
    let answer = exchange(
        &address,
        "GET /metrics HTTP/1.0\r\nX-Prometheus-Scrape-Timeout-Seconds: 1.5\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    for line in ["traceview_up 0.0", "traceview_late_scrapes_total 1"] {
        assert!(answer.lines().any(|l| l == line), "{line} in {answer}");
    }
    // Not ready: the first collection has not finished.
    let (head, _) = get(&address, "/-/ready", None);
    assert!(head.contains(" 503 "), "{head}");
    drop(hanging);
}

#[test]
fn health_landing_page_and_refusals() {
    let sandbox = common::shared();
    let (_exporter, address) = exporter(sandbox, KEY, &["--app", "web-shop"]);
    let (head, body) = get(&address, "/-/healthy", None);
    assert!(
        head.contains(" 200 ") && body == "Healthy\n",
        "{head}{body}"
    );
    let (head, body) = get(&address, "/", None);
    assert!(
        head.contains("text/html") && body.contains("/probe?target="),
        "{body}"
    );
    let (_, body) = get(&address, "/metrics", None);
    assert!(
        body.lines()
            .any(|l| l.starts_with("traceview_build_info{version=\"")),
        "{body}"
    );
    assert!(
        body.lines().any(|l| l.starts_with(
            "traceview_api_requests_total{operation=\"get_server_latency_summary\",outcome=\"ok\"}"
        )),
        "{body}"
    );
    let (head, _) = get(&address, "/-/ready", None);
    assert!(head.contains(" 200 "), "{head}");
    let (head, _) = get(&address, "/probe", None);
    assert!(head.contains(" 400 "), "{head}");
    let (head, body) = get(&address, "/probe?target=nope", None);
    assert!(
        head.contains(" 400 ") && body.starts_with("unknown target"),
        "{body}"
    );
    let answer = exchange(
        &address,
        "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[test]
fn idle_connections_past_the_cap_are_refused_at_once() {
    let sandbox = common::shared();
    let (_exporter, address) = exporter(
        sandbox,
        KEY,
        &["--app", "web-shop", "--max-connections", "2"],
    );
    let idle: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(&address).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    // The exporter takes them in order; the third is over the cap.
    std::thread::sleep(Duration::from_millis(200));
    let answer = exchange(&address, "GET /metrics HTTP/1.0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    drop(idle);
}

#[test]
fn probe_scrapes_a_profile_of_the_config_file() {
    let sandbox = common::shared();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.lab]\napi_key = \"{KEY}\"\nbase_url = \"{}\"\n",
            sandbox.base_url
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = config.to_string_lossy().into_owned();
    let (_exporter, address) = exporter(
        sandbox,
        "refused-key-for-metrics",
        &["--app", "billing-api", "--config", &config],
    );
    let (head, body) = get(&address, "/probe?target=lab", None);
    assert!(head.contains(" 200 "), "{head}");
    assert!(
        body.lines()
            .any(|l| l == "traceview_app_up{app=\"billing-api\"} 1.0"),
        "{body}"
    );
    assert!(body.lines().any(|l| l == "traceview_up 1.0"), "{body}");
    let (_, body) = get(&address, "/metrics", None);
    assert!(body.lines().any(|l| l == "traceview_up 0.0"), "{body}");
}

#[test]
fn basic_auth_from_the_web_config() {
    let sandbox = common::shared();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let web = dir.path().join("web.yml");
    let hash = bcrypt::hash("s3cret", 4).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&web, format!("basic_auth_users:\n  prometheus: '{hash}'\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    let web = web.to_string_lossy().into_owned();
    let (_exporter, address) = exporter(
        sandbox,
        KEY,
        &["--app", "web-shop", "--web.config.file", &web],
    );
    let (head, _) = get(&address, "/metrics", None);
    assert!(head.contains(" 401 "), "{head}");
    assert!(
        head.to_lowercase().contains("www-authenticate: basic"),
        "{head}"
    );
    // prometheus:s3cret
    let answer = exchange(
        &address,
        "GET /metrics HTTP/1.0\r\nAuthorization: Basic cHJvbWV0aGV1czpzM2NyZXQ=\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    // prometheus:wrong
    let answer = exchange(
        &address,
        "GET /metrics HTTP/1.0\r\nAuthorization: Basic cHJvbWV0aGV1czp3cm9uZw==\r\n\r\n",
    );
    assert!(answer.contains(" 401 "), "{answer}");
}

#[test]
fn an_unusable_web_config_is_one_line_and_exit_3() {
    let sandbox = common::shared();
    let mut command = tv(sandbox);
    command.args([
        "exporter",
        "--listen",
        "127.0.0.1:0",
        "--web.config.file",
        "/nonexistent/web.yml",
    ]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("web configuration: /nonexistent/web.yml"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_stops_gracefully_with_exit_0() {
    let sandbox = common::shared();
    let (mut exporter, address) = exporter(sandbox, KEY, &["--app", "web-shop"]);
    let (head, _) = get(&address, "/-/healthy", None);
    assert!(head.contains(" 200 "), "{head}");
    let pid = i32::try_from(exporter.0.id()).unwrap_or_else(|e| panic!("{e}"));
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = exporter.0.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0), "{status:?}");
}
