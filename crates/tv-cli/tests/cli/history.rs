//! History and shape from the command line: stitched `--since` ranges with their
//! coverage, `--resample`, Markdown output, and the report's `--apps/--sort/--top`,
//! against the frozen sandbox (now = 2024-01-03T12:00:00Z).
use crate::common::{END, run, shared, stable, tv};

/// Runs `tv ARGS` and returns (code, stdout, stderr).
fn tv_run(args: &[&str]) -> (i32, String, String) {
    let mut command = tv(shared());
    command.args(args);
    run(command)
}

fn ok(args: &[&str]) -> (String, String) {
    let (code, stdout, stderr) = tv_run(args);
    assert_eq!(code, 0, "tv {args:?} failed: {stderr}");
    (stable(&stdout, shared()), stderr)
}

#[test]
fn markdown_of_the_report_and_of_a_series() {
    let (report, _) = ok(&["report", "--end", END, "--output", "markdown"]);
    insta::assert_snapshot!("report_markdown", report);
    let (series, _) = ok(&[
        "requests",
        "web-shop",
        "--end",
        END,
        "--resample",
        "5m",
        "-o",
        "markdown",
    ]);
    insta::assert_snapshot!("requests_resampled_markdown", series);
}

#[test]
fn a_stitched_range_shows_its_coverage() {
    // Five days back from the server's (frozen) now, though this machine's clock differs.
    let args = [
        "latency",
        "series",
        "web-shop",
        "--since",
        "5d ago",
        "--resample",
        "6h",
    ];
    let (table, stderr) = ok(&[&args[..], &["-o", "table"]].concat());
    insta::assert_snapshot!("latency_series_since_table", table);
    assert!(
        stderr.starts_with("coverage: 2023-12-29 12:00 – "),
        "{stderr}"
    );
    let (json, stderr) = ok(&[&args[..], &["-o", "json"]].concat());
    assert!(
        stderr.is_empty(),
        "JSON carries the coverage as data: {stderr}"
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let requested = &json["coverage"]["requested"];
    assert_eq!(requested["start"], "2023-12-29T12:00:00Z");
    assert_eq!(requested["end"], END);
    assert_eq!(
        json["window"], "day",
        "five days at 30 s would need 120 calls"
    );
    assert_eq!(json["series"]["step_s"], 21600.0);
    let (ndjson, _) = ok(&[&args[..], &["-o", "ndjson"]].concat());
    for line in ndjson.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["coverage"]["requested"], *requested, "{line}");
    }
    // A fixed stitched range: eight days in 2-hour steps, eight calls.
    let (errors, stderr) = ok(&[
        "errors",
        "web-shop",
        "--since",
        "2023-12-26",
        "--until",
        END,
        "--step",
        "2h",
        "-o",
        "json",
    ]);
    assert!(stderr.is_empty(), "{stderr}");
    let errors: serde_json::Value = serde_json::from_str(&errors).unwrap();
    insta::assert_json_snapshot!("errors_since_coverage", errors["coverage"]);
    let (chart, _) = ok(&[
        "chart",
        "web-shop",
        "--since",
        "3d ago",
        "--resample",
        "1h",
        "-o",
        "json",
    ]);
    let chart: serde_json::Value = serde_json::from_str(&chart).unwrap();
    assert_eq!(
        chart["coverage"]["missing"],
        serde_json::json!([]),
        "{chart}"
    );
    assert_eq!(chart["series"]["step_s"], 3600.0);
    let (layers, _) = ok(&[
        "latency", "by-layer", "web-shop", "--since", "3d ago", "-o", "json",
    ]);
    let layers: serde_json::Value = serde_json::from_str(&layers).unwrap();
    assert!(layers["layers"].as_array().is_some_and(|l| !l.is_empty()));
}

#[test]
fn bad_ranges_and_steps_are_usage_errors() {
    let series = ["latency", "series", "web-shop"];
    for (extra, expected) in [
        (&["--since", "1d ago", "--step", "1m"][..], "no 1m step"),
        (
            &["--since", "1d ago", "--until", "3d ago"],
            "is before --since",
        ),
        (&["--since", "30d ago", "--step", "30s"], "needs 720 calls"),
        (&["--since", "1d ago", "--resample", "7s"], "not a multiple"),
        (
            &["--since", "1d ago", "--window", "day"],
            "cannot be used with",
        ),
        (&["--step", "2h"], "--since"),
    ] {
        let (code, stdout, stderr) = tv_run(&[&series[..], extra].concat());
        assert_eq!(code, 2, "{extra:?}: {stderr}");
        assert!(
            stdout.is_empty() && stderr.contains(expected),
            "{extra:?}: {stderr}"
        );
    }
    let (code, _, stderr) = tv_run(&["latency", "summary", "web-shop", "--since", "1d ago"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("shows a summary"), "{stderr}");
}

#[test]
fn the_report_selects_sorts_and_cuts() {
    let (json, _) = ok(&[
        "report",
        "--end",
        END,
        "--apps",
        "web-*,billing-*",
        "--sort",
        "errors",
        "--top",
        "2",
        "-o",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let apps = json["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 2, "{json}");
    assert!(apps.iter().all(|a| {
        let name = a["app"].as_str().unwrap_or_default();
        name.starts_with("web-") || name.starts_with("billing-")
    }));
    assert!(apps[0]["error_rate"].as_f64() >= apps[1]["error_rate"].as_f64());

    let (code, stdout, stderr) = tv_run(&["report", "--end", END, "--apps", "wbe-*"]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("no app matches `wbe-*`; did you mean `web-"),
        "{stderr}"
    );
    let (code, _, stderr) = tv_run(&["report", "--end", END, "--apps", "web-[a"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bad app pattern `web-[a`"), "{stderr}");
}

#[test]
fn an_app_named_twice_is_exported_once() {
    let (twice, _) = ok(&[
        "export",
        "openmetrics",
        "web-shop",
        "web-shop",
        "--until",
        END,
        "--since",
        "2h",
    ]);
    let (once, _) = ok(&[
        "export",
        "openmetrics",
        "web-shop",
        "--until",
        END,
        "--since",
        "2h",
    ]);
    assert!(once.lines().filter(|l| !l.starts_with('#')).count() > 0);
    assert_eq!(twice, once);
}
