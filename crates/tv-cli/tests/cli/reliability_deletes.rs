//! Reliability suite, part 4: deletes are retried, and what `tv` says about them is
//! true. Against the sandbox at `--fault-rate 0.5` (faults hit after the delete was
//! applied: the app is gone, the answer lost), every delete either succeeds — saying
//! when an earlier answer was lost — or says its outcome is unknown; none is "not
//! found" and none suggests deleting another app; afterwards every app is gone.
use crate::common::{KEY, run, start_with, tv};
use tv_cli::Exit;
use tv_sandbox::server::FaultKind;

#[test]
fn retried_deletes_after_lost_answers_tell_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let path = state.clone();
    let (clean, _) = start_with(move |c| {
        c.state_file = Some(path);
        c.apps = 12;
    });
    let mut command = tv(&clean);
    command.args(["--output", "json", "apps"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    let listed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let apps: Vec<String> = listed["names"]
        .as_array()
        .unwrap_or_else(|| panic!("no names in {stdout}"))
        .iter()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .filter(|a| a != "Default")
        .collect();
    assert_eq!(apps.len(), 11, "{stdout}");

    let path = state.clone();
    let (faulty, counts) = start_with(move |c| {
        c.state_file = Some(path);
        c.apps = 12;
        c.fault_rate = 0.5;
        c.faults = vec![FaultKind::Status503, FaultKind::Reset, FaultKind::Status502];
    });
    let mut lost_answers = 0;
    for app in &apps {
        let mut command = tv(&faulty);
        command.args(["--attempts", "5", "app", "delete", app, "--yes"]);
        let (code, stdout, stderr) = run(command);
        assert!(!stderr.contains("did you mean"), "{app}: {stderr}");
        assert_ne!(code, Exit::NotFound.code(), "{app}: {stderr}");
        if code == Exit::Ok.code() {
            assert!(stdout.contains("deleted_app"), "{app}: {stdout}");
            if stderr.contains("an earlier answer was lost") {
                lost_answers += 1;
                assert!(stdout.contains("\"earlier_answer_lost\": true"), "{stdout}");
            }
        } else {
            assert_eq!(code, Exit::Runtime.code(), "{app}: {stderr}");
            assert!(stderr.contains("outcome is unknown"), "{app}: {stderr}");
        }
        assert!(!stderr.contains(KEY) && !stdout.contains(KEY));
    }
    assert!(counts.fault_counts().total() > 0);
    assert!(
        lost_answers > 0,
        "no delete met a lost answer: the test proves nothing"
    );

    let path = state.clone();
    let (after, _) = start_with(move |c| {
        c.state_file = Some(path);
        c.apps = 12;
    });
    let mut command = tv(&after);
    command.args(["--output", "json", "apps"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    for app in &apps {
        assert!(
            !stdout.contains(&format!("\"{app}\"")),
            "{app} survived: {stdout}"
        );
    }
}

#[test]
fn a_write_refused_as_too_large_is_a_definite_usage_error() {
    let (sandbox, _) = start_with(|_| {});
    let mut command = tv(&sandbox);
    // The sandbox refuses request bodies over 64 KiB with 413.
    let message = "x".repeat(70 * 1024);
    command.args(["annotate", &message, "--app", "web-shop"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Usage.code(), "{stderr}");
    assert!(!stderr.contains("outcome is unknown"), "{stderr}");
    assert!(stderr.contains("too large"), "{stderr}");
}
