//! Deploy markers end to end, the real `tv` against the sandbox: `annotate --wrap`
//! (output, exit code, signals), `--best-effort` and `--deadline`, `--dry-run` on
//! every write, `--from-file` with faults.
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{KEY, Sandbox, run, start_with, tv};
use tv_sandbox::world::AnnotationRange;

/// The messages of every annotation the sandbox holds, oldest first.
fn messages(state: &tv_sandbox::server::Sandbox) -> Vec<String> {
    let range = AnnotationRange {
        start: Some(0),
        end: Some(i64::MAX / 2),
    };
    let view = state.world().view();
    let mut list: Vec<(u64, String)> = view
        .annotations(range)
        .into_iter()
        .map(|a| (a.id, a.message.clone()))
        .collect();
    list.sort();
    list.into_iter().map(|(_, m)| m).collect()
}

fn errors_and_warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("error:") || l.starts_with("warning:"))
        .collect()
}

#[test]
fn wrap_passes_the_command_through_and_marks_its_start_and_end() {
    let (sandbox, state) = start_with(|_| {});
    let before = messages(&state).len();
    let mut command = tv(&sandbox);
    command
        .args([
            "annotate",
            "release 7",
            "--wrap",
            "--app",
            "web-shop",
            "--user",
            "ci",
        ])
        .args(["--", "sh", "-c", "cat; echo out; echo oops >&2; exit 3"])
        .write_stdin("from stdin\n");
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stdout, "from stdin\nout\n");
    assert_eq!(stderr, "oops\n");
    let all = messages(&state);
    let new = &all[before..];
    assert_eq!(new.len(), 2, "{new:?}");
    assert_eq!(new[0], "release 7: started");
    assert!(
        new[1].starts_with("release 7: failed, exit 3, took "),
        "{}",
        new[1]
    );
}

#[test]
fn a_missing_command_exits_127_and_is_marked() {
    let (sandbox, state) = start_with(|_| {});
    let mut command = tv(&sandbox);
    command.args(["annotate", "--wrap", "--", "/nonexistent/deploy.sh"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 127, "{stderr}");
    assert!(
        stderr.starts_with("error: cannot run /nonexistent/deploy.sh"),
        "{stderr}"
    );
    let last = messages(&state).pop().unwrap();
    assert!(last.contains("could not start"), "{last}");
}

/// Starts `tv annotate --wrap` on `script`, waits for the script's `ready`, sends
/// `signal` to tv (not to the script) and returns (exit code, rest of stdout).
fn signal_while_running(sandbox: &Sandbox, signal: &str, script: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tv"))
        .env_clear()
        .env("TV_CONFIG", "/nonexistent/tv-cli-tests/config.toml")
        .args(["--base-url", &sandbox.base_url, "--api-key", KEY])
        .args(["annotate", "--wrap", "--", "sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), rest)
}

#[test]
fn sigterm_to_tv_reaches_the_command() {
    let (sandbox, state) = start_with(|_| {});
    // The command traps SIGTERM: it only ever sees it if tv passes it on (else it
    // ends by itself after about 20 s with exit 0, and the test fails).
    let trapping = "trap 'echo got-term; exit 7' TERM; echo ready; n=0; while [ $n -lt 400 ]; do n=$((n+1)); sleep 0.05; done";
    let (code, rest) = signal_while_running(&sandbox, "-TERM", trapping);
    assert_eq!(code, 7);
    assert_eq!(rest, "got-term\n");
    assert!(messages(&state).pop().unwrap().contains("failed, exit 7"));
    // A command that does not trap it dies of it: 128 + 15, as a shell reports.
    let (code, _) = signal_while_running(&sandbox, "-TERM", "echo ready; exec sleep 60");
    assert_eq!(code, 143);
    let last = messages(&state).pop().unwrap();
    assert!(last.contains("killed by signal 15"), "{last}");
    // tv killed by SIGKILL (which nothing can catch): the command gets SIGTERM, never
    // runs on alone (Linux's parent-death signal).
    if cfg!(target_os = "linux") {
        let (_, rest) = signal_while_running(&sandbox, "-KILL", trapping);
        assert_eq!(rest, "got-term\n");
    }
    // SIGINT, SIGHUP and the rest are passed on too (no terminal here, so SIGINT is
    // not the terminal's, which the command would get by itself); SIGUSR1 once killed
    // tv and orphaned the command.
    for name in ["INT", "HUP", "USR1", "USR2", "WINCH", "ALRM"] {
        let script = format!(
            "trap 'echo got-{name}; exit 9' {name}; echo ready; n=0; while [ $n -lt 400 ]; do n=$((n+1)); sleep 0.05; done"
        );
        let (code, rest) = signal_while_running(&sandbox, &format!("-{name}"), &script);
        assert_eq!(code, 9, "{name}");
        assert_eq!(rest, format!("got-{name}\n"), "{name}");
    }
}

#[test]
fn best_effort_against_a_dead_server_is_one_warning_and_the_command_code() {
    let dead = Sandbox::dead();
    let mut command = tv(&dead);
    command.args(["annotate", "--wrap", "--best-effort", "--"]);
    command.args(["sh", "-c", "echo deployed; exit 5"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 5, "{stderr}");
    assert_eq!(stdout, "deployed\n");
    let lines = errors_and_warnings(&stderr);
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("warning: deploy markers not recorded"),
        "{stderr}"
    );
    assert!(!stderr.contains(KEY));

    // Without --best-effort an unmarkable deploy does not start.
    let mut command = tv(&dead);
    command.args(["annotate", "--wrap", "--", "sh", "-c", "echo deployed"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(errors_and_warnings(&stderr).len(), 1, "{stderr}");
}

#[test]
fn the_deadline_holds_against_a_server_that_never_answers_in_time() {
    let (slow, _) = start_with(|c| c.latency = Some(Duration::from_secs(30)));
    let mut command = tv(&slow);
    command.args(["annotate", "--wrap", "--best-effort", "--deadline", "1s"]);
    command.args(["--", "sh", "-c", "echo deployed"]);
    let started = Instant::now();
    let (code, stdout, stderr) = run(command);
    let took = started.elapsed();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "deployed\n");
    assert_eq!(errors_and_warnings(&stderr).len(), 1, "{stderr}");
    assert!(stderr.contains("may or may not be recorded"), "{stderr}");
    // Generous for a noisy machine: the server holds every answer for 30 s.
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn dry_runs_print_the_request_and_send_nothing() {
    // Nothing listens: any request sent would fail the command.
    let dead = Sandbox::dead();
    let writes: [&[&str]; 5] = [
        &[
            "annotate",
            "deploy v1.2",
            "--app",
            "web-shop",
            "--user",
            "ci",
        ],
        &[
            "app", "assign", "billing", "web-9", "--create", "--layer", "nginx", "--tag", "eu",
        ],
        &["app", "delete", "web shop"],
        &["host", "delete", "42"],
        &[
            "annotate",
            "deploy v1.3",
            "--wrap",
            "--host",
            "h1",
            "--user",
            "ci",
            "--",
            "false",
        ],
    ];
    let mut shown = String::new();
    for args in writes {
        // --dry-run goes before a wrapped command's `--`.
        let split = args.iter().position(|a| *a == "--").unwrap_or(args.len());
        let mut command = tv(&dead);
        command.args(["--output", "table"]).args(&args[..split]);
        command.arg("--dry-run").args(&args[split..]);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(!stdout.contains(KEY) && !stderr.contains(KEY));
        shown.push_str(&format!("$ tv {}\n{stdout}\n", args.join(" ")));
    }
    let shown = shown.replace(&dead.base_url, "http://127.0.0.1:PORT/api-v2");
    insta::assert_snapshot!("dry_runs", shown);
}

#[test]
fn from_file_reports_every_line_and_never_posts_one_twice() {
    let (faulty, state) = start_with(|c| {
        c.fault_rate = 0.5;
        c.faults = ["500", "503", "429"]
            .iter()
            .map(|f| f.parse().unwrap())
            .collect();
    });
    let before = messages(&state);
    let mut file = tempfile::Builder::new()
        .suffix(".ndjson")
        .tempfile()
        .unwrap();
    for i in 1..=12 {
        writeln!(
            file,
            r#"{{"message": "batch deploy {i}", "app": "web-shop"}}"#
        )
        .unwrap();
    }
    writeln!(
        file,
        r#"{{"message": "to a missing app", "app": "no-such-app"}}"#
    )
    .unwrap();
    let mut command = tv(&faulty);
    command.args([
        "--output",
        "table",
        "--attempts",
        "5",
        "annotate",
        "--from-file",
    ]);
    command.arg(file.path()).args(["--concurrency", "4"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(errors_and_warnings(&stderr).len(), 1, "{stderr}");
    assert!(!stdout.contains(KEY) && !stderr.contains(KEY));

    let after = messages(&state);
    let landed = &after[before.len()..];
    for (i, row) in stdout.lines().skip(2).enumerate() {
        let message = if i < 12 {
            format!("batch deploy {}", i + 1)
        } else {
            "to a missing app".to_string()
        };
        let count = landed.iter().filter(|m| **m == message).count();
        let outcome = row.split_whitespace().nth(1).unwrap();
        match outcome {
            "posted" => assert_eq!(count, 1, "{row}"),
            "refused" => assert_eq!(count, 0, "{row}"),
            "unknown" => assert!(count <= 1, "{row}"),
            other => panic!("unexpected outcome {other} in {row}"),
        }
    }
    assert!(
        stdout.contains("unknown"),
        "the faults hit no line:\n{stdout}"
    );
    insta::assert_snapshot!("from_file_with_faults", stdout);
}

#[test]
fn a_bad_file_names_line_and_field_and_sends_nothing() {
    let dead = Sandbox::dead();
    let mut command = tv(&dead);
    command.args(["annotate", "--from-file", "-"]);
    command.write_stdin("message,app,when\ndeploy 1,web-shop,now\n");
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr.trim_end(),
        "error: stdin: line 2, field `when`: unknown field (known: message, app, host, user, layer, time); nothing was sent"
    );
}

/// The id of the newest annotation whose message starts with `prefix`.
fn id_of(state: &tv_sandbox::server::Sandbox, prefix: &str) -> u64 {
    let range = AnnotationRange {
        start: Some(0),
        end: Some(i64::MAX / 2),
    };
    let view = state.world().view();
    let ids = view.annotations(range).into_iter();
    ids.filter(|a| a.message.starts_with(prefix))
        .map(|a| a.id)
        .max()
        .expect("the annotation is there")
}

#[test]
fn wrap_and_from_file_write_the_annotation_id_to_github_output() {
    let (sandbox, state) = start_with(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("github_output");
    std::fs::write(&output, "earlier=kept\n").unwrap();
    let actions = |command: &mut assert_cmd::Command, output: &std::path::Path| {
        command
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", output);
    };
    let wrap = |output: &std::path::Path, extra: &[&str]| {
        let mut command = tv(&sandbox);
        command.args(["-o", "json", "annotate", "deploy v7", "--wrap", "--app"]);
        command.args(["web-shop", "--host", "h1"]).args(extra);
        command.args(["--", "true"]);
        actions(&mut command, output);
        run(command)
    };
    // --wrap: the end annotation's id (the deploy done).
    let (code, _, stderr) = wrap(&output, &[]);
    assert_eq!(code, 0, "{stderr}");
    let end = id_of(&state, "deploy v7: finished");
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        format!("earlier=kept\nannotation_id={end}\n")
    );

    // --from-file: the id of the last line posted.
    let file = dir.path().join("deploys.ndjson");
    let lines = [
        r#"{"message": "batch a", "app": "web-shop"}"#,
        r#"{"message": "batch b", "app": "web-shop"}"#,
        r#"{"message": "batch c", "app": "no-such-app"}"#,
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let mut command = tv(&sandbox);
    command
        .args(["-o", "json", "annotate", "--from-file"])
        .arg(&file);
    actions(&mut command, &output);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 1, "line 3 is refused: {stderr}");
    let b = id_of(&state, "batch b");
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        format!("earlier=kept\nannotation_id={end}\nannotation_id={b}\n")
    );

    // A file that cannot be written: one line and exit 1 although the command
    // succeeded; with --best-effort a warning and the command's code.
    let unwritable = dir.path().join("no/such");
    let (code, _, stderr) = wrap(&unwritable, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(errors_and_warnings(&stderr).len(), 1, "{stderr}");
    assert!(
        stderr.contains("the annotation was created (id ")
            && stderr.contains("could not be written"),
        "{stderr}"
    );
    let (code, _, stderr) = wrap(&unwritable, &["--best-effort"]);
    assert_eq!(code, 0, "{stderr}");
    let lines = errors_and_warnings(&stderr);
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("warning: the annotation was created"),
        "{stderr}"
    );
}
