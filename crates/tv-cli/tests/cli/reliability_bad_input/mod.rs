//! Reliability suite, part 3: bad input, and the key.
//!
//! Every odd answer a proxy, a broken server or an attacker can send ends in exactly one
//! `error:` line on stderr and the documented exit code, never a panic or a hang. Every
//! run is at `-vvv` with a key full of URL-special and non-ASCII characters, and no line
//! of stdout or stderr may contain it (raw or encoded). What the sandbox cannot produce
//! comes from a loopback mock (wiremock) or a raw TCP server for byte-level misbehaviour.
//!
//! Here the harness (the mock, the checks); the odd answers in `answers`, the
//! transport's misbehaviour (redirects, slow and cut bodies, a huge series) in
//! `transport`, the key and odd names in `key`.

use crate::common;

mod answers;
mod key;
mod transport;

use tv_cli::Exit;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{END, run, start_with};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A key with every character that breaks a naively built query string.
const SECRET: &str = "s3cr3t&key=x/y?z#w%2F+é";
/// A part of [`SECRET`] that survives any encoding of it.
const TELLTALE: &str = "s3cr3t";

const SUMMARY: &str = "/api-v2/latency/web-shop/server/summary";
const SERIES: &str = "/api-v2/latency/web-shop/server/series";
const BY_LAYER: &str = "/api-v2/latency/web-shop/server/by-layer";

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// `tv -vvv --api-key SECRET --base-url BASE ARGS…` with a clean environment.
fn tv_at(base_url: &str, args: &[&str]) -> Outcome {
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command
        .env_clear()
        .env("TV_CONFIG", "/nonexistent/tv-cli-tests/config.toml")
        .args([
            "--base-url",
            base_url,
            "--api-key",
            SECRET,
            "--color",
            "never",
            "-vvv",
        ])
        .args(args);
    let started = Instant::now();
    let (code, stdout, stderr) = run(command);
    Outcome {
        code,
        stdout,
        stderr,
        elapsed: started.elapsed(),
    }
}

/// The key never shows and nothing panicked, whatever the outcome.
fn assert_clean(case: &str, o: &Outcome) {
    for (name, text) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        for (n, line) in text.lines().enumerate() {
            assert!(
                !line.contains(TELLTALE),
                "{case}: the key leaked on {name} line {}: {line}",
                n + 1
            );
        }
    }
    assert!(!o.stderr.contains("panicked"), "{case}: {}", o.stderr);
}

/// Exit `code`, exactly one `error:` line, holding every one of `says` (any case),
/// short enough to read.
fn assert_fails(case: &str, o: &Outcome, code: i32, says: &[&str]) {
    assert_clean(case, o);
    assert_eq!(o.code, code, "{case}: {}", o.stderr);
    let errors: Vec<&str> = o
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{case}: {}", o.stderr);
    let line = errors[0].to_lowercase();
    for word in says {
        assert!(line.contains(&word.to_lowercase()), "{case}: {}", errors[0]);
    }
    assert!(
        errors[0].len() < 600,
        "{case}: a {} byte line",
        errors[0].len()
    );
    eprintln!("{case} → exit {}: {}", o.code, errors[0]);
    assert!(o.stdout.is_empty(), "{case}: {}", o.stdout);
}

/// A mock API on its own multi-threaded runtime (so it answers while the test blocks
/// on `tv`); anything not mounted answers 418.
struct Mocked {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
}

impl Mocked {
    fn new(mocks: Vec<Mock>) -> Mocked {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            for mock in mocks {
                mock.mount(&server).await;
            }
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(418))
                .with_priority(u8::MAX)
                .mount(&server)
                .await;
            server
        });
        Mocked { runtime, server }
    }

    fn base_url(&self) -> String {
        format!("{}/api-v2", self.server.uri())
    }

    fn paths(&self) -> Vec<String> {
        let requests = self.runtime.block_on(self.server.received_requests());
        requests
            .unwrap_or_default()
            .iter()
            .map(|r| r.url.path().to_owned())
            .collect()
    }
}

fn get(route: &str, response: ResponseTemplate) -> Mock {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(response)
}

fn json_body(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

fn html_body(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "text/html")
}

/// One odd answer to `tv … ARGS` and what must come of it.
struct Case {
    name: &'static str,
    route: &'static str,
    response: ResponseTemplate,
    args: &'static [&'static str],
    code: i32,
    says: &'static [&'static str],
}

const SUMMARY_ARGS: &[&str] = &["--attempts", "2", "latency", "summary", "web-shop"];
const SERIES_ARGS: &[&str] = &["--attempts", "2", "latency", "series", "web-shop"];
const BY_LAYER_ARGS: &[&str] = &["--attempts", "2", "latency", "by-layer", "web-shop"];
