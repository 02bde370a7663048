//! Configuration mistakes get a configuration answer: base URLs without `/api-v2`,
//! plain HTTP to another host, credentials in URLs, absurd values, keys from files,
//! every profile setting; and `-v`/`-vv` say what was sent.
use std::io::Write;

use crate::common::{KEY, Sandbox, run, shared, tv};
use tv_cli::Exit;

fn tv_bare() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command
        .env_clear()
        .env("TV_CONFIG", "/nonexistent/tv-cli-tests/config.toml")
        .args(["--color", "never"]);
    command
}

fn port(sandbox: &Sandbox) -> &str {
    sandbox
        .base_url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/api-v2")
}

#[test]
fn a_base_url_without_api_v2_is_a_configuration_error() {
    let sandbox = shared();
    let bare = format!("http://127.0.0.1:{}", port(sandbox));
    for args in [vec!["apps"], vec!["doctor"]] {
        let mut command = tv_bare();
        command
            .args(["--base-url", &bare, "--api-key", KEY])
            .args(&args);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, Exit::Config.code(), "{args:?}: {stderr}");
        let text = format!("{stdout}{stderr}");
        assert!(
            text.contains(&format!("did you mean {bare}/api-v2?")),
            "{text}"
        );
        assert_eq!(
            text.matches("configuration error").count(),
            1,
            "doubled prefix: {text}"
        );
        assert!(!stdout.contains("\"status\": \"ok\""), "{stdout}");
    }
}

#[test]
fn plain_http_to_another_host_needs_the_opt_in_and_warns() {
    let sandbox = shared();
    // 0.0.0.0 is not loopback by name, yet reaches this machine's listeners.
    let remote = format!("http://0.0.0.0:{}/api-v2", port(sandbox));
    let mut command = tv_bare();
    command.args(["--base-url", &remote, "--api-key", KEY, "apps"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Config.code(), "{stderr}");
    assert!(stderr.contains("--allow-plain-http"), "{stderr}");

    let mut command = tv_bare();
    command.args([
        "--base-url",
        &remote,
        "--api-key",
        KEY,
        "--allow-plain-http",
        "apps",
    ]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stdout.contains("web-shop"), "{stdout}");
    assert!(stderr.contains("in clear text over plain HTTP"), "{stderr}");

    // The same opt-in from a profile.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let text = format!(
        "[profiles.lab]\napi_key = \"{KEY}\"\nbase_url = \"{remote}\"\nallow_plain_http = true\n"
    );
    std::fs::write(&path, text).unwrap();
    let mut command = tv_bare();
    command
        .env("TV_CONFIG", &path)
        .args(["--profile", "lab", "apps"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stderr.contains("in clear text"), "{stderr}");
}

#[test]
fn credentials_in_a_base_url_are_never_shown() {
    let sandbox = shared();
    let with_credentials = format!("http://someone:pa55word@127.0.0.1:{}/api-v2", port(sandbox));
    let mut command = tv_bare();
    command.args([
        "--base-url",
        &with_credentials,
        "--api-key",
        KEY,
        "-vv",
        "doctor",
    ]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stdout.contains("http://***@127.0.0.1"), "{stdout}");
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains("pa55word") && !text.contains("someone"),
            "{text}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    for args in [
        vec!["config", "set", "base_url", with_credentials.as_str()],
        vec!["config", "get", "base_url"],
        vec!["config", "list"],
    ] {
        let mut command = tv_bare();
        command.env("TV_CONFIG", &path).args(&args);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, Exit::Ok.code(), "{args:?}: {stderr}");
        assert!(
            !stdout.contains("pa55word") && !stderr.contains("pa55word"),
            "{stdout}"
        );
    }
}

#[test]
fn absurd_values_are_usage_errors() {
    let sandbox = shared();
    for args in [
        ["--timeout", "0s"],
        ["--timeout", "5h"],
        ["--attempts", "0"],
        ["--max-response-size", "12"],
    ] {
        let mut command = tv(sandbox);
        command.args(args).arg("apps");
        let (code, _, stderr) = run(command);
        assert_eq!(code, Exit::Usage.code(), "{args:?}: {stderr}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    for (key, value) in [
        ("timeout", "0s"),
        ("attempts", "99"),
        ("output", "xml"),
        ("allow_plain_http", "perhaps"),
        ("max_response_size", "huge"),
        ("base_url", "http://h"),
    ] {
        let mut command = tv_bare();
        command
            .env("TV_CONFIG", &path)
            .args(["config", "set", key, value]);
        let (code, _, stderr) = run(command);
        assert_eq!(code, Exit::Usage.code(), "{key}={value}: {stderr}");
    }
    assert!(!path.exists(), "nothing unusable was saved");
}

#[test]
fn profiles_hold_timeout_attempts_output_and_limits() {
    let sandbox = shared();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    for (key, value) in [
        ("base_url", sandbox.base_url.as_str()),
        ("api_key", KEY),
        ("timeout", "7s"),
        ("attempts", "2"),
        ("output", "csv"),
        ("max_response_size", "1MiB"),
    ] {
        let mut command = tv_bare();
        command
            .env("TV_CONFIG", &path)
            .args(["config", "set", key, value]);
        let (code, _, stderr) = run(command);
        assert_eq!(code, Exit::Ok.code(), "{key}: {stderr}");
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("attempts = 2\n"), "{text}");
    let mut command = tv_bare();
    command.env("TV_CONFIG", &path).arg("doctor");
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(
        stdout.contains("7.00 s per attempt, 2 attempts per read or delete, responses up to 1 MiB"),
        "{stdout}"
    );
    let mut command = tv_bare();
    command.env("TV_CONFIG", &path).arg("apps");
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(
        !stdout.trim_start().starts_with('{'),
        "csv expected: {stdout}"
    );
    assert!(stdout.contains("web-shop"), "{stdout}");
}

#[test]
fn the_key_can_come_from_a_file_or_stdin() {
    let sandbox = shared();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key");
    let mut file = std::fs::File::create(&key_file).unwrap();
    writeln!(file, "{KEY}").unwrap();
    let mut command = tv_bare();
    command
        .args(["--base-url", &sandbox.base_url, "--api-key-file"])
        .arg(&key_file)
        .args(["-o", "json", "apps"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stdout.contains("web-shop"));

    let mut command = tv_bare();
    command
        .env("TV_API_KEY_FILE", "-")
        .write_stdin(format!("{KEY}\n"))
        // No --output: the profile's output format is looked up first, which must not
        // use up standard input.
        .args(["--base-url", &sandbox.base_url, "apps"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stdout.contains("web-shop"));

    let mut command = tv_bare();
    command
        .args(["--base-url", &sandbox.base_url, "--api-key-file"])
        .arg(dir.path().join("missing"))
        .arg("apps");
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Config.code(), "{stderr}");
    assert!(stderr.contains("cannot read the API key from"), "{stderr}");
}

#[test]
fn verbose_shows_requests_then_answers_without_the_key() {
    let sandbox = shared();
    let mut command = tv(sandbox);
    command.args(["-v", "-o", "json", "latency", "summary", "web-shop"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    let request = stderr
        .lines()
        .find(|l| l.contains("GET /api-v2/latency/web-shop/server/summary?"))
        .unwrap_or_else(|| panic!("no request line: {stderr}"));
    assert!(request.contains("key=***"), "{request}");
    assert!(
        !stderr.contains("HTTP 200"),
        "-v shows no answers: {stderr}"
    );
    let mut command = tv(sandbox);
    command.args(["-vv", "-o", "json", "apps"]);
    let (_, _, stderr) = run(command);
    let answer = stderr
        .lines()
        .find(|l| l.contains("GET /api-v2/apps?") && l.contains("HTTP 200"))
        .unwrap_or_else(|| panic!("no answer line: {stderr}"));
    assert!(
        answer.contains(" bytes, ") && answer.ends_with(" ms"),
        "{answer}"
    );
    assert!(!stderr.contains(KEY), "{stderr}");
}

#[test]
fn help_and_completions() {
    let mut command = tv_bare();
    command.args(["layers", "--help"]);
    let (_, stdout, _) = run(command);
    let own = stdout.find("--since").unwrap();
    let heading = stdout.find("Global options:").unwrap();
    assert!(own < heading, "{stdout}");
    assert!(stdout[heading..].contains("--api-key-file"), "{stdout}");
    for shell in ["bash", "zsh", "fish"] {
        let mut command = tv_bare();
        command.args(["completions", shell]);
        let (code, stdout, _) = run(command);
        assert_eq!(code, Exit::Ok.code());
        assert!(stdout.contains("COMPLETE="), "{shell}: {stdout}");
    }
    // What the script asks: `COMPLETE=bash tv -- tv an` lists the subcommands that fit,
    // never the hidden ones.
    let mut command = tv_bare();
    command
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", "1")
        .env("_CLAP_IFS", "\n")
        .args(["--", "tv", "an"]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, Exit::Ok.code());
    assert!(stdout.contains("annotate"), "{stdout}");
    assert!(stdout.contains("annotations"), "{stdout}");
    let mut command = tv_bare();
    command
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", "1")
        .args(["--", "tv", "gen"]);
    let (_, stdout, _) = run(command);
    assert!(!stdout.contains("generate-man"), "{stdout}");
}

#[test]
fn demo_writes_say_they_are_thrown_away() {
    let mut command = tv_bare();
    command.args(["--demo", "annotate", "deploy 1.2", "--app", "web-shop"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stderr.contains("throw-away sandbox"), "{stderr}");
}
