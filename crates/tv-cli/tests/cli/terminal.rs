//! At the terminal: keys kept off the command line (`tv login`, `tv config set api_key
//! -`, key files others can read) and record/replay (`tv --record`, `tv --replay`).
use tv_cli::Exit;

use crate::common::{END, KEY, run, shared, tv, tv_with_config};

/// Every file of `dir`, read.
fn files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect()
}

#[test]
fn a_recorded_report_and_compare_replay_byte_for_byte_without_the_key() {
    let sandbox = shared();
    let commands: [&[&str]; 2] = [
        &["report", "--end", END],
        &["compare", "web-shop", "--end", END],
    ];
    for (i, args) in commands.into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let recording = dir.path().join(format!("recording-{i}"));
        let mut command = tv(sandbox);
        command.arg("--record").arg(&recording).args(["-o", "json"]);
        command.args(args);
        let (code, recorded, stderr) = run(command);
        assert_eq!(code, Exit::Ok.code(), "{args:?}: {stderr}");
        assert!(stderr.contains("recorded "), "{stderr}");
        let saved = files(&recording);
        assert!(!saved.is_empty());
        for text in &saved {
            assert!(!text.contains(KEY), "the key was recorded: {text}");
            assert!(
                !text.contains("key="),
                "a key parameter was recorded: {text}"
            );
        }

        let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
        command
            .env_clear()
            .env("HOME", "/nonexistent/tv-replay-home");
        command.arg("--replay").arg(&recording).args(["-o", "json"]);
        command.args(args);
        let (code, replayed, stderr) = run(command);
        assert_eq!(code, Exit::Ok.code(), "{args:?}: {stderr}");
        assert_eq!(replayed, recorded, "{args:?}");
    }
}

#[test]
fn a_request_the_recording_lacks_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = tv(shared());
    command
        .arg("--record")
        .arg(dir.path())
        .args(["apps", "-o", "json"]);
    assert_eq!(run(command).0, Exit::Ok.code());

    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command.env_clear().arg("--replay").arg(dir.path());
    command.args(["hosts", "-o", "json"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Runtime.code(), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("not in the recording"), "{stderr}");
    assert!(stderr.contains("GET /hosts"), "{stderr}");

    // A second recording into the same directory would mix two runs.
    let mut command = tv(shared());
    command.arg("--record").arg(dir.path()).arg("apps");
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Usage.code(), "{stderr}");
    assert!(stderr.contains("already holds a recording"), "{stderr}");
}

#[test]
fn the_key_comes_from_standard_input_and_the_file_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let sandbox = shared();

    let mut command = tv_with_config(&path);
    command.args(["config", "set", "api_key", "-"]);
    command.write_stdin(format!("{KEY}\n"));
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&format!("api_key = \"{KEY}\"")), "{text}");
    assert!(!text.contains("\"-\""), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // `tv login` from a pipe, with the base URL saved too; then the profile works.
    std::fs::remove_file(&path).unwrap();
    let mut command = tv_with_config(&path);
    command.args(["--base-url", &sandbox.base_url, "login"]);
    command.write_stdin(format!("  {KEY}  \n"));
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(!stderr.contains(KEY), "{stderr}");
    let mut command = tv_with_config(&path);
    command.args(["apps", "-o", "json"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stdout.contains("web-shop"), "{stdout}");

    // Nothing on standard input: nothing saved.
    let mut command = tv_with_config(&path);
    command.args(["login"]).write_stdin("");
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Config.code(), "{stderr}");
    assert!(stderr.contains("no API key in standard input"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_warned_about_by_name() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, KEY).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let sandbox = shared();
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command
        .env_clear()
        .env("TV_CONFIG", "/nonexistent/tv-cli-tests/config.toml")
        .args(["--base-url", &sandbox.base_url, "--api-key-file"])
        .arg(&key_file)
        .args(["apps", "-o", "json"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stderr.contains("--api-key-file: "), "{stderr}");
    assert!(stderr.contains("readable by other users"), "{stderr}");
    assert!(stderr.contains(&key_file.display().to_string()), "{stderr}");
}
