//! `tv check` against the sandbox's seeded incidents (ground truth from
//! `tv_sandbox::incidents`), and its failures: all UNKNOWN (3), one line on stdout.
use crate::common::{KEY, NOW, Sandbox, run, start_with, tv};
use chrono::{DateTime, Utc};
use tv_sandbox::incidents::{IncidentKind, IncidentTruth, ground_truth};

const APP: &str = "web-shop";
const HOUR: i64 = 3600;

fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

fn seed() -> u64 {
    tv_sandbox::server::SandboxConfig::demo().seed
}

/// A sandbox whose frozen now is `now` (so the check's window ends there).
fn sandbox_at(now: i64) -> Sandbox {
    start_with(move |config| config.now = Some(now)).0
}

fn incidents(from: i64, to: i64) -> Vec<IncidentTruth> {
    ground_truth(seed(), APP, at(from), at(to))
}

/// Ends of hours at the same time of day as `end`, one to fourteen days before it,
/// that hold no incident (a quiet hour).
fn quiet_hours_before(end: i64) -> Vec<i64> {
    (1..=14)
        .map(|days| end - days * 24 * HOUR)
        .filter(|end| incidents(end - HOUR, *end).is_empty())
        .collect()
}

/// The value of a perfdata label in a plugin line.
fn perf(line: &str, label: &str) -> f64 {
    let (_, perfdata) = line.split_once(" | ").unwrap_or_else(|| panic!("{line}"));
    let datum = perfdata
        .split(' ')
        .find(|d| d.starts_with(&format!("'{label}'=")))
        .unwrap_or_else(|| panic!("{label} in {line}"));
    let value = datum.split('=').nth(1).unwrap_or_default();
    let value = value.split(';').next().unwrap_or_default();
    value
        .trim_end_matches(|c: char| c.is_alphabetic() || c == '%')
        .parse()
        .unwrap_or_else(|_| panic!("{datum}"))
}

fn check(sandbox: &Sandbox, args: &[&str]) -> (i32, String) {
    let mut command = tv(sandbox);
    command.arg("check").arg(APP).args(args);
    let (code, stdout, stderr) = run(command);
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout:?} {stderr:?}");
    (code, stdout.trim_end().to_string())
}

#[test]
fn critical_during_a_major_incident_ok_in_a_quiet_hour() {
    // A major incident of an hour or more that at least triples the latency of its
    // layer; the check's window is its first hour.
    let major = incidents(NOW - 30 * 24 * HOUR, NOW)
        .into_iter()
        .find(|i| {
            i.kind == IncidentKind::Major
                && i.latency_factor >= 3.0
                && (i.end - i.start).num_minutes() >= 60
        })
        .unwrap_or_else(|| panic!("no long major incident in the month before NOW"));
    let incident_end = major.start.timestamp() + HOUR;
    // The normal latency at that time of day, measured on a quiet day before.
    let quiet = quiet_hours_before(incident_end);
    let [reference, other, ..] = quiet[..] else {
        panic!("fewer than two quiet days before {major:?}")
    };
    let baseline = {
        let (code, line) = check(&sandbox_at(reference), &["-m", "latency"]);
        assert_eq!(code, 0, "{line}");
        perf(&line, "latency")
    };
    let warning = format!("latency={:.1}", baseline * 1.25);
    let critical = format!("latency={:.1}", baseline * 1.4);
    let thresholds = ["-w", &warning, "-c", &critical, "-c", "stale=10"];

    // Another quiet day at the same time: OK.
    let (code, line) = check(&sandbox_at(other), &thresholds);
    assert_eq!(code, 0, "{line}");
    assert!(line.starts_with("TRACEVIEW OK - web-shop: "), "{line}");

    // During the incident: CRITICAL.
    let (code, line) = check(&sandbox_at(incident_end), &thresholds);
    assert_eq!(code, 2, "{major:?}: {line}");
    assert!(
        line.starts_with("TRACEVIEW CRITICAL - web-shop: average latency "),
        "{line}"
    );
    assert!(perf(&line, "latency") > baseline * 1.4, "{line}");
}

#[test]
fn a_traffic_drop_is_judged_against_the_window_before() {
    let sandbox = crate::common::shared();
    // Above any plausible ratio: critical; in a band that holds it: ok.
    let (code, line) = check(sandbox, &["-c", "traffic=1000:"]);
    assert_eq!(code, 2, "{line}");
    let ratio = perf(&line, "traffic_ratio");
    assert!(ratio > 0.0, "{line}");
    let (code, line) = check(sandbox, &["-c", &format!("traffic={}:", ratio / 2.0)]);
    assert_eq!(code, 0, "{line}");
}

#[test]
fn every_failure_is_unknown_with_one_line() {
    let sandbox = crate::common::shared();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["check", "no-such-app", "-w", "latency=1"],
            "No app found",
        ),
        (vec!["check", APP], "nothing to check"),
        (
            vec!["check", APP, "-w", "latency=abc"],
            "bad threshold range",
        ),
        (vec!["check", APP, "-w", "speed=1"], "unknown metric"),
        (
            vec!["check", APP, "--bogus"],
            "unexpected argument '--bogus'",
        ),
        (vec!["check"], "required arguments were not provided: <APP>"),
    ];
    for (args, expected) in cases {
        let mut command = tv(sandbox);
        command.args(&args);
        let (code, stdout, _) = run(command);
        assert_eq!(code, 3, "{args:?}: {stdout}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert!(stdout.starts_with("TRACEVIEW UNKNOWN - "), "{stdout}");
        assert!(stdout.contains(expected), "{args:?}: {stdout}");
    }
    // A refused key and a server that is down: UNKNOWN, and the key never shown.
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap_or_else(|e| panic!("{e}"));
    command
        .env_clear()
        .env("TV_CONFIG", "/nonexistent/tv-cli-tests/config.toml")
        .args([
            "--base-url",
            &sandbox.base_url,
            "--api-key",
            "wrong-key-1234",
            "check",
            APP,
            "-w",
            "latency=1",
        ]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.starts_with("TRACEVIEW UNKNOWN - "), "{stdout}");
    assert!(!stdout.contains("wrong-key-1234"), "{stdout}");
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap_or_else(|e| panic!("{e}"));
    command
        .env_clear()
        .env("TV_CONFIG", "/nonexistent/tv-cli-tests/config.toml")
        .args([
            "--base-url",
            "http://127.0.0.1:9/api-v2",
            "--api-key",
            KEY,
            "--attempts",
            "1",
            "check",
            APP,
            "-c",
            "latency=1",
        ]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 3, "{stdout}");
    assert!(
        stdout.starts_with("TRACEVIEW UNKNOWN - could not talk to the TraceView API"),
        "{stdout}"
    );
}

#[test]
fn output_snapshot() {
    let sandbox = crate::common::shared();
    let (code, line) = check(
        sandbox,
        &[
            "-w",
            "latency=100",
            "-c",
            "latency=200",
            "-c",
            "error-rate=5",
            "-w",
            "traffic=0.5:",
            "-m",
            "latest",
            "-c",
            "stale=10",
        ],
    );
    insta::assert_snapshot!(format!("exit {code}\n{line}"));
}
