//! When data is missing, tv says so: what was not found, stale apps, vanished traffic.

mod common;

use common::{run, shared, start, tv};

/// The annotations of the shared sandbox as (id, app name).
fn annotations() -> Vec<(i64, Option<String>)> {
    let mut command = tv(shared());
    command.args(["annotations", "-o", "json"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let notes: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_i64().unwrap(),
                n["app"].as_str().map(String::from),
            )
        })
        .collect()
}

fn compare_around(app: &str, around: &str) -> (i32, String) {
    let mut command = tv(shared());
    command.args(["compare", app, "--around", around]);
    let (code, _, stderr) = run(command);
    (code, stderr)
}

#[test]
fn around_failures_name_the_annotation_and_never_suggest_an_app() {
    let (code, stderr) = compare_around("web-shop", "999999");
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("no annotation 999999 of app `web-shop`"),
        "{stderr}"
    );
    assert!(!stderr.contains("did you mean"), "{stderr}");

    let notes = annotations();
    let (other, _) = notes
        .iter()
        .find(|(_, app)| app.as_deref().is_some_and(|a| a != "web-shop"))
        .expect("an annotation of another app");
    let (code, stderr) = compare_around("web-shop", &other.to_string());
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains(&format!("annotation {other} belongs to another app")),
        "{stderr}"
    );
    assert!(!stderr.contains("did you mean"), "{stderr}");
}

#[test]
fn around_latest_without_annotations_says_so() {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args([
        "app", "assign", "bare-app", "web-77", "--create", "--layer", "nginx",
    ]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let mut command = tv(&sandbox);
    command.args(["compare", "bare-app", "--around", "latest"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("app `bare-app` has no annotation"),
        "{stderr}"
    );
    assert!(!stderr.contains("did you mean"), "{stderr}");
}

#[test]
fn an_unknown_app_still_gets_a_suggestion() {
    let (code, stderr) = compare_around("web-shpo", "latest");
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("did you mean `web-shop`?"), "{stderr}");
}

#[test]
fn a_dead_app_is_critical_however_long_ago_its_last_trace() {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args([
        "app",
        "assign",
        "fresh-app",
        "web-77",
        "--create",
        "--layer",
        "nginx",
    ]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let mut command = tv(&sandbox);
    command.args(["check", "fresh-app", "-c", "stale=90"]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.starts_with("TRACEVIEW CRITICAL - fresh-app: last traces more than 10080 min ago"),
        "{stdout}"
    );
    assert!(stdout.contains("'stale_minutes'=10080;;90;0"), "{stdout}");
}

#[test]
fn a_live_app_is_fresh() {
    let mut command = tv(shared());
    command.args(["check", "web-shop", "-c", "stale=90"]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("'stale_minutes'=0;;90;0"), "{stdout}");
}

/// A server that accepts connections and never answers.
fn silent_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    format!("http://{address}/api-v2")
}

#[test]
fn the_whole_check_is_bounded_by_t_and_reports_its_state() {
    let server = common::Sandbox::at(silent_server());
    let mut command = tv(&server);
    command.args(["check", "web-shop", "-c", "stale=90", "-t", "1"]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 3, "{stdout}");
    assert_eq!(stdout, "TRACEVIEW UNKNOWN - no answer within 1s (-t)\n");

    let mut command = tv(&server);
    command.args(["check", "web-shop", "-m", "latency", "-t", "1"]);
    command.args(["--timeout-state", "critical"]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.starts_with("TRACEVIEW CRITICAL - no answer within"),
        "{stdout}"
    );
}

#[test]
fn an_unfinished_window_is_refused() {
    let mut command = tv(shared());
    command.args(["compare", "web-shop", "--end", "2024-01-03T13:00:00Z"]);
    command.args(["--fail-if-slower", "10", "--fail-if-errors", "1"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("the hour ending 2024-01-03 13:00:00 UTC is not over yet"),
        "{stderr}"
    );
}

#[test]
fn no_data_in_either_window_has_its_own_exit_code_and_ci_annotation() {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args([
        "app",
        "assign",
        "quiet-app",
        "web-77",
        "--create",
        "--layer",
        "nginx",
    ]);
    assert_eq!(run(command).0, 0);
    let mut command = tv(&sandbox);
    command.args(["compare", "quiet-app", "--fail-if-slower", "10"]);
    command.env("GITHUB_ACTIONS", "true");
    let (code, _, stderr) = run(command);
    assert_eq!(code, 6, "{stderr}");
    assert!(
        stderr.contains("gate: no traces of `quiet-app` in either window: nothing to judge"),
        "{stderr}"
    );
    assert!(
        stderr.contains("::error title=tv compare gate::no traces of `quiet-app`"),
        "{stderr}"
    );
    // Without a gate, the comparison itself is the answer.
    let mut command = tv(&sandbox);
    command.args(["compare", "quiet-app"]);
    assert_eq!(run(command).0, 0);
}

#[test]
fn an_end_before_the_apis_range_says_so_in_its_own_words() {
    for args in [
        vec!["compare", "web-shop", "--end", "0"],
        vec!["report", "web-shop", "--end", "0"],
    ] {
        let mut command = tv(shared());
        command.args(&args);
        let (code, _, stderr) = run(command);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("before 1971-01-01, the earliest time the API takes"),
            "{stderr}"
        );
        assert!(!stderr.contains("TimeEndValue"), "{stderr}");
    }
    // The window compared against, an hour before 1971-01-01 00:30.
    let mut command = tv(shared());
    command.args(["compare", "web-shop", "--end", "1971-01-01T00:30:00Z"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("the hour compared against ends at 1970-12-31 23:30:00 UTC"),
        "{stderr}"
    );
}

/// A private frozen sandbox with a `web-shop` annotation `ago` before its now; the id.
fn annotated(ago: &str) -> (common::Sandbox, String) {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args(["annotate", "span test", "--app", "web-shop", "--time", ago]);
    assert_eq!(run(command).0, 0);
    let id = annotation_id(&sandbox, "span test");
    (sandbox, id)
}

/// The id of the newest annotation with this message.
fn annotation_id(sandbox: &common::Sandbox, message: &str) -> String {
    let mut command = tv(sandbox);
    command.args(["annotations", "--app", "web-shop", "-o", "json"]);
    let (_, stdout, _) = run(command);
    let notes: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    notes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["message"] == message)
        .map(|n| n["id"].to_string())
        .expect("the annotation is listed")
}

#[test]
fn a_span_compares_short_windows_around_a_recent_annotation() {
    // 20 minutes after a deploy the hour after it is not over; 15 minutes are.
    let (sandbox, id) = annotated("20m ago");
    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not over yet"), "{stderr}");

    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id, "--span", "15m"]);
    command.args(["-o", "json"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let result: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(result["span_s"], 900);
    assert_eq!(result["end"], "2024-01-03T11:55:00Z");
    assert_eq!(result["previous_end"], "2024-01-03T11:40:00Z");
    // The windows' numbers are the hour series' 30-second slices in them.
    let mut command = tv(&sandbox);
    command.args(["latency", "series", "web-shop", "-o", "json"]);
    let (_, stdout, _) = run(command);
    let series: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let volume = |from: &str, to: &str| -> u64 {
        series["series"]["points"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| (from..to).contains(&p["at"].as_str().unwrap()))
            .map(|p| p["volume"].as_u64().unwrap())
            .sum()
    };
    let overall = &result["comparison"]["overall"];
    let (after, before) = (
        volume("2024-01-03T11:40:00Z", "2024-01-03T11:55:00Z"),
        volume("2024-01-03T11:25:00Z", "2024-01-03T11:40:00Z"),
    );
    assert!(after > 0 && before > 0);
    assert_eq!(overall["current"]["volume"], after);
    assert_eq!(overall["previous"]["volume"], before);

    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id, "--span", "15m"]);
    command.args(["-o", "table"]);
    let (_, stdout, _) = run(command);
    assert!(
        stdout.starts_with(&format!(
            "web-shop: the 15m after annotation {id} (2024-01-03 11:40) against the 15m before"
        )),
        "{stdout}"
    );
}

#[test]
fn a_span_must_be_whole_slices_within_the_window() {
    for (span, says) in [
        (
            "45s",
            "a span of 45s is not a whole number of the hour window's 30s slices",
        ),
        (
            "2h",
            "a span of 2h is longer than the hour window its slices come from",
        ),
    ] {
        let mut command = tv(shared());
        command.args(["compare", "web-shop", "--around", "latest", "--span", span]);
        let (code, _, stderr) = run(command);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn wait_is_bounded_and_refuses_a_window_it_cannot_see_end() {
    // A frozen clock: the 15 minutes after a deploy 10 minutes ago never end.
    let (sandbox, id) = annotated("10m ago");
    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id, "--span", "15m"]);
    command.args(["--wait", "1m"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("is not over yet: it ends 2024-01-03 12:05:00 UTC")
            && stderr.contains("it ends later than --wait 1m"),
        "{stderr}"
    );
    assert!(!stderr.contains("waiting for"), "refused at once: {stderr}");
}

#[test]
fn wait_waits_until_the_window_after_the_deploy_is_over() {
    // The system clock: the minute after a deploy made now ends within a minute.
    let (sandbox, _) = common::start_with(|config| config.now = None);
    let mut command = tv(&sandbox);
    command.args(["annotate", "deploy now", "--app", "web-shop"]);
    assert_eq!(run(command).0, 0);
    let id = annotation_id(&sandbox, "deploy now");
    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id, "--span", "1m"]);
    command.args(["--wait", "3m", "--fail-if-slower", "1000", "-o", "json"]);
    let (code, stdout, stderr) = run(command);
    assert!(
        stderr.contains(&format!(
            "waiting for the 1m after annotation {id} to be over at"
        )),
        "{stderr}"
    );
    assert!(code == 0 || code == 5, "{stderr}");
    let result: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(result["span_s"], 60);
}
