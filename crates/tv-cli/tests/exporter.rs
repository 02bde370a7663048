//! `tv exporter` (with its statsd push) and `tv export openmetrics`/`graphite` without
//! external tools: what a scrape shows (snapshot), what statsd receives, the exporter's
//! failures, the exports' values and failures.

mod common;
mod real_tools;

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
fn idle_connections_at_the_cap_make_room_for_a_scrape() {
    let sandbox = common::shared();
    let (_exporter, address) = exporter(
        sandbox,
        KEY,
        &["--app", "web-shop", "--max-connections", "3"],
    );
    // Cap-many connections that never send a request hold every slot.
    let mut idle: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(&address).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    // Each scrape closes the oldest of them and is served at once.
    for round in 0..3 {
        let (head, body) = get(&address, "/metrics", None);
        assert!(head.contains(" 200 "), "round {round}: {head}");
        assert!(body.contains("traceview_up"), "round {round}");
    }
    // The idle connections were closed by the exporter (end of stream, or reset).
    for stream in &mut idle {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut byte = [0u8; 1];
        assert!(
            matches!(stream.read(&mut byte), Ok(0) | Err(_)),
            "an idle connection is still open"
        );
    }
}

#[test]
fn busy_connections_at_the_cap_refuse_at_once() {
    let sandbox = common::shared();
    let (_exporter, address) = exporter(
        sandbox,
        KEY,
        &["--app", "web-shop", "--max-connections", "1"],
    );
    // One connection that sent a complete request and is kept alive: it is not closed
    // for a newer one, so at the cap the newer one is refused.
    let mut busy = TcpStream::connect(&address).unwrap_or_else(|e| panic!("{e}"));
    busy.write_all(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = [0u8; 256];
    let _ = busy.set_read_timeout(Some(Duration::from_secs(10)));
    let read = busy.read(&mut answer).unwrap_or_else(|e| panic!("{e}"));
    assert!(answer[..read].starts_with(b"HTTP/1.1 200"));
    let answer = exchange(&address, "GET /metrics HTTP/1.0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    drop(busy);
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
fn a_probe_uses_its_profile_not_the_environment() {
    let sandbox = common::shared();
    let dead = common::Sandbox::dead();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.lab]\napi_key = \"{KEY}\"\nbase_url = \"{}\"\n\n[profiles.other]\napi_key = \"{KEY}\"\nbase_url = \"{}\"\n",
            sandbox.base_url, dead.base_url
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = config.to_string_lossy().into_owned();
    // The exporter's own account comes from the environment: a refused key, a server
    // where nothing listens, and another profile. None of it reaches a probe.
    let (_exporter, url) = common::spawn_tv_with_env(
        &[
            "exporter",
            "--listen",
            "127.0.0.1:0",
            "--app",
            "billing-api",
        ],
        &[
            ("TV_CONFIG", &config),
            ("TV_API_KEY", "refused-key-from-the-environment"),
            ("TV_BASE_URL", &dead.base_url),
            ("TV_PROFILE", "other"),
        ],
    );
    let address = url
        .strip_prefix("http://")
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("exporter said {url:?}"))
        .to_string();
    let (head, body) = get(&address, "/probe?target=lab", None);
    assert!(head.contains(" 200 "), "{head}");
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
    // What cannot be honoured is refused with one line naming the key.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (yaml, key) in [
        ("http_server_config:\n  http2: true\n", "http2"),
        (
            "http_server_config:\n  headers:\n    Content-Type: x\n",
            "headers",
        ),
        ("http_server_config:\n  nope: 1\n", "nope"),
    ] {
        let file = dir.path().join("web.yml");
        std::fs::write(&file, yaml).unwrap_or_else(|e| panic!("{e}"));
        let mut command = tv(sandbox);
        command.args(["exporter", "--listen", "127.0.0.1:0", "--web.config.file"]);
        command.arg(&file);
        let (code, _, stderr) = run(command);
        assert_eq!(code, 3, "{yaml}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{yaml}: {stderr}");
        assert!(stderr.contains(key), "{yaml}: {stderr}");
    }
}

#[test]
fn the_web_configs_headers_are_on_every_answer() {
    let sandbox = common::shared();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("web.yml");
    std::fs::write(
        &file,
        "http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = file.to_string_lossy().into_owned();
    let (_exporter, address) = exporter(
        sandbox,
        KEY,
        &["--app", "web-shop", "--web.config.file", &file],
    );
    for path in ["/metrics", "/-/healthy", "/nope"] {
        let (head, _) = get(&address, path, None);
        let head = head.to_lowercase();
        assert!(head.contains("\r\nx-frame-options: deny"), "{path}: {head}");
        assert!(
            head.contains("\r\nstrict-transport-security: max-age=31536000"),
            "{path}: {head}"
        );
    }
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

fn graphite_samples(text: &str, prefix: &str, app: &str) -> common::Samples {
    let mut out = common::Samples::new();
    let start = format!("{prefix}.{app}.");
    for line in text.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let [path, value, at] = fields[..] else {
            panic!("not `path value timestamp`: {line:?}")
        };
        let Some(leaf) = path.strip_prefix(&start) else {
            continue;
        };
        out.entry(leaf.to_string()).or_default().push((
            at.parse().unwrap_or_else(|e| panic!("{line:?}: {e}")),
            value.parse().unwrap_or_else(|e| panic!("{line:?}: {e}")),
        ));
    }
    out
}

#[test]
fn graphite_export_has_the_openmetrics_values_at_each_slice() {
    let sandbox = common::shared();
    let apps = ["web-shop", "billing-api"];
    let mut command = tv(sandbox);
    command.args(["export", "openmetrics"]).args(apps);
    command.args(["--since", "2d"]);
    let (code, openmetrics, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let mut command = tv(sandbox);
    command.args(["export", "graphite"]).args(apps);
    command.args(["--since", "2d", "--prefix", "tv.test"]);
    let (code, graphite, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    for app in apps {
        let expected = common::openmetrics_samples(&openmetrics, app);
        assert_eq!(expected.len(), 4, "four families of {app}");
        assert_eq!(graphite_samples(&graphite, "tv.test", app), expected);
    }
    assert_eq!(
        graphite.lines().count(),
        openmetrics.lines().filter(|l| !l.starts_with('#')).count()
    );

    // --to: a carbon stand-in on loopback receives the same lines, then the end.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let receiver = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap_or_else(|e| panic!("{e}"));
        let mut received = String::new();
        let _ = stream.read_to_string(&mut received);
        received
    });
    let mut command = tv(sandbox);
    command.args(["export", "graphite"]).args(apps);
    command.args(["--since", "2d", "--prefix", "tv.test"]);
    command.args(["--to", &address.to_string()]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "");
    let received = receiver.join().unwrap_or_else(|_| panic!("receiver"));
    assert_eq!(received, graphite);
}

#[test]
fn graphite_export_refuses_colliding_names_and_bad_targets() {
    let sandbox = common::shared();
    let nobody = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let closed = nobody
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_string();
    drop(nobody);
    let cases: [(&[&str], i32, &str); 5] = [
        (
            &["web.shop", "web/shop"],
            2,
            "error: \"web.shop\" and \"web/shop\" both become the path component \"web_shop\"",
        ),
        (&["web-shop", "--to", "localhost"], 2, "expected HOST:PORT"),
        (
            &["web-shop", "--to", &closed],
            1,
            "error: cannot connect to carbon at 127.0.0.1:",
        ),
        (&["web-shop", "--prefix", "a..b"], 2, "invalid value 'a..b'"),
        (&["no-such-app"], 4, "No app found"),
    ];
    for (args, expected, message) in cases {
        let mut command = tv(sandbox);
        command
            .args(["export", "graphite", "--since", "1h"])
            .args(args);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, expected, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        if expected != 2 {
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
        }
    }
}

/// A statsd line checked strictly: `NAME:VALUE|TYPE`, the name of safe components
/// joined by dots, the value a plain decimal number, the type `g` or `ms`.
fn statsd_line(line: &str) -> (String, f64, String) {
    let (name, rest) = line
        .split_once(':')
        .unwrap_or_else(|| panic!("no ':' in {line:?}"));
    let fields: Vec<&str> = rest.split('|').collect();
    let [value, kind] = fields[..] else {
        panic!("not VALUE|TYPE in {line:?}")
    };
    assert!(
        name.split('.').all(|part| !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')),
        "name {name:?}"
    );
    assert!(
        !value.is_empty()
            && value
                .trim_start_matches('-')
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.'),
        "value {value:?} in {line:?}"
    );
    assert!(kind == "g" || kind == "ms", "type {kind:?} in {line:?}");
    let value = value.parse().unwrap_or_else(|e| panic!("{line:?}: {e}"));
    (name.to_string(), value, kind.to_string())
}

#[test]
fn statsd_push_has_the_scraped_values_under_the_documented_names() {
    let sandbox = common::shared();
    let statsd = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let _ = statsd.set_read_timeout(Some(Duration::from_secs(30)));
    let target = statsd
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_string();
    let (_exporter, address) = exporter(
        sandbox,
        KEY,
        &[
            "--app",
            "billing-api",
            "--statsd",
            &target,
            "--statsd-prefix",
            "tv.test",
        ],
    );
    let (_, body) = get(&address, "/metrics", None);
    let expected = common::statsd_gauges(&body, "tv.test");
    assert!(expected.len() > 10, "{expected:?}");
    let mut gauges = std::collections::BTreeMap::new();
    let mut timer = None;
    let mut buffer = [0u8; 2048];
    while gauges.len() < expected.len() || timer.is_none() {
        let size = statsd
            .recv(&mut buffer)
            .unwrap_or_else(|e| panic!("after {gauges:?}: {e}"));
        assert!(size <= 1432, "a datagram of {size} bytes");
        for line in String::from_utf8_lossy(&buffer[..size]).split('\n') {
            match statsd_line(line) {
                (name, value, kind) if kind == "ms" => {
                    assert_eq!(name, "tv.test.collect_duration");
                    timer = Some(value);
                }
                (name, value, _) => {
                    assert!(gauges.insert(name, value).is_none(), "{line} twice");
                }
            }
        }
    }
    assert_eq!(gauges, expected);
    let scraped: f64 = body
        .lines()
        .find_map(|l| l.strip_prefix("traceview_collect_duration_seconds "))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no collect duration in {body}"));
    let timer = timer.unwrap_or_default();
    assert!(
        (timer - scraped * 1000.0).abs() < 1e-6,
        "{timer} ms vs {scraped} s"
    );
}

/// A TraceView whose every series is empty (no traffic at all).
struct NoTraffic;

impl wiremock::Respond for NoTraffic {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let path = request.url.path();
        let fields = if path.contains("/latency/") {
            "timestamp,volume,avg_latency"
        } else if path.contains("/errors/") {
            "timestamp,error_rate"
        } else {
            "timestamp,total_requests"
        };
        let body =
            format!("{{\"data\":{{\"fields\":\"{fields}\",\"items\":[]}},\"response\":\"ok\"}}");
        wiremock::ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

#[test]
fn an_export_without_samples_says_so() {
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let server = runtime.block_on(async {
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("GET"))
            .respond_with(NoTraffic)
            .mount(&server)
            .await;
        server
    });
    let sandbox = common::Sandbox::at(format!("{}/api-v2", server.uri()));
    for format in ["graphite", "openmetrics"] {
        let mut command = tv(&sandbox);
        command.args(["export", format, "web-shop", "--since", "2m"]);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.contains("no samples from "), "{stderr}");
        assert_eq!(stdout.lines().filter(|l| !l.starts_with('#')).count(), 0);
    }
}
