//! `tv exporter` (with its statsd push) and `tv export openmetrics`/`graphite` without
//! external tools: what a scrape shows (snapshot, here), the listener's bounds
//! (`listener`), `/probe` profiles (`probe`), the web configuration (`web_config`), the
//! exports and what statsd receives (`exports`).

use crate::common;

mod exports;
mod listener;
mod probe;
mod web_config;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use common::{KEY, exporter, run, tv};

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
