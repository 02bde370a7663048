//! Tests of the report: units, targets, Markdown and JSON.

use std::time::Duration;

use super::*;
use crate::bench::measure::Sample;

fn measured(name: &str, reference: bool, ms: &[u64], rss: Option<u64>) -> Measured {
    Measured {
        contender: name.into(),
        command: format!("{name} …"),
        reference,
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
}

#[test]
fn targets_are_checked() {
    let targets = targets(&sample_report());
    let met: Vec<Option<bool>> = targets.iter().map(|t| t.met).collect();
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
