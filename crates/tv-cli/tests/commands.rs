//! Every command of the real `tv` binary against the sandbox at a fixed seed and
//! `now`: table and JSON output are snapshot-tested.

mod common;

use common::{END, run, shared, stable, tv};

fn snapshot_both(name: &str, args: &[&str]) {
    let sandbox = shared();
    for format in ["table", "json"] {
        let mut command = tv(sandbox);
        command.args(["--output", format]).args(args);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, 0, "tv {args:?} --output {format} failed: {stderr}");
        if format == "json" {
            serde_json::from_str::<serde_json::Value>(&stdout)
                .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        }
        insta::assert_snapshot!(format!("{name}_{format}"), stable(&stdout, sandbox));
    }
}

#[test]
fn report_all_apps() {
    snapshot_both("report", &["report", "--end", END]);
}

#[test]
fn report_one_app() {
    snapshot_both(
        "report_app",
        &["report", "web-shop", "--window", "day", "--end", END],
    );
}

#[test]
fn listings() {
    snapshot_both("apps", &["apps"]);
    snapshot_both(
        "layers",
        &["layers", "web-shop", "--since", "2024-01-02T12:00:00Z"],
    );
    snapshot_both("hosts", &["hosts"]);
    snapshot_both("hosts_of_app", &["hosts", "--app", "web-shop"]);
    snapshot_both("annotations", &["annotations", "--until", END]);
    snapshot_both("org", &["org"]);
    snapshot_both("org_users", &["org", "users"]);
    snapshot_both("org_licenses", &["org", "licenses"]);
    snapshot_both("discover_browsers", &["discover", "browsers"]);
}

#[test]
fn timeseries() {
    snapshot_both("errors", &["errors", "web-shop", "--end", END]);
    snapshot_both(
        "requests_summary",
        &["requests", "web-shop", "--summary", "--end", END],
    );
    snapshot_both(
        "latency_summary",
        &[
            "latency", "summary", "web-shop", "--window", "week", "--end", END,
        ],
    );
    snapshot_both(
        "latency_client",
        &[
            "latency",
            "summary",
            "web-shop",
            "--client",
            "--browser",
            "Chrome",
            "--end",
            END,
        ],
    );
    snapshot_both(
        "by_layer",
        &[
            "latency", "by-layer", "web-shop", "--window", "day", "--end", END,
        ],
    );
    snapshot_both("compare", &["compare", "web-shop", "--end", END]);
}

#[test]
fn csv_and_ndjson_are_machine_readable() {
    let sandbox = shared();
    let mut command = tv(sandbox);
    command.args([
        "--output", "csv", "latency", "by-layer", "web-shop", "--end", END,
    ]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 0);
    let header = stdout.lines().next().unwrap_or_default();
    assert_eq!(header, "layer,calls,per_call_us,per_request_us,share");
    let mut command = tv(sandbox);
    command.args([
        "--output", "ndjson", "latency", "series", "web-shop", "--end", END,
    ]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 120);
    for line in stdout.lines() {
        let point: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(point.get("volume").is_some(), "{line}");
    }
}

#[test]
fn help_of_the_command_tree() {
    for args in [
        vec!["--help"],
        vec!["report", "--help"],
        vec!["latency", "--help"],
        vec!["compare", "--help"],
    ] {
        let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
        command.env_clear().args(&args).env("COLUMNS", "100");
        let (code, stdout, _) = run(command);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("help_{}", args.join("_").replace("--", "")), stdout);
    }
}

#[test]
fn schemas_are_valid_json() {
    for target in [
        "report",
        "report-app",
        "by-layer",
        "compare",
        "latency-series",
    ] {
        let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
        command.env_clear().args(["schema", target]);
        let (code, stdout, _) = run(command);
        assert_eq!(code, 0);
        let schema: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(schema.get("$schema").is_some(), "{target}");
    }
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command.env_clear().args(["schema", "report"]);
    insta::assert_snapshot!("schema_report", run(command).1);
}
