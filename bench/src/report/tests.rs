//! Tests of the report: units, targets, Markdown and JSON.

use std::time::Duration;

use super::*;
use crate::fan_out::{CEILING, Replayed};
use crate::measure::Sample;
use crate::remote::RemoteRun;
use crate::scale::{SandboxStats, SizeRun};
use crate::scenarios::Skipped;

fn measured(name: &str, reference: bool, ms: &[u64], rss: Option<u64>) -> Measured {
    Measured {
        contender: name.into(),
        command: format!("{name} …"),
        reference,
        concurrency: None,
        requests: None,
        samples: ms
            .iter()
            .map(|&ms| Sample {
                wall: Duration::from_millis(ms),
                max_rss_kib: rss,
            })
            .collect(),
    }
}

fn sample_report() -> Report {
    let mut tv = measured("tv", false, &[90, 100, 110], Some(15_000));
    tv.requests = Some(1201);
    let mut python = measured(PEER, false, &[3000, 3100, 3200], Some(30_000));
    python.requests = Some(1201);
    let mut ceiling = measured("sandbox ceiling", true, &[60, 60, 60], None);
    ceiling.requests = Some(1201);
    Report {
        command: "cargo xtask bench".into(),
        scenarios: vec![
            Scenario {
                id: "one-shot",
                title: "one-shot".into(),
                runs: 3,
                rows: vec![
                    measured("tv", false, &[6, 7, 8], Some(9_500)),
                    measured("curl", true, &[5, 5, 6], Some(10_000)),
                ],
                skipped: vec![],
            },
            Scenario {
                id: "fan-out",
                title: "fan-out".into(),
                runs: 3,
                rows: vec![tv, python, ceiling],
                skipped: vec![],
            },
        ],
        ..Report::default()
    }
}

#[test]
fn units_read_well() {
    assert_eq!(duration(0.006_52), "6.52 ms");
    assert_eq!(duration(1.234), "1.23 s");
    assert_eq!(duration(413e-9), "413 ns");
    assert_eq!(duration(9.732e-6), "9.73 µs");
    assert_eq!(megabytes(9_500), "9.73 MB");
    assert_eq!(ratio(31.0), "31.0×");
    assert_eq!(rate(15_234.0), "15.2k/s");
    assert_eq!(rate(950.4), "950/s");
    assert_eq!(thousands(60_001), "60,001");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1_000_000), "1,000,000");
}

#[test]
fn targets_are_checked() {
    let targets = targets(&sample_report());
    let met: Vec<Option<bool>> = targets[..4].iter().map(|t| t.met).collect();
    // 7 ms vs 5 ms: 1.4×; 9.7 MB; 31× faster; 12.0k/s vs 20.0k/s = 60 %.
    assert_eq!(met, [Some(true), Some(true), Some(true), Some(true)]);
    assert!(targets[3].measured.contains("60 %"), "{:?}", targets[3]);
}

#[test]
fn markdown_has_one_row_per_contender() {
    let md = markdown(&sample_report());
    assert!(
        md.contains("| tv | 7.00 ms | 6.00 ms | 8.00 ms | 9.73 MB | 1.40× |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| sandbox ceiling | 60.0 ms | 60.0 ms | 60.0 ms | — | 20.0k/s | 1.00× (reference) |"
        ),
        "{md}"
    );
    assert!(md.contains("| one-shot within 1.5× of curl |"), "{md}");
    let json = to_json(&sample_report());
    assert_eq!(
        json["scenarios"][1]["contenders"][0]["requests_per_run"],
        1201
    );
}

fn size(apps: usize, tv_ms: u64, tv_rss: u64) -> SizeRun {
    let requests = Some(1 + 6 * apps as u64);
    let mut tv = measured("tv", false, &[tv_ms, tv_ms + 10, tv_ms + 20], Some(tv_rss));
    tv.requests = requests;
    let mut ceiling = measured(CEILING, true, &[tv_ms / 2; 3], None);
    ceiling.requests = requests;
    SizeRun {
        apps,
        scenario: Scenario {
            id: "fan-out",
            title: "fan-out".into(),
            runs: 3,
            rows: vec![tv, ceiling],
            skipped: vec![Skipped {
                contender: PEER.into(),
                reason: "not run above 1,000 apps".into(),
            }],
        },
        sandbox: SandboxStats {
            ready_s: vec![0.1, 0.3, 0.2],
            first_answer_s: vec![0.2, 0.4, 0.3],
            peak_rss_kib: Some(50_000),
            replayed: Some(Replayed {
                requests: 4 * (1 + 6 * apps as u64),
                cpu_seconds: 0.5,
            }),
        },
    }
}

#[test]
fn scale_targets_compare_10_000_apps_with_10() {
    let mut report = sample_report();
    report.scale = vec![size(10, 20, 15_000), size(10_000, 9000, 35_000)];
    let checked = targets(&report);
    let tail: Vec<Option<bool>> = checked[4..].iter().map(|t| t.met).collect();
    // 35 MB < 40 MB, but 35.8 MB is 2.33× of 15.4 MB.
    assert_eq!(tail, [Some(true), Some(false)], "{checked:?}");
    report.scale[1] = size(10_000, 9000, 29_000);
    assert_eq!(targets(&report)[5].met, Some(true));
    report.scale.pop();
    assert_eq!(targets(&report)[4].met, None);
}

#[test]
fn scale_and_sandbox_tables() {
    let mut report = sample_report();
    report.scale = vec![size(10, 20, 15_000), size(10_000, 9000, 35_000)];
    let md = markdown(&report);
    assert!(
        md.contains(
            "| 10,000 | 60,001 | 3 | tv | 9.01 s | 9.00 s – 9.02 s | 35.8 MB | 6.66k/s | 2.00× |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| | | | python-traceview 0.7.0 | skipped: not run above 1,000 apps |"),
        "{md}"
    );
    // 0.5 s of CPU over 4 × 60,001 requests: 2.08 µs each.
    assert!(
        md.contains("| 10,000 | 200 ms | 300 ms | 51.2 MB | 2.08 µs | 240,004 |"),
        "{md}"
    );
    let json = to_json(&report);
    assert_eq!(json["scale"][1]["sandbox"]["replayed_requests"], 240_004);
}

#[test]
fn remote_table_pivots_clients_by_delay() {
    let mut tv_default = measured("tv", true, &[600, 610, 620], Some(15_000));
    tv_default.requests = Some(1201);
    let mut tv_1 = measured("tv", false, &[4100, 4200, 4300], Some(15_000));
    tv_1.concurrency = Some(1);
    let run = |latency: &str, latency_s: f64| RemoteRun {
        latency: latency.into(),
        latency_s,
        apps: 200,
        default_concurrency: Some(8),
        scenario: Scenario {
            id: "remote",
            title: "remote".into(),
            runs: 3,
            rows: vec![tv_default.clone(), tv_1.clone()],
            skipped: vec![],
        },
    };
    let mut report = sample_report();
    report.remote = vec![run("20ms", 0.02), run("100ms", 0.1)];
    let md = markdown(&report);
    assert!(
        md.contains("| client | concurrency | 20ms | vs bound | 100ms | vs bound |"),
        "{md}"
    );
    // Default 8: (1 + 25) × 20 ms = 520 ms; concurrency 1: 201 × 20 ms = 4.02 s.
    assert!(
        md.contains("| tv | default (8) | 610 ms | 1.17× of 520 ms | 610 ms | 0.23× of 2.60 s |"),
        "{md}"
    );
    assert!(md.contains("| tv | 1 | 4.20 s | 1.04× of 4.02 s |"), "{md}");
    let json = to_json(&report);
    assert_eq!(json["remote"][0]["contenders"][1]["concurrency"], 1);
    assert_eq!(json["remote"][1]["tv_default_concurrency"], 8);
}
