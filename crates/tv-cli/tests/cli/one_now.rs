//! One "now" (the frozen sandbox's, never this machine's clock) and the CI gate of
//! `tv compare`, through the real binary.
use crate::common::{END, run, shared, start, tv};

fn json(args: &[&str]) -> serde_json::Value {
    let mut command = tv(shared());
    command.args(["--output", "json"]).args(args);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "tv {args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn commands_without_end_use_the_servers_now() {
    assert_eq!(json(&["report"])["end"], END);
    let one = json(&["report", "web-shop"]);
    let summary = json(&["latency", "summary", "web-shop"]);
    let compared = json(&["compare", "web-shop"]);
    assert_eq!(one["end"], END);
    assert_eq!(compared["end"], END);
    let count = &summary["summary"]["count"];
    assert!(count.as_u64().is_some_and(|c| c > 0), "{summary}");
    assert_eq!(&one["summary"]["count"], count);
    assert_eq!(
        &compared["comparison"]["overall"]["current"]["volume"],
        count
    );
    // Relative times count from the same now.
    assert_eq!(
        json(&["report", "--end", "1h ago"])["end"],
        "2024-01-03T11:00:00Z"
    );
}

#[test]
fn ndjson_records_say_what_they_describe() {
    for args in [
        &["report"][..],
        &["report", "web-shop"],
        &["compare", "web-shop"],
    ] {
        let mut command = tv(shared());
        command.args(["--output", "ndjson"]).args(args);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, 0, "{stderr}");
        for line in stdout.lines() {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(record["window"], "hour", "{line}");
            assert_eq!(record["end"], END, "{line}");
            assert!(record["filters"].is_object(), "{line}");
        }
    }
    // `report APP` carries everything its JSON does: summary, layers, slices, annotations.
    let mut command = tv(shared());
    command.args(["--output", "ndjson", "report", "web-shop"]);
    let (_, stdout, _) = run(command);
    let kinds: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["record"].to_string())
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "\"summary\"").count(), 1);
    assert!(kinds.iter().any(|k| k == "\"layer\""));
    assert_eq!(kinds.iter().filter(|k| *k == "\"slice\"").count(), 120);
}

#[test]
fn nonsense_gates_and_windows_are_usage_errors() {
    for bad in [
        &["--fail-if-slower", "NaN"][..],
        &["--fail-if-slower", "inf"],
        &["--fail-if-slower=-5"],
        &["--fail-if-slower", "1e9"],
        &["--fail-if-errors", "200"],
        &["--min-share", "150"],
        &["--against", "0s"],
        &["--against", "10m"],
        &["--around", "yesterday"],
    ] {
        let mut command = tv(shared());
        command.args(["compare", "web-shop"]).args(bad);
        let (code, _, stderr) = run(command);
        assert_eq!(code, 2, "{bad:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{bad:?}: {stderr}");
    }
}

#[test]
fn the_gate_names_the_rule_that_tripped() {
    let mut command = tv(shared());
    command.args([
        "compare",
        "web-shop",
        "--fail-if-slower",
        "0",
        "--min-delta",
        "0s",
        "--output",
        "json",
    ]);
    let (code, stdout, stderr) = run(command);
    let out: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let tripped = out["verdict"]["tripped"].as_array().unwrap();
    if tripped.is_empty() {
        assert_eq!(code, 0, "{stderr}");
    } else {
        assert_eq!(code, 5, "{stderr}");
        assert!(stderr.contains("gate tripped: "), "{stderr}");
        assert!(stderr.contains("→"), "{stderr}");
    }
    // The default floor and shares keep an ordinary hour quiet.
    let mut command = tv(shared());
    command.args(["compare", "web-shop", "--fail-if-slower", "10"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn relative_annotation_times_count_from_the_servers_now() {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args([
        "annotate", "deploy 9", "--app", "web-shop", "--time", "10m ago",
    ]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let mut command = tv(&sandbox);
    command.args(["--output", "json", "annotations", "--app", "web-shop"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("deploy 9") && stdout.contains("2024-01-03T11:50:00Z"),
        "{stdout}"
    );
    // And `--around latest` compares the hour before it with the hour after: not over yet.
    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", "latest"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not over yet"), "{stderr}");
}
