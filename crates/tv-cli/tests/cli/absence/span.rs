//! `tv compare --around … --span` and `--wait`: deploy checks soon after a deploy.

use crate::common::{run, shared, start, tv};

/// A private frozen sandbox with a `web-shop` annotation `ago` before its now; the id.
pub(crate) fn annotated(ago: &str) -> (crate::common::Sandbox, String) {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args(["annotate", "span test", "--app", "web-shop", "--time", ago]);
    assert_eq!(run(command).0, 0);
    let id = annotation_id(&sandbox, "span test");
    (sandbox, id)
}

/// The id of the newest annotation with this message.
pub(crate) fn annotation_id(sandbox: &crate::common::Sandbox, message: &str) -> String {
    let mut command = tv(sandbox);
    command.args(["annotations", "--app", "web-shop", "-o", "json"]);
    let (_, stdout, _) = run(command);
    let notes: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    notes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["message"] == message)
        .map(|n| n["id"].to_string())
        .expect("the annotation is listed")
}

#[test]
fn a_span_compares_short_windows_around_a_recent_annotation() {
    // 20 minutes after a deploy the hour after it is not over; 15 minutes are.
    let (sandbox, id) = annotated("20m ago");
    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not over yet"), "{stderr}");

    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id, "--span", "15m"]);
    command.args(["-o", "json"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let result: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(result["span_s"], 900);
    assert_eq!(result["end"], "2024-01-03T11:55:00Z");
    assert_eq!(result["previous_end"], "2024-01-03T11:40:00Z");
    // The windows' numbers are the hour series' 30-second slices in them.
    let mut command = tv(&sandbox);
    command.args(["latency", "series", "web-shop", "-o", "json"]);
    let (_, stdout, _) = run(command);
    let series: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let volume = |from: &str, to: &str| -> u64 {
        series["series"]["points"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| (from..to).contains(&p["at"].as_str().unwrap()))
            .map(|p| p["volume"].as_u64().unwrap())
            .sum()
    };
    let overall = &result["comparison"]["overall"];
    let (after, before) = (
        volume("2024-01-03T11:40:00Z", "2024-01-03T11:55:00Z"),
        volume("2024-01-03T11:25:00Z", "2024-01-03T11:40:00Z"),
    );
    assert!(after > 0 && before > 0);
    assert_eq!(overall["current"]["volume"], after);
    assert_eq!(overall["previous"]["volume"], before);

    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id, "--span", "15m"]);
    command.args(["-o", "table"]);
    let (_, stdout, _) = run(command);
    assert!(
        stdout.starts_with(&format!(
            "web-shop: the 15m after annotation {id} (2024-01-03 11:40) against the 15m before"
        )),
        "{stdout}"
    );
}

#[test]
fn a_span_must_be_whole_slices_within_the_window() {
    for (span, says) in [
        (
            "45s",
            "a span of 45s is not a whole number of the hour window's 30s slices",
        ),
        (
            "2h",
            "a span of 2h is longer than the hour window its slices come from",
        ),
    ] {
        let mut command = tv(shared());
        command.args(["compare", "web-shop", "--around", "latest", "--span", span]);
        let (code, _, stderr) = run(command);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn wait_is_bounded_and_refuses_a_window_it_cannot_see_end() {
    // A frozen clock: the 15 minutes after a deploy 10 minutes ago never end.
    let (sandbox, id) = annotated("10m ago");
    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id, "--span", "15m"]);
    command.args(["--wait", "1m"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("is not over yet: it ends 2024-01-03 12:05:00 UTC")
            && stderr.contains("it ends later than --wait 1m"),
        "{stderr}"
    );
    assert!(!stderr.contains("waiting for"), "refused at once: {stderr}");
}

#[test]
fn wait_waits_until_the_window_after_the_deploy_is_over() {
    // The system clock: the 30 seconds (one slice) after a deploy made now end within
    // 30 seconds, the shortest real wait.
    let (sandbox, _) = crate::common::start_with(|config| config.now = None);
    let mut command = tv(&sandbox);
    command.args(["annotate", "deploy now", "--app", "web-shop"]);
    assert_eq!(run(command).0, 0);
    let id = annotation_id(&sandbox, "deploy now");
    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id, "--span", "30s"]);
    command.args(["--wait", "3m", "--fail-if-slower", "1000", "-o", "json"]);
    let (code, stdout, stderr) = run(command);
    assert!(
        stderr.contains(&format!(
            "waiting for the 30s after annotation {id} to be over at"
        )),
        "{stderr}"
    );
    assert!(code == 0 || code == 5, "{stderr}");
    let result: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(result["span_s"], 30);
}
