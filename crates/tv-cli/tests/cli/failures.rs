//! Errors end in one line on stderr and a documented exit code, and never show the key.
use tv_cli::Exit;

use crate::common::{END, KEY, Sandbox, run, shared, start, tv};

fn assert_clean(stdout: &str, stderr: &str, key: &str) {
    assert!(
        !stdout.contains(key) && !stderr.contains(key),
        "the key leaked:\n{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn error_line(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_wrong_key_exits_3() {
    let sandbox = shared();
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    let wrong = "wrong-key-123456789";
    command.env_clear().args([
        "--base-url",
        &sandbox.base_url,
        "--api-key",
        wrong,
        "-vvv",
        "apps",
    ]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Config.code(), "{stderr}");
    assert_clean(&stdout, &stderr, wrong);
    insta::assert_snapshot!("wrong_key", error_line(&stderr));
}

#[test]
fn an_unknown_app_exits_4_with_a_suggestion() {
    let mut command = tv(shared());
    command.args(["latency", "summary", "web-shpo", "--end", END]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::NotFound.code(), "{stderr}");
    assert_clean(&stdout, &stderr, KEY);
    insta::assert_snapshot!("unknown_app", error_line(&stderr));
}

#[test]
fn a_typo_in_a_filter_suggests_the_known_value() {
    let mut command = tv(shared());
    command.args([
        "latency",
        "summary",
        "web-shop",
        "--client",
        "--browser",
        "Chrom",
        "--end",
        END,
    ]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::NotFound.code(), "{stderr}");
    insta::assert_snapshot!("filter_typo", error_line(&stderr));
}

#[test]
fn a_dead_server_exits_1() {
    let dead = Sandbox::dead();
    let mut command = tv(&dead);
    command.args(["--attempts", "2", "-vvv", "apps"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Runtime.code(), "{stderr}");
    assert_clean(&stdout, &stderr, KEY);
    assert!(
        error_line(&stderr).contains("connection refused"),
        "{stderr}"
    );
}

#[test]
fn a_failing_server_exits_1_after_bounded_retries() {
    let sandbox = start(1.0, &["503"]);
    let mut command = tv(&sandbox);
    command.args(["--attempts", "2", "--timings", "-vvv", "org"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Runtime.code(), "{stderr}");
    assert_clean(&stdout, &stderr, KEY);
    assert!(
        stderr.contains("timings: 2 requests, 1 retries"),
        "{stderr}"
    );
    insta::assert_snapshot!("server_failing", error_line(&stderr));
}

#[test]
fn no_key_says_how_to_set_one() {
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command
        .env_clear()
        .env("TV_CONFIG", "/nonexistent/tv.toml")
        .args(["apps"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Config.code(), "{stderr}");
    assert!(stderr.contains("TV_API_KEY"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command.env_clear().args(["report", "--window", "month"]);
    assert_eq!(run(command).0, 2);
    let mut command = tv(shared());
    command.args(["report", "--end", "next tuesday"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Usage.code());
    assert!(
        stderr.contains("cannot read `next tuesday` as a time"),
        "{stderr}"
    );
}

#[test]
fn destructive_commands_need_yes_off_a_terminal() {
    let mut command = tv(shared());
    command.args(["app", "delete", "web-shop"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Usage.code(), "{stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
}

#[test]
fn csv_of_a_chart_is_a_usage_error() {
    let mut command = tv(shared());
    command.args(["--output", "csv", "chart", "web-shop", "--end", END]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Usage.code(), "{stderr}");
    assert!(stderr.contains("use --output json"), "{stderr}");
}
