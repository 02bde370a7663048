//! `tv export graphite` and the statsd push: values, names, failures.

use super::*;

fn graphite_samples(text: &str, prefix: &str, app: &str) -> crate::common::Samples {
    let mut out = crate::common::Samples::new();
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
    let sandbox = crate::common::shared();
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
        let expected = crate::common::openmetrics_samples(&openmetrics, app);
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
    let sandbox = crate::common::shared();
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
    let sandbox = crate::common::shared();
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
    let expected = crate::common::statsd_gauges(&body, "tv.test");
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
    let sandbox = crate::common::Sandbox::at(format!("{}/api-v2", server.uri()));
    for format in ["graphite", "openmetrics"] {
        let mut command = tv(&sandbox);
        command.args(["export", format, "web-shop", "--since", "2m"]);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.contains("no samples from "), "{stderr}");
        assert_eq!(stdout.lines().filter(|l| !l.starts_with('#')).count(), 0);
    }
}
