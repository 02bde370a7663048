//! When data is missing, tv says so: what was not found, stale apps, vanished traffic.

mod chart;
mod check_end;
mod errors;
mod gate_output;
mod span;

use crate::common::{run, shared, start, tv};

/// A private sandbox with one more app, `name`, created on a host (`web-77`) but never
/// sent a trace: every window of it holds no traffic.
pub(crate) fn with_idle_app(name: &str) -> crate::common::Sandbox {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args([
        "app", "assign", name, "web-77", "--create", "--layer", "nginx",
    ]);
    assert_eq!(run(command).0, 0, "creating {name}");
    sandbox
}

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
    let server = crate::common::Sandbox::at(silent_server());
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
    let sandbox = with_idle_app("quiet-app");
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

/// An app with no traffic in the window: counts 0, averages absent, and every format
/// says so (`traffic` in JSON and on each NDJSON record, a note in table and Markdown).
#[test]
fn a_window_without_traffic_says_so_in_every_format() {
    let sandbox = with_idle_app("idle-app");
    for args in [
        &["latency", "series", "idle-app"][..],
        &["latency", "by-layer", "idle-app"],
        &["requests", "idle-app"],
    ] {
        let output = |format: &str| {
            let mut command = tv(&sandbox);
            command.args(["--output", format]).args(args);
            let (code, stdout, stderr) = run(command);
            assert_eq!(code, 0, "{args:?} {format}: {stderr}");
            stdout
        };
        let json: serde_json::Value = serde_json::from_str(&output("json")).unwrap();
        assert_eq!(json["traffic"], "no_traffic", "{args:?}");
        for line in output("ndjson").lines() {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(record["traffic"], "no_traffic", "{args:?}");
        }
        for format in ["table", "markdown"] {
            let text = output(format);
            assert!(
                text.contains("no traffic in this window"),
                "{args:?} {format}: {text}"
            );
        }
    }
    // With traffic, the state is left out.
    let mut command = tv(shared());
    command.args(["--output", "json", "requests", "web-shop"]);
    let (_, stdout, _) = run(command);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(json.get("traffic").is_none(), "{stdout}");
}

#[test]
fn threshold_errors_speak_the_flags_unit() {
    for (flag, value, says) in [
        (
            "--fail-if-slower",
            "-5",
            "--fail-if-slower takes a percentage from 0 to 10000 (got -5)",
        ),
        (
            "--fail-if-errors",
            "150",
            "--fail-if-errors takes percentage points from 0 to 100 (got 150)",
        ),
        (
            "--fail-if-traffic-drops",
            "101",
            "--fail-if-traffic-drops takes a percentage from 0 to 100",
        ),
        (
            "--min-share",
            "120",
            "--min-share takes a percentage from 0 to 100 (got 120)",
        ),
    ] {
        let mut command = tv(shared());
        command.args(["compare", "web-shop", flag, value]);
        let (code, _, stderr) = run(command);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(!stderr.contains("fraction"), "{stderr}");
    }
}

#[test]
fn the_readme_lists_resample_only_where_it_is_taken() {
    let readme = include_str!("../../../../../README.md");
    let line = readme
        .lines()
        .find(|l| l.starts_with("| history |"))
        .expect("the history row of the README");
    let mut command = tv(shared());
    command.args([
        "latency",
        "by-layer",
        "web-shop",
        "--since",
        "1d",
        "--resample",
        "1h",
    ]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--resample needs a series"), "{stderr}");
    assert!(
        line.contains("(not `latency by-layer`"),
        "the README says by-layer takes --resample: {line}"
    );
}

#[test]
fn the_readme_shows_the_columns_tv_annotations_prints() {
    let readme = include_str!("../../../../../README.md");
    let shown = readme
        .lines()
        .skip_while(|l| *l != "$ tv annotations --app web-shop")
        .nth(1)
        .expect("the README's tv annotations example");
    let mut command = tv(shared());
    command.args(["annotations", "--app", "web-shop", "-o", "table"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let printed = stdout.lines().next().unwrap_or_default();
    assert_eq!(
        shown.split_whitespace().collect::<Vec<_>>(),
        printed.split_whitespace().collect::<Vec<_>>(),
        "README: {shown}\ntv:     {printed}"
    );
}
