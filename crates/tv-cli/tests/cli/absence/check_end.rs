//! `tv check --end TIME`: the monitoring check run for a past moment, with the time
//! grammar of every `--end`; a window not over yet is UNKNOWN, as compare refuses it.

use crate::common::{run, shared, tv};

fn check(args: &[&str]) -> (i32, String) {
    let mut command = tv(shared());
    command.args(["check", "web-shop"]).args(args);
    let (code, stdout, stderr) = run(command);
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout:?} {stderr:?}");
    (code, stdout.trim_end().to_string())
}

/// The average latency (ms) of `tv latency summary web-shop --end END`.
fn summary_ms(end: &str) -> f64 {
    let mut command = tv(shared());
    command.args(["latency", "summary", "web-shop", "--end", end, "-o", "json"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    json["summary"]["average_us"].as_f64().unwrap() / 1000.0
}

fn perf(line: &str, label: &str) -> String {
    let (_, perfdata) = line.split_once(" | ").unwrap_or_else(|| panic!("{line}"));
    let datum = perfdata
        .split(' ')
        .find(|d| d.starts_with(&format!("'{label}'=")))
        .unwrap_or_else(|| panic!("{label} in {line}"));
    datum
        .split(['=', ';'])
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_window_ends_at_end_in_every_time_form() {
    // The shared sandbox's now is 2024-01-03T12:00:00Z: 2 h ago is 10:00.
    let earlier = summary_ms("2024-01-03T10:00:00Z");
    assert_ne!(earlier, summary_ms("2024-01-03T12:00:00Z"));
    for end in ["2024-01-03T10:00:00Z", "2h ago", "1704276000"] {
        let (code, line) = check(&["-m", "latency", "-m", "stale", "--end", end]);
        assert_eq!(code, 0, "{end}: {line}");
        let latency: f64 = perf(&line, "latency")
            .trim_end_matches("ms")
            .parse()
            .unwrap();
        assert!(
            (latency - earlier).abs() < 0.001,
            "{end}: {line} vs {earlier}"
        );
        // `stale` is measured at the end: traces up to then.
        assert_eq!(perf(&line, "stale_minutes"), "0", "{end}: {line}");
    }
}

#[test]
fn an_end_after_the_servers_now_is_unknown_as_compare_refuses_it() {
    let (code, line) = check(&["-m", "latency", "--end", "2024-01-03T13:00:00Z"]);
    assert_eq!(code, 3, "{line}");
    assert_eq!(
        line,
        "TRACEVIEW UNKNOWN - invalid argument: the hour ending 2024-01-03 13:00:00 UTC is not \
         over yet \
         (the server's now is 2024-01-03 12:00:00 UTC)"
    );
    // Nonsense is UNKNOWN with the grammar; before the API's range, in its words.
    let (code, line) = check(&["-m", "latency", "--end", "next tuesday"]);
    assert_eq!(code, 3, "{line}");
    assert!(line.contains("ISO-8601"), "{line}");
    let (code, line) = check(&["-m", "latency", "--end", "0"]);
    assert_eq!(code, 3, "{line}");
    assert!(line.contains("before 1971-01-01"), "{line}");
}
