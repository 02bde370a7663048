//! An app without traffic has no error rate: `tv errors` says "no traffic" in every
//! format (never a measured 0 %), and `tv check -c error-rate=…` and `tv report` agree.

use super::with_idle_app;
use crate::common::{Sandbox, run, shared, tv};

fn output(sandbox: &Sandbox, format: &str, args: &[&str]) -> (i32, String) {
    let mut command = tv(sandbox);
    command.args(["--output", format]).args(args);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{args:?} {format}: {stderr}");
    (code, stdout)
}

#[test]
fn errors_of_an_idle_app_are_no_traffic_in_every_format() {
    let sandbox = with_idle_app("idle-app");
    let args = ["errors", "idle-app"];
    let (_, json) = output(&sandbox, "json", &args);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["traffic"], "no_traffic", "{json}");
    // Counts 0, the rate absent: nothing to measure, not 0 %.
    assert_eq!(json["estimate"]["volume"], 0, "{json}");
    assert_eq!(json["estimate"]["errors"], 0, "{json}");
    assert!(json["estimate"]["rate"].is_null(), "{json}");
    let (_, ndjson) = output(&sandbox, "ndjson", &args);
    assert!(ndjson.lines().count() > 0);
    for line in ndjson.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["traffic"], "no_traffic", "{line}");
        assert!(record["rate"].is_null(), "{line}");
    }
    for format in ["table", "markdown"] {
        let (_, text) = output(&sandbox, format, &args);
        assert!(
            text.contains("no traffic in this window"),
            "{format}: {text}"
        );
        assert!(!text.contains("overall"), "{format}: {text}");
        assert!(!text.contains("0%"), "{format}: {text}");
    }
    // CSV: the rate cells are empty.
    let (_, csv) = output(&sandbox, "csv", &args);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("at,rate"), "{csv}");
    for line in lines {
        assert!(line.ends_with(','), "{line}");
    }
    // With traffic, the state is left out and the overall rate measured.
    let (_, json) = output(shared(), "json", &["errors", "web-shop"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(json.get("traffic").is_none(), "{json}");
    assert!(json["estimate"]["rate"].is_number(), "{json}");
}

#[test]
fn an_error_rate_threshold_on_an_idle_app_is_unknown_and_report_shows_no_rate() {
    let sandbox = with_idle_app("idle-app");
    let mut command = tv(&sandbox);
    command.args([
        "check",
        "idle-app",
        "-w",
        "error-rate=1",
        "-c",
        "error-rate=5",
    ]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 3, "{stdout}");
    assert_eq!(
        stdout,
        "TRACEVIEW UNKNOWN - idle-app: error rate unknown (no traces in the window) \
         | 'error_rate'=U;1;5;0;100\n"
    );
    // tv report: the app's row and its own report have no rate (`null`), not 0.
    let (_, json) = output(&sandbox, "json", &["report", "idle-app"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(json["errors"]["rate"].is_null(), "{json}");
    let (_, json) = output(&sandbox, "json", &["report", "--apps", "idle-app"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let row = &json["apps"][0];
    assert_eq!(row["app"], "idle-app", "{json}");
    assert!(row["error_rate"].is_null(), "{json}");
}
