//! Every command of the real `tv` binary against the sandbox at a fixed seed and
//! `now`: table and JSON output are snapshot-tested.
use tv_cli::Exit;

use crate::common::{END, run, shared, stable, tv};

fn snapshot_both(name: &str, args: &[&str]) {
    let sandbox = shared();
    for format in ["table", "json"] {
        let mut command = tv(sandbox);
        command.args(["--output", format]).args(args);
        let (code, stdout, stderr) = run(command);
        assert_eq!(
            code,
            Exit::Ok.code(),
            "tv {args:?} --output {format} failed: {stderr}"
        );
        if format == "json" {
            serde_json::from_str::<serde_json::Value>(&stdout)
                .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        }
        insta::assert_snapshot!(
            format!("{name}_{format}"),
            without_skew(&stable(&stdout, sandbox))
        );
    }
}

/// The frozen sandbox is years behind this machine, by an amount that grows: `tv
/// doctor`'s clock row keeps its words, not the amount.
fn without_skew(text: &str) -> String {
    const START: &str = "this machine's clock is ";
    match (text.find(START), text.find(" the server's; tv uses")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{START}…{}", &text[..start], &text[end..])
        }
        _ => text.to_owned(),
    }
}

#[test]
fn report_all_apps() {
    snapshot_both("report", &["report", "--end", END]);
}

#[test]
fn report_all_apps_as_csv_and_ndjson() {
    // The table is built only for the formats that print it: CSV still has it.
    let sandbox = shared();
    let mut command = tv(sandbox);
    command.args(["--output", "csv", "report", "--end", END]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    let mut lines = stdout.lines();
    assert!(
        lines.next().is_some_and(|h| h.starts_with("app,")),
        "{stdout}"
    );
    assert_eq!(lines.count(), 6, "one row per app: {stdout}");
    let mut command = tv(sandbox);
    command.args(["--output", "ndjson", "report", "--end", END]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert_eq!(stdout.lines().count(), 6, "{stdout}");
    for line in stdout.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(row["app"].is_string(), "{line}");
    }
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
    assert_eq!(code, Exit::Ok.code());
    let header = stdout.lines().next().unwrap_or_default();
    assert_eq!(header, "layer,calls,per_call_us,per_request_us,share");
    let mut command = tv(sandbox);
    command.args([
        "--output", "ndjson", "latency", "series", "web-shop", "--end", END,
    ]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, Exit::Ok.code());
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
        assert_eq!(code, Exit::Ok.code());
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
        assert_eq!(code, Exit::Ok.code());
        let schema: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(schema.get("$schema").is_some(), "{target}");
    }
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command.env_clear().args(["schema", "report"]);
    insta::assert_snapshot!("schema_report", run(command).1);
    // The names of the commands themselves, words as typed.
    let schema_of = |words: &[&str]| {
        let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
        command.env_clear().arg("schema").args(words);
        run(command)
    };
    assert_eq!(
        schema_of(&["latency", "summary"]),
        schema_of(&["latency-summary"])
    );
    assert_eq!(
        schema_of(&["report", "web-shop"]),
        schema_of(&["report-app"])
    );
    assert_eq!(schema_of(&["host", "versions"]).0, 0);
    assert_eq!(schema_of(&["requests", "--summary"]).0, 0);
    assert_eq!(schema_of(&["chart"]).0, 0);
    let (code, _, stderr) = schema_of(&["frobnicate"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("latency summary"), "{stderr}");
}

#[test]
fn a_closed_pipe_exits_0_without_a_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let sandbox = shared();
    let binary = assert_cmd::cargo::cargo_bin("tv");
    let commands: [&[&str]; 2] = [
        &["completions", "bash"],
        &[
            "--base-url",
            &sandbox.base_url,
            "--api-key",
            crate::common::KEY,
            "--output",
            "ndjson",
            "latency",
            "series",
            "web-shop",
            "--window",
            "week",
        ],
    ];
    for args in commands {
        let mut child = Command::new(&binary)
            .env_clear()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!first.is_empty());
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn more_commands() {
    snapshot_both(
        "latency_series",
        &[
            "latency", "series", "web-shop", "--window", "week", "--end", END,
        ],
    );
    snapshot_both(
        "requests_series",
        &["requests", "web-shop", "--window", "day", "--end", END],
    );
    snapshot_both("chart", &["chart", "web-shop", "--end", END]);
    snapshot_both("host_versions", &["host", "versions", "100051"]);
    snapshot_both("doctor", &["doctor"]);
}

#[test]
fn chart_writes_an_svg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latency.svg");
    let mut command = tv(shared());
    command
        .args([
            "chart", "web-shop", "--end", END, "--output", "json", "--plot",
        ])
        .arg(&path);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("ms"),
        "{}",
        &svg[..svg.len().min(200)]
    );
    // Volume as well as latency.
    assert!(svg.contains("Traces of web-shop"), "no volume panel");
}

#[test]
fn an_unsupported_plot_file_is_refused_before_anything_is_fetched() {
    // Nothing listens there: a fetch would fail with exit 1.
    let dead = crate::common::Sandbox::dead();
    for args in [&["chart", "web-shop"][..], &["report", "web-shop"]] {
        let mut command = tv(&dead);
        command.args(args).args(["--plot", "chart.pdf"]);
        let (code, _, stderr) = run(command);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(".svg"), "{stderr}");
    }
}

#[test]
fn version_names_the_spec() {
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command.env_clear().arg("-V");
    assert_eq!(run(command).1, "tv 0.1.0 (TraceView API v2, spec 2.1)\n");
    // The long form adds the commit it was built from, its features and its target.
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command.env_clear().arg("--version");
    let long = run(command).1;
    let lines: Vec<&str> = long.lines().collect();
    assert_eq!(lines[0], "tv 0.1.0 (TraceView API v2, spec 2.1)", "{long}");
    assert!(lines[1].starts_with("commit: "), "{long}");
    assert!(lines[2].starts_with("features: default"), "{long}");
    assert!(lines[3].starts_with("target: "), "{long}");
}

#[test]
fn host_versions_take_a_name_as_well_as_an_id() {
    let sandbox = shared();
    let json = |host: &str| {
        let mut command = tv(sandbox);
        command.args(["--output", "json", "host", "versions", host]);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    assert_eq!(json("web_production"), json("100051"));
    let mut command = tv(sandbox);
    command.args(["host", "versions", "no-such-host"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 4, "{stderr}");
}

/// A reader that goes away (`tv … | head`) from an output larger than a pipe's buffer,
/// so the write surely fails: the run ends quietly with exit 0, in every format (the
/// one place that decides so is `main`).
#[test]
fn a_closed_pipe_exits_zero_and_says_nothing() {
    use std::io::Read;
    use std::process::Stdio;
    let sandbox = shared();
    for format in ["ndjson", "json", "csv", "table"] {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("tv"));
        command
            .env_clear()
            .env("TV_CONFIG", "/nonexistent/tv-cli-tests/config.toml")
            .args([
                "--base-url",
                &sandbox.base_url,
                "--api-key",
                crate::common::KEY,
            ]);
        command.args(["--output", format, "requests", "web-shop", "--since", "30d"]);
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{format}: {stderr}");
        assert!(!stderr.contains("error"), "{format}: {stderr}");
    }
}
