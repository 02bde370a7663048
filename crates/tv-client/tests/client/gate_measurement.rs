//! How well the default gate separates incidents from ordinary hours, measured over
//! many hours of the seeded sandbox world against its incident ground truth
//! (`tv_sandbox::incidents::ground_truth`): it must trip in at least 90 % of hours that
//! hold a major incident (against the hour before, which holds none) and in at most
//! 5 % of hours where neither window holds any incident.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use futures::StreamExt;
use tv_client::workflow::{self, CompareRequest, GateRules, Now};
use tv_sandbox::incidents::{IncidentKind, ground_truth};
use tv_testkit::{FROZEN_NOW, LocalSandbox, SandboxConfig};

/// Hours scanned per app, back from FROZEN_NOW (the ground truth alone, no fetching).
const HOURS: i64 = 24 * 60;
/// Hours compared of each class: bounded, so the test stays a few seconds.
const MAJOR_CASES: usize = 40;
const QUIET_CASES: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    Major,
    Quiet,
}

fn classify(seed: u64, app: &str, end: DateTime<Utc>) -> Option<Class> {
    let hour = TimeDelta::hours(1);
    let before = ground_truth(seed, app, end - hour - hour, end - hour);
    let current = ground_truth(seed, app, end - hour, end);
    if before.is_empty() && current.is_empty() {
        Some(Class::Quiet)
    } else if before.is_empty() && current.iter().any(|i| i.kind == IncidentKind::Major) {
        Some(Class::Major)
    } else {
        None
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_gate_catches_major_incidents_and_stays_quiet() {
    let config = SandboxConfig::demo_at(FROZEN_NOW);
    let seed = config.seed;
    let sandbox = LocalSandbox::start(config)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let now = Now::server(tv);
    let apps = tv.discovery().apps().await.expect("apps");
    let frozen = Utc.timestamp_opt(FROZEN_NOW, 0).unwrap();
    let (mut majors, mut quiets) = (Vec::new(), Vec::new());
    for h in 0..HOURS {
        for app in &apps {
            let end = frozen - TimeDelta::hours(h);
            match classify(seed, app, end) {
                Some(Class::Major) => majors.push((app.clone(), end, Class::Major)),
                Some(Class::Quiet) => quiets.push((app.clone(), end, Class::Quiet)),
                None => {}
            }
        }
    }
    // Spread the cases over the whole range (every k-th), not only the latest hours.
    let spread = |all: Vec<_>, n: usize| {
        let k = (all.len() / n).max(1);
        all.into_iter().step_by(k).take(n).collect::<Vec<_>>()
    };
    let mut cases = spread(majors, MAJOR_CASES);
    cases.extend(spread(quiets, QUIET_CASES));
    let results: Vec<(String, DateTime<Utc>, Class, bool)> = futures::stream::iter(cases)
        .map(|(app, end, class)| {
            let (tv, now) = (tv.clone(), now.clone());
            async move {
                let request = CompareRequest::new(app.clone())
                    .end(end)
                    .rules(GateRules::default());
                let result = workflow::compare(&tv, &now, &request)
                    .await
                    .expect("compare");
                (app, end, class, !result.verdict.passed())
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let count = |class: Class, tripped: bool| {
        results
            .iter()
            .filter(|r| r.2 == class && r.3 == tripped)
            .count()
    };
    let (hits, misses) = (count(Class::Major, true), count(Class::Major, false));
    let (alarms, quiet) = (count(Class::Quiet, true), count(Class::Quiet, false));
    let hit_rate = hits as f64 / (hits + misses).max(1) as f64;
    let alarm_rate = alarms as f64 / (alarms + quiet).max(1) as f64;
    eprintln!(
        "{} apps, {HOURS} h back: major hours {} (hit {:.1}%), quiet hours {} (false alarms {:.1}%)",
        apps.len(),
        hits + misses,
        hit_rate * 100.0,
        alarms + quiet,
        alarm_rate * 100.0
    );
    for (app, end, class, tripped) in &results {
        if (*class == Class::Major) != *tripped {
            eprintln!("  {class:?} {app} until {end}: tripped {tripped}");
        }
    }
    assert!(hits + misses >= 20, "too few major hours to measure");
    assert!(alarms + quiet >= 100, "too few quiet hours to measure");
    assert!(hit_rate >= 0.90, "hit rate {hit_rate}");
    assert!(alarm_rate <= 0.05, "false alarm rate {alarm_rate}");
}
