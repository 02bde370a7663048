//! What the CI sees of a gate: `compare -o markdown` shows the verdict and the rules
//! (agreeing with the exit code and stderr); `tv annotate` writes the annotation's id
//! to `$GITHUB_OUTPUT`.

use super::span::annotated;
use crate::common::{run, shared, start, tv};

#[test]
fn markdown_shows_the_verdict_and_the_rules_that_tripped() {
    // The 15 minutes after a deploy 20 minutes ago hold a mongodb incident.
    let (sandbox, id) = annotated("20m ago");
    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id, "--span", "15m"]);
    command.args([
        "--fail-if-slower",
        "10",
        "--fail-if-errors",
        "1",
        "-o",
        "markdown",
    ]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 5, "{stderr}");
    assert!(
        stdout.contains("### Gate: FAIL (exit 5): 2 rules tripped"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| Rule | Trips when | Measured | Result |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| layer mongodb | > 10.0% per call | +187.9% (+13.0 ms) | FAIL |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| error rate | > 1.00 pp higher | +0.19 pp | pass |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| traffic | > 50.0% fewer traces | 478 → 486 traces (+1.7%) | pass |"),
        "{stdout}"
    );
    // As many FAIL rows as stderr's tripped rules.
    let fails = stdout.lines().filter(|l| l.ends_with("| FAIL |")).count();
    let trips = stderr
        .lines()
        .filter(|l| l.starts_with("gate tripped:"))
        .count();
    assert_eq!((fails, trips), (2, 2), "{stdout}{stderr}");
}

#[test]
fn markdown_says_pass_and_no_data_as_the_exit_code_does() {
    let mut command = tv(shared());
    command.args([
        "compare",
        "web-shop",
        "--fail-if-slower",
        "10",
        "-o",
        "markdown",
    ]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("### Gate: PASS (exit 0): no rule tripped"),
        "{stdout}"
    );
    assert!(!stdout.contains("| FAIL |"), "{stdout}");

    let sandbox = super::with_idle_app("quiet-app");
    let mut command = tv(&sandbox);
    command.args([
        "compare",
        "quiet-app",
        "--fail-if-slower",
        "10",
        "-o",
        "markdown",
    ]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 6, "{stdout}");
    assert!(
        stdout.contains("### Gate: NO DATA (exit 6): no traces in either window"),
        "{stdout}"
    );
    // Without a gate there is no verdict to show.
    let mut command = tv(shared());
    command.args(["compare", "web-shop", "-o", "markdown"]);
    let (_, stdout, _) = run(command);
    assert!(!stdout.contains("Gate:"), "{stdout}");
}

#[test]
fn annotate_appends_the_annotations_id_to_github_output() {
    let sandbox = start(0.0, &[]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("github_output");
    std::fs::write(&path, "earlier=kept\n").unwrap();
    let annotate = |message: &str, actions: &str, output: &std::path::Path| {
        let mut command = tv(&sandbox);
        command.args(["annotate", message, "--app", "web-shop", "-o", "json"]);
        command
            .env("GITHUB_ACTIONS", actions)
            .env("GITHUB_OUTPUT", output);
        run(command)
    };
    let (code, _, stderr) = annotate("deploy v1", "true", &path);
    assert_eq!(code, 0, "{stderr}");
    let id = super::span::annotation_id(&sandbox, "deploy v1");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("earlier=kept\nannotation_id={id}\n")
    );
    // Outside GitHub Actions nothing is written.
    let (code, _, _) = annotate("deploy v2", "false", &path);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);

    // An unwritable file: one line, exit 1, and the annotation is there all the same.
    let (code, stdout, stderr) = annotate("deploy v3", "true", &dir.path().join("no/such"));
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("\"annotated\""), "{stdout}");
    let id = super::span::annotation_id(&sandbox, "deploy v3");
    assert!(
        stderr.contains(&format!(
            "the annotation was created (id {id}), but $GITHUB_OUTPUT ("
        )) && stderr.contains("could not be written"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// `tv compare -o json`: the verdict's `checks`, one per rule with its threshold, the
/// value measured (`null` when not measurable) and its outcome; the gate table of the
/// table and Markdown output is made of the same checks.
#[test]
fn the_verdict_json_carries_each_rules_numbers() {
    let gate = ["--fail-if-slower", "10", "--fail-if-errors", "1"];
    let compare = |format: &str| {
        let mut command = tv(shared());
        command.args(["compare", "web-shop", "--end", crate::common::END]);
        command.args(gate).args(["-o", format]);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    let json: serde_json::Value = serde_json::from_str(&compare("json")).unwrap();
    let verdict = &json["verdict"];
    insta::assert_json_snapshot!("compare_verdict_checks", verdict);
    let checks = verdict["checks"].as_array().unwrap();
    // One table row per check, in the same order, with the same outcome; the severe
    // rule's passing layers share one row.
    let markdown = compare("markdown");
    let rows: Vec<&str> = markdown
        .lines()
        .skip_while(|l| !l.starts_with("### Gate:"))
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Rule") && !l.contains("---"))
        .collect();
    let quiet =
        |c: &serde_json::Value| c["rule"] == "severe_layer_latency" && c["outcome"] == "pass";
    let quiet_layers = checks.iter().filter(|c| quiet(c)).count();
    assert!(quiet_layers > 1, "{verdict}");
    let shown: Vec<&serde_json::Value> = checks.iter().filter(|c| !quiet(c)).collect();
    assert_eq!(rows.len(), shown.len() + 1, "{markdown}");
    let summary = format!("| {quiet_layers} other layers |");
    let listed: Vec<&&str> = rows.iter().filter(|r| !r.starts_with(&summary)).collect();
    assert_eq!(listed.len(), shown.len(), "{markdown}");
    for (row, check) in listed.iter().zip(&shown) {
        let outcome = match check["outcome"].as_str().unwrap() {
            "pass" => "| pass |",
            "fail" => "| FAIL |",
            _ => "| no data |",
        };
        assert!(row.ends_with(outcome), "{row} {check}");
    }
    let traffic = checks.iter().find(|c| c["rule"] == "traffic").unwrap();
    let (before, now) = (&traffic["previous_volume"], &traffic["current_volume"]);
    assert!(
        rows.iter()
            .any(|r| r.contains(&format!("| {before} → {now} traces ("))),
        "{markdown}"
    );
}

#[test]
fn an_idle_apps_rules_are_not_measured_never_passed() {
    let sandbox = super::with_idle_app("quiet-app");
    let mut command = tv(&sandbox);
    command.args([
        "compare",
        "quiet-app",
        "--fail-if-errors",
        "1",
        "-o",
        "json",
    ]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 6, "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let checks = json["verdict"]["checks"].as_array().unwrap();
    let rules: Vec<&str> = checks.iter().map(|c| c["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["error_rate", "traffic"], "{stdout}");
    for check in checks {
        assert_eq!(check["outcome"], "not_measured", "{check}");
        assert!(check["measured_fraction"].is_null(), "{check}");
    }
    let mut command = tv(&sandbox);
    command.args([
        "compare",
        "quiet-app",
        "--fail-if-errors",
        "1",
        "-o",
        "markdown",
    ]);
    let (_, stdout, _) = run(command);
    assert!(
        stdout.contains("| error rate | > 1.00 pp higher | - | no data |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| traffic | > 50.0% fewer traces | 0 → 0 traces (-) | no data |"),
        "{stdout}"
    );
}
