//! The `tv-sandbox` binary as a process: the first stdout line, persistence across a
//! `kill -9`, SIGTERM, and the exit codes of bad state files and options.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tv_api::types::{AnnotationListEnvelope, BooleanEnvelope, StringListEnvelope};

use crate::http::common::{KEY, NOW, decode_ok};

const BIN: &str = env!("CARGO_BIN_EXE_tv-sandbox");

/// Starts the binary on a free port and reads the base URL from its first stdout line.
fn spawn(args: &[&str]) -> (Child, String) {
    spawn_logging(args, Stdio::null())
}

/// Like [`spawn`], with stderr going to `stderr`.
fn spawn_logging(args: &[&str], stderr: Stdio) -> (Child, String) {
    let now = NOW.to_string();
    let mut child = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--now", &now])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("a first line in time");
    let url = line.trim().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/api-v2"),
        "{url:?}"
    );
    (child, url)
}

/// Runs the binary to completion: exit code, stdout, stderr.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn writes_survive_kill_9_and_sigterm_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().unwrap();
    tv_api::install_crypto_provider();
    let http = reqwest::Client::new();

    let (mut first, url) = spawn(&["--state", state_arg]);
    let resp = http
        .post(format!("{url}/log_message"))
        .form(&[("key", KEY), ("message", "survives kill -9")])
        .send()
        .await
        .unwrap();
    decode_ok::<BooleanEnvelope>(resp).await;
    let resp = http
        .post(format!("{url}/assign_app"))
        .query(&[
            ("key", KEY),
            ("appname", "durable"),
            ("hostname", "d1"),
            ("create", "1"),
            ("layer", "nginx"),
        ])
        .send()
        .await
        .unwrap();
    decode_ok::<BooleanEnvelope>(resp).await;
    first.kill().unwrap(); // SIGKILL right after the acknowledgement
    first.wait().unwrap();

    let (mut second, url) = spawn(&["--state", state_arg]);
    // One state file, one owner: a third sandbox on it exits 3 and names the holder.
    let (code, _, stderr) = run(&["--bind", "127.0.0.1:0", "--state", state_arg]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("in use by another sandbox (pid {})", second.id())),
        "{stderr}"
    );
    let list: AnnotationListEnvelope = decode_ok(
        http.get(format!("{url}/annotations?key={KEY}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list.data[0].message, "survives kill -9");
    let apps: StringListEnvelope = decode_ok(
        http.get(format!("{url}/apps?key={KEY}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(apps.data.contains(&"durable".to_owned()));

    let status = Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = second.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
}

#[tokio::test]
async fn the_log_never_shows_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let file = std::fs::File::create(&log).unwrap();
    let (mut child, url) = spawn_logging(&["-v", "--api-key", "s3cr3t-k3y"], Stdio::from(file));
    tv_api::install_crypto_provider();
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{url}/apps?key=s3cr3t-k3y&x=1&KEY=s3cr3t-k3y"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http
        .post(format!("{url}/log_message"))
        .header("X-Sandbox-Fault", "503")
        .form(&[
            ("key", "s3cr3t-k3y"),
            ("message", "m"),
            ("Key", "s3cr3t-k3y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("s3cr3t"), "{text}");
    assert!(
        text.contains("GET /api-v2/apps?key=***&x=1&KEY=*** 200"),
        "{text}"
    );
    assert!(
        text.contains("POST /api-v2/log_message body: key=***&message=m&Key=*** 503"),
        "{text}"
    );
    assert!(text.contains("injected fault 503 (forced)"), "{text}");
    assert!(text.contains("injected faults: 503=1"), "{text}");
}

#[test]
fn a_corrupt_state_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    std::fs::write(&state, b"{ not json").unwrap();
    let (code, stdout, stderr) =
        run(&["--bind", "127.0.0.1:0", "--state", state.to_str().unwrap()]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("corrupt") && stderr.contains("state.json"),
        "{stderr}"
    );
    // The file was left alone.
    assert_eq!(std::fs::read(&state).unwrap(), b"{ not json");
}

#[test]
fn usage_and_bind_errors() {
    for args in [
        vec!["--fault-rate", "2"],
        vec!["--faults", "500,teapot"],
        vec!["--apps", "0"],
        vec!["--now", "yesterday"],
        vec!["--latency", "soon"],
        vec!["--api-key", "has space"],
    ] {
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stdout.is_empty());
    }
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, _, stderr) = run(&["--bind", &addr]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot listen"), "{stderr}");
}
