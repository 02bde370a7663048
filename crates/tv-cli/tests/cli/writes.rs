//! Write commands against their own sandbox: visible afterwards. (Lost answers and
//! durability are in `reliability_writes.rs`.)
use tv_cli::Exit;

use crate::common::{END, run, start, tv};

#[test]
fn annotate_then_list() {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args([
        "--output",
        "json",
        "annotate",
        "deploy v9.9",
        "--app",
        "web-shop",
        "--user",
        "ci",
        "--time",
        "2024-01-03T11:30:00Z",
    ]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stdout.contains("\"annotated\""), "{stdout}");
    let mut command = tv(&sandbox);
    command.args([
        "--output",
        "json",
        "annotations",
        "--app",
        "web-shop",
        "--until",
        END,
    ]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, Exit::Ok.code());
    assert!(stdout.contains("deploy v9.9"), "{stdout}");
}

#[test]
fn assign_and_delete_an_app() {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args([
        "app", "assign", "new-app", "web-77", "--create", "--layer", "nginx", "--tag", "staging",
    ]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    let mut command = tv(&sandbox);
    command.args(["--output", "json", "apps"]);
    assert!(run(command).1.contains("new-app"));
    let mut command = tv(&sandbox);
    command.args(["app", "delete", "new-app", "--yes"]);
    assert_eq!(run(command).0, 0);
    let mut command = tv(&sandbox);
    command.args(["--output", "json", "apps"]);
    assert!(!run(command).1.contains("new-app"));
}

#[test]
fn delete_a_host_by_name() {
    let sandbox = start(0.0, &[]);
    let hosts = |sandbox| {
        let mut command = tv(sandbox);
        command.args(["--output", "json", "hosts"]);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, Exit::Ok.code(), "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["hosts"].clone()
    };
    let before = hosts(&sandbox);
    let first = &before.as_array().unwrap()[0];
    let name = first["name"].as_str().unwrap().to_owned();
    let id = first["id"].as_i64().unwrap();
    let mut command = tv(&sandbox);
    command.args(["--output", "json", "host", "delete", &name, "--yes"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stdout.contains(&id.to_string()), "{stdout}");
    let after = hosts(&sandbox);
    assert!(after.as_array().unwrap().iter().all(|h| h["id"] != id));
    // A name no host has is not found, before anything is deleted.
    let mut command = tv(&sandbox);
    command.args(["host", "delete", "no-such-host", "--yes"]);
    assert_eq!(run(command).0, Exit::NotFound.code());
    assert_eq!(
        hosts(&sandbox).as_array().unwrap().len(),
        after.as_array().unwrap().len()
    );
}
