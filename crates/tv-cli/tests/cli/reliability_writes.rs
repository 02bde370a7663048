//! Reliability suite, part 2: no duplicates, no loss.
//!
//! - A write whose answer is lost (the sandbox applies it, persists it, then answers
//!   500/502/503 or resets the connection) is sent once, and `tv` says its outcome is
//!   unknown: a second sandbox opened on the same state file finds it exactly once.
//! - Writes `tv` reported as done survive a `kill -9` of the server (`tv sandbox
//!   --state FILE`, the real binary) and a restart.
use tv_cli::Exit;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::{END, KEY, NOW, Sandbox, run, start_with, tv};
use tv_sandbox::server::FaultKind;

/// The messages of the annotations of `web-shop` the sandbox lists.
fn annotation_messages(sandbox: &Sandbox) -> Vec<String> {
    let mut command = tv(sandbox);
    command.args([
        "--output",
        "json",
        "annotations",
        "--app",
        "web-shop",
        "--until",
        END,
    ]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let list = value
        .as_array()
        .or_else(|| value["annotations"].as_array())
        .unwrap_or_else(|| panic!("no annotation list in {stdout}"));
    list.iter()
        .filter_map(|a| a["message"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn a_write_whose_answer_is_lost_is_sent_once_and_lands_once() {
    let dir = tempfile::tempdir().unwrap();
    let kinds = [
        FaultKind::Status500,
        FaultKind::Status502,
        FaultKind::Status503,
        FaultKind::Reset,
    ];
    for kind in kinds {
        let state = dir.path().join(format!("state-{kind}.json"));
        let path = state.clone();
        let (faulty, counts) = start_with(move |c| {
            c.state_file = Some(path);
            c.fault_rate = 1.0;
            c.faults = vec![kind];
        });
        let message = format!("deploy after a lost {kind}");
        let mut command = tv(&faulty);
        command.args([
            "--timings",
            "--attempts",
            "5",
            "-vvv",
            "annotate",
            &message,
            "--app",
            "web-shop",
            "--time",
            "2024-01-03T11:00:00Z",
        ]);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, Exit::Runtime.code(), "{kind}: {stderr}");
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors.len(), 1, "{kind}: {stderr}");
        assert!(
            errors[0].contains("outcome is unknown"),
            "{kind}: {}",
            errors[0]
        );
        assert!(
            stderr.contains("timings: 1 requests, 0 retries"),
            "{kind}: sent more than once:\n{stderr}"
        );
        assert_eq!(counts.fault_counts().get(kind), 1, "{kind}");
        assert!(!stdout.contains(KEY) && !stderr.contains(KEY), "{kind}");

        // The same state, served without faults: the write is there, once.
        let path = state.clone();
        let (clean, _) = start_with(move |c| c.state_file = Some(path));
        let found = annotation_messages(&clean)
            .into_iter()
            .filter(|m| *m == message)
            .count();
        assert_eq!(found, 1, "{kind}: the annotation landed {found} times");
    }
}

/// `tv sandbox` (the real binary) on a free port with a state file.
struct Server {
    child: Child,
    sandbox: Sandbox,
}

impl Server {
    fn start(state: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tv"))
            .env_clear()
            .args([
                "sandbox",
                "--bind",
                "127.0.0.1:0",
                "--now",
                &NOW.to_string(),
                "--api-key",
                KEY,
                "--state",
            ])
            .arg(state)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("tv sandbox prints its base URL");
        Server {
            child,
            sandbox: Sandbox::at(line.trim()),
        }
    }

    /// SIGKILL: no shutdown code runs.
    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn acknowledged_writes_survive_kill_9_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let server = Server::start(&state);
    let messages: Vec<String> = (1..=3)
        .map(|i| format!("release {i} acknowledged"))
        .collect();
    for message in &messages {
        let mut command = tv(&server.sandbox);
        command.args([
            "annotate",
            message,
            "--app",
            "web-shop",
            "--time",
            "2024-01-03T10:00:00Z",
        ]);
        let (code, _, stderr) = run(command);
        assert_eq!(code, Exit::Ok.code(), "{stderr}");
    }
    let mut command = tv(&server.sandbox);
    command.args([
        "app", "assign", "billing", "web-42", "--create", "--layer", "nginx",
    ]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    server.kill_9();

    let server = Server::start(&state);
    let listed = annotation_messages(&server.sandbox);
    for message in &messages {
        assert_eq!(
            listed.iter().filter(|m| *m == message).count(),
            1,
            "{message} in {listed:?}"
        );
    }
    let mut command = tv(&server.sandbox);
    command.args(["--output", "json", "apps"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stdout.contains("\"billing\""), "{stdout}");
}
