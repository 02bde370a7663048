//! Reliability suite, part 3: bad input, and the key.
//!
//! Every odd answer a proxy, a broken server or an attacker can send ends in exactly one
//! `error:` line on stderr and the documented exit code, never a panic or a hang. Every
//! run is at `-vvv` with a key full of URL-special and non-ASCII characters, and no line
//! of stdout or stderr may contain it (raw or encoded). What the sandbox cannot produce
//! comes from a loopback mock (wiremock) or a raw TCP server for byte-level misbehaviour.
use tv_cli::Exit;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::{END, run, start_with};
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

#[test]
fn odd_answers_end_in_one_clear_line_and_the_documented_exit_code() {
    let huge_page = format!(
        "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
        "<p>upstream exploded</p>".repeat(1_400_000)
    );
    let huge_junk = format!(
        r#"{{"data": [{}0], "response": "ok"}}"#,
        "0,".repeat(8_000_000)
    );
    let cases = [
        Case {
            name: "an HTML error page from a proxy",
            route: SUMMARY,
            response: html_body(
                502,
                "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
            ),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["HTTP 502", "Bad Gateway"],
        },
        Case {
            name: "an HTML 403 page",
            route: SUMMARY,
            response: html_body(403, "<html><body>Forbidden</body></html>"),
            args: SUMMARY_ARGS,
            code: Exit::Config.code(),
            says: &["key"],
        },
        Case {
            name: "a 200 whose envelope says error",
            route: SUMMARY,
            response: json_body(
                200,
                r#"{"data": "internal failure: boom", "response": "error"}"#,
            ),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["boom"],
        },
        Case {
            name: "truncated JSON",
            route: SUMMARY,
            response: json_body(200, r#"{"data": {"count": 12, "average": 1"#),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["decode"],
        },
        Case {
            name: "an empty 200",
            route: SUMMARY,
            response: json_body(200, ""),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["decode"],
        },
        Case {
            name: "plain text instead of JSON",
            route: SUMMARY,
            response: ResponseTemplate::new(200).set_body_raw("OK", "text/plain"),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &[],
        },
        Case {
            name: "a wrong field type",
            route: SUMMARY,
            response: json_body(
                200,
                r#"{"data": {"count": "many", "average": 1.0, "latest": 2.0}, "response": "ok"}"#,
            ),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["data.count"],
        },
        Case {
            name: "a series row of the wrong width",
            route: SERIES,
            response: json_body(
                200,
                r#"{"data": {"fields": "timestamp,volume,avg_latency", "items": [[1704283200, 3, 100.0], [1704283230, 4]]}, "response": "ok"}"#,
            ),
            args: SERIES_ARGS,
            code: Exit::Runtime.code(),
            says: &["data.items[1]", "length 3"],
        },
        Case {
            name: "a series without its latency column",
            route: SERIES,
            response: json_body(
                200,
                r#"{"data": {"fields": "timestamp,volume", "items": [[1704283200, 3]]}, "response": "ok"}"#,
            ),
            args: SERIES_ARGS,
            code: Exit::Runtime.code(),
            says: &["data.fields", "avg_latency"],
        },
        Case {
            name: "a negative count in a layer",
            route: BY_LAYER,
            response: json_body(
                200,
                r#"{"data": [{"layer": "nginx", "timeseries": {"fields": "timestamp,volume,avg_latency", "items": [[1704283200, -3, 100.0]]}}], "response": "ok"}"#,
            ),
            args: BY_LAYER_ARGS,
            code: Exit::Runtime.code(),
            says: &["data[0].timeseries.items[0][1]", "negative"],
        },
        Case {
            name: "a 32 MB error page",
            route: SUMMARY,
            response: html_body(502, &huge_page),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["HTTP 502"],
        },
        Case {
            name: "16 MB of the wrong JSON",
            route: SUMMARY,
            response: json_body(200, &huge_junk),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["decode", "data"],
        },
        Case {
            name: "an answer slower than --timeout",
            route: SUMMARY,
            response: json_body(200, r#"{"data": {"count": 1}, "response": "ok"}"#)
                .set_delay(Duration::from_secs(30)),
            args: &[
                "--timeout",
                "500ms",
                "--attempts",
                "1",
                "latency",
                "summary",
                "web-shop",
            ],
            code: Exit::Runtime.code(),
            says: &["timed out", "--timeout"],
        },
    ];
    for case in cases {
        let mock = Mocked::new(vec![get(case.route, case.response)]);
        let outcome = tv_at(&mock.base_url(), case.args);
        assert_fails(case.name, &outcome, case.code, case.says);
        assert!(
            outcome.elapsed < Duration::from_secs(10),
            "{}: took {:?}",
            case.name,
            outcome.elapsed
        );
        assert!(
            !mock.paths().iter().any(|p| p == "/"),
            "{}: unexpected request",
            case.name
        );
    }
}

/// An error page that echoes the request URL and the key in every form it has.
struct EchoingErrorPage;

impl Respond for EchoingErrorPage {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let key = request
            .url
            .query_pairs()
            .find(|(name, _)| name == "key")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        // Every spelling a server can produce: lower-case and double percent-encoding,
        // JSON escapes, and the key split by a newline.
        let lower: String = key
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'0'..=b'9' => char::from(b).to_string(),
                _ => format!("%{b:02x}"),
            })
            .collect();
        let double = lower.replace('%', "%25");
        let json = key.replace('&', "\\u0026").replace('/', "\\/");
        let split = format!("{}\n{}", &key[..3], &key[3..]);
        html_body(
            500,
            &format!(
                "<html><body>Internal error for {} (key {key}, raw query {}; {lower} {double} {json} {split})</body></html>",
                request.url,
                request.url.query().unwrap_or_default()
            ),
        )
    }
}

#[test]
fn an_error_page_echoing_the_key_does_not_leak_it() {
    let mock = Mocked::new(vec![
        Mock::given(method("GET"))
            .and(path(SUMMARY))
            .respond_with(EchoingErrorPage),
    ]);
    let outcome = tv_at(&mock.base_url(), SUMMARY_ARGS);
    assert_fails("an echoing error page", &outcome, 1, &["HTTP 500"]);
    assert_eq!(
        mock.paths(),
        [SUMMARY, SUMMARY],
        "one retry, no other request"
    );
}

#[test]
fn a_redirect_to_a_login_page_is_not_followed() {
    let mock = Mocked::new(vec![]);
    let login = format!("{}/login?next=%2Fapi-v2%2Fapps", mock.server.uri());
    mock.runtime.block_on(
        get(
            SUMMARY,
            ResponseTemplate::new(302)
                .insert_header("Location", login.as_str())
                .set_body_raw("<html>Moved</html>", "text/html"),
        )
        .mount(&mock.server),
    );
    let outcome = tv_at(&mock.base_url(), SUMMARY_ARGS);
    assert_fails("a 302 to a login page", &outcome, 1, &["HTTP 302"]);
    let paths = mock.paths();
    assert_eq!(paths, [SUMMARY], "a redirect is not retried nor followed");
}

/// A raw server that answers every connection with `head`, then `body` one byte per
/// `pace`, then closes.
fn raw_server(head: &'static str, body: &'static [u8], pace: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for byte in body {
                    if stream.write_all(&[*byte]).is_err() {
                        return;
                    }
                    std::thread::sleep(pace);
                }
            });
        }
    });
    format!("http://{addr}/api-v2")
}

#[test]
fn a_slow_loris_body_times_out() {
    let base = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n",
        b"{\"data\": {\"count\": 1, \"average\": 1.0, \"latest\": 1.0}                    ",
        Duration::from_millis(100),
    );
    let outcome = tv_at(
        &base,
        &[
            "--timeout",
            "1s",
            "--attempts",
            "1",
            "latency",
            "summary",
            "web-shop",
        ],
    );
    assert_fails("a slow-loris body", &outcome, 1, &["timed out"]);
    assert!(
        outcome.elapsed < Duration::from_secs(6),
        "{:?}",
        outcome.elapsed
    );
}

#[test]
fn a_body_cut_short_is_an_error() {
    let base = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n",
        b"{\"data\": {\"count\"",
        Duration::ZERO,
    );
    let outcome = tv_at(&base, SUMMARY_ARGS);
    assert_fails("a body cut short", &outcome, 1, &[]);
}

#[test]
fn a_huge_valid_series_is_decoded() {
    let rows: Vec<String> = (0..50_000)
        .map(|i| format!("[{}, {}, {}.5]", 1_600_000_000 + 30 * i, i % 17, 1000 + i))
        .collect();
    let body = format!(
        r#"{{"data": {{"fields": "timestamp,volume,avg_latency", "items": [{}]}}, "response": "ok"}}"#,
        rows.join(",")
    );
    let mock = Mocked::new(vec![get(SERIES, json_body(200, &body))]);
    let outcome = tv_at(
        &mock.base_url(),
        &["--output", "ndjson", "latency", "series", "web-shop"],
    );
    assert_clean("a huge series", &outcome);
    assert_eq!(outcome.code, Exit::Ok.code(), "{}", outcome.stderr);
    assert_eq!(outcome.stdout.lines().count(), 50_000);
}

#[test]
fn a_key_with_url_special_characters_and_odd_app_names_work() {
    let (sandbox, _) = start_with(|c| c.api_keys = vec![SECRET.to_owned()]);
    let base = sandbox.base_url.as_str();

    let apps = tv_at(base, &["--output", "json", "apps"]);
    assert_clean("apps with a special key", &apps);
    assert_eq!(apps.code, Exit::Ok.code(), "{}", apps.stderr);
    assert!(apps.stdout.contains("web-shop"), "{}", apps.stdout);

    let name = "checkout v2/ü ñ 日本";
    let assign = tv_at(
        base,
        &[
            "app", "assign", name, "web-77", "--create", "--layer", "nginx",
        ],
    );
    assert_clean("assign an odd name", &assign);
    assert_eq!(assign.code, Exit::Ok.code(), "{}", assign.stderr);

    let summary = tv_at(
        base,
        &["--output", "json", "latency", "summary", name, "--end", END],
    );
    assert_clean("summary of an odd name", &summary);
    assert_eq!(summary.code, Exit::Ok.code(), "{}", summary.stderr);
    let value: serde_json::Value = serde_json::from_str(&summary.stdout).unwrap();
    assert_eq!(value["app"], name);

    let unknown = tv_at(base, &["latency", "summary", "no such/äpp name"]);
    assert_fails("an unknown odd name", &unknown, 4, &["no such/äpp name"]);

    // A backslash is part of the name, never a path separator (it once deleted web-shop).
    let sneaky = r"x\..\..\app\web-shop";
    let assign = tv_at(
        base,
        &[
            "app", "assign", sneaky, "web-78", "--create", "--layer", "nginx",
        ],
    );
    assert_eq!(assign.code, Exit::Ok.code(), "{}", assign.stderr);
    let delete = tv_at(base, &["app", "delete", sneaky, "--yes"]);
    assert_eq!(delete.code, Exit::Ok.code(), "{}", delete.stderr);
    let apps = tv_at(base, &["--output", "json", "apps"]);
    assert!(apps.stdout.contains("\"web-shop\""), "{}", apps.stdout);
    let sneaky_json = serde_json::to_string(sneaky).unwrap();
    assert!(
        !apps.stdout.contains(&sneaky_json),
        "the app itself is deleted: {}",
        apps.stdout
    );
    let host = tv_at(base, &["app", "delete", r"..\hosts\100486", "--yes"]);
    assert_fails("a host path as an app name", &host, 4, &["hosts"]);
    // The dot segments cannot be sent at all.
    let dots = tv_at(base, &["app", "delete", "..", "--dry-run"]);
    assert_fails("the app ..", &dots, 2, &[".."]);

    // A usage error from the parser is one line too.
    let usage = tv_at(base, &["report", "--output", "xml"]);
    assert_fails(
        "a bad --output",
        &usage,
        2,
        &["xml", "possible values", "--help"],
    );
}
