//! How well the default gate separates incidents from ordinary hours, measured over
//! many hours of the seeded sandbox world against its incident ground truth
//! (`tv_sandbox::incidents::ground_truth`): it must trip in at least 90 % of hours that
//! hold a major incident (against the hour before, which holds none) and in at most
//! 5 % of hours where neither window holds any incident.
//!
//! The second measurement does the same for absences (outages and stale apps, also in
//! the ground truth): `tv check --end` with a traffic and a stale threshold (the same
//! library call, [`run_check`], hour by hour), and the
//! compare gate with its traffic rule, must catch at least 90 % of outage hours and
//! alarm in at most 5 % of quiet hours.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use futures::StreamExt;
use tv_client::TraceView;
use tv_client::check::{CheckSpec, Metric, Status, ThresholdRange, Thresholds, run_check};
use tv_client::window::TimeWindow;
use tv_client::workflow::{self, CompareRequest, GateRules, Now};
use tv_sandbox::incidents::{IncidentKind, IncidentTruth, ground_truth_at};
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

/// The ground truth of `app` in `[from, to)`, stale apps included (as seen at the
/// sandbox's frozen now).
fn truth(seed: u64, app: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<IncidentTruth> {
    let frozen = Utc.timestamp_opt(FROZEN_NOW, 0).unwrap();
    ground_truth_at(seed, app, frozen, from, to)
}

/// Every (app, end of an hour) of the last [`HOURS`] hours that `classify` puts in a
/// class, newest hour first (the ground truth alone, no fetching).
fn scan<C>(
    seed: u64,
    apps: &[String],
    classify: impl Fn(u64, &str, DateTime<Utc>) -> Option<C>,
) -> Vec<(String, DateTime<Utc>, C)> {
    let frozen = Utc.timestamp_opt(FROZEN_NOW, 0).unwrap();
    let mut cases = Vec::new();
    for h in 0..HOURS {
        for app in apps {
            let end = frozen - TimeDelta::hours(h);
            if let Some(class) = classify(seed, app, end) {
                cases.push((app.clone(), end, class));
            }
        }
    }
    cases
}

/// At most `n` of the scanned cases of `class`, every k-th: spread over the whole range,
/// not only the latest hours.
fn spread<C: Copy + PartialEq>(
    all: &[(String, DateTime<Utc>, C)],
    class: C,
    n: usize,
) -> Vec<(String, DateTime<Utc>, C)> {
    let of_class: Vec<_> = all.iter().filter(|c| c.2 == class).cloned().collect();
    let k = (of_class.len() / n).max(1);
    of_class.into_iter().step_by(k).take(n).collect()
}

fn classify(seed: u64, app: &str, end: DateTime<Utc>) -> Option<Class> {
    let hour = TimeDelta::hours(1);
    let before = truth(seed, app, end - hour - hour, end - hour);
    let current = truth(seed, app, end - hour, end);
    if before.is_empty() && current.is_empty() {
        Some(Class::Quiet)
    } else if before.is_empty()
        && current.iter().any(|i| i.kind == IncidentKind::Major)
        && current.iter().all(|i| i.kind.is_latency())
    {
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
    let all = scan(seed, &apps, classify);
    let mut cases = spread(&all, Class::Major, MAJOR_CASES);
    cases.extend(spread(&all, Class::Quiet, QUIET_CASES));
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

/// The hours of the absence measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Absence {
    /// An outage or a stale app's silence covers at least 40 minutes of the hour and at
    /// most 20 minutes of the hour before: the hour in which the traffic vanishes.
    Outage,
    /// A stale app's silence covers the hour and the hour before.
    Silent,
    /// No incident of any kind in the hour or the hour before.
    Quiet,
}

/// Seconds of `[from, to)` that an outage or a silence covers.
fn absent_seconds(list: &[IncidentTruth], from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    list.iter()
        .filter(|i| !i.kind.is_latency())
        .map(|i| (i.end.min(to) - i.start.max(from)).num_seconds().max(0))
        .max()
        .unwrap_or(0)
}

fn classify_absence(seed: u64, app: &str, end: DateTime<Utc>) -> Option<Absence> {
    let hour = TimeDelta::hours(1);
    let before = truth(seed, app, end - hour - hour, end - hour);
    let current = truth(seed, app, end - hour, end);
    let silent = |list: &[IncidentTruth]| list.iter().any(|i| i.kind == IncidentKind::Stale);
    if before.is_empty() && current.is_empty() {
        Some(Absence::Quiet)
    } else if absent_seconds(&before, end - hour - hour, end - hour) <= 20 * 60
        && absent_seconds(&current, end - hour, end) >= 40 * 60
    {
        Some(Absence::Outage)
    } else if silent(&before) && absent_seconds(&before, end - hour - hour, end - hour) == 3_600 {
        Some(Absence::Silent)
    } else {
        None
    }
}

/// One case of the absence measurement: (class, app, end, check alarmed, gate tripped).
type Outcome = (Absence, String, DateTime<Utc>, bool, bool);

/// `tv check APP -c traffic=0.5: -c stale=30 --end END`: the library call the command
/// runs ([`run_check`]), with the window ending at `end` and `stale` measured at it.
async fn check_at(tv: &TraceView, now: &Now, app: &str, end: DateTime<Utc>) -> Status {
    let critical = |range: &str| Thresholds {
        warning: None,
        critical: Some(range.parse::<ThresholdRange>().expect("a range")),
    };
    let spec = CheckSpec {
        app: app.to_owned(),
        layer: None,
        window: TimeWindow::Hour,
        metrics: vec![
            (Metric::Traffic, critical("0.5:")),
            (Metric::Stale, critical("30")),
        ],
        end: Some(end),
    };
    run_check(tv, now, &spec).await.expect("check").status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_and_the_traffic_rule_catch_outages_and_stay_quiet() {
    let config = SandboxConfig::demo_at(FROZEN_NOW);
    let seed = config.seed;
    let sandbox = LocalSandbox::start(config)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let now = Now::server(tv);
    let apps = tv.discovery().apps().await.expect("apps");
    let all = scan(seed, &apps, classify_absence);
    let mut cases = spread(&all, Absence::Outage, 40);
    cases.extend(spread(&all, Absence::Silent, 20));
    cases.extend(spread(&all, Absence::Quiet, QUIET_CASES));
    let results: Vec<Outcome> = futures::stream::iter(cases)
        .map(|(app, end, class)| {
            let (tv, now) = (tv.clone(), now.clone());
            async move {
                let status = check_at(&tv, &now, &app, end).await;
                // Only the traffic rule: what `--fail-if-traffic-drops 50` gates on.
                let rules = GateRules {
                    max_traffic_drop_fraction: Some(workflow::DEFAULT_MAX_TRAFFIC_DROP),
                    ..GateRules::OFF
                };
                let request = CompareRequest::new(app.clone()).end(end).rules(rules);
                let result = workflow::compare(&tv, &now, &request)
                    .await
                    .expect("compare");
                (
                    class,
                    app,
                    end,
                    status != Status::Ok,
                    !result.verdict.passed(),
                )
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let rate = |class: Absence, pick: fn(&Outcome) -> bool| {
        let of: Vec<_> = results.iter().filter(|r| r.0 == class).collect();
        let hit = of.iter().filter(|r| pick(r)).count();
        (hit, of.len(), hit as f64 / of.len().max(1) as f64)
    };
    let check_outage = rate(Absence::Outage, |r| r.3);
    let check_silent = rate(Absence::Silent, |r| r.3);
    let check_quiet = rate(Absence::Quiet, |r| r.3);
    let gate_outage = rate(Absence::Outage, |r| r.4);
    let gate_silent = rate(Absence::Silent, |r| r.4);
    let gate_quiet = rate(Absence::Quiet, |r| r.4);
    let show = |(hit, of, rate): (usize, usize, f64)| format!("{hit}/{of} ({:.1}%)", rate * 100.0);
    eprintln!(
        "{} apps, {HOURS} h back: check traffic=0.5: stale=30 alarms in outage hours {}, silent hours {}, quiet hours {}; \
         compare --fail-if-traffic-drops 50 trips in outage hours {}, silent hours {}, quiet hours {}",
        apps.len(),
        show(check_outage),
        show(check_silent),
        show(check_quiet),
        show(gate_outage),
        show(gate_silent),
        show(gate_quiet),
    );
    for (class, app, end, check, gate) in &results {
        if (*class == Absence::Quiet) == (*check || *gate) {
            eprintln!("  {class:?} {app} until {end}: check alarmed {check}, gate tripped {gate}");
        }
    }
    assert!(check_outage.1 >= 20, "too few outage hours to measure");
    assert!(check_silent.1 >= 10, "too few silent hours to measure");
    assert!(check_quiet.1 >= 100, "too few quiet hours to measure");
    assert!(
        check_outage.2 >= 0.90,
        "check outage catch rate {check_outage:?}"
    );
    assert!(
        check_silent.2 >= 0.90,
        "check silent catch rate {check_silent:?}"
    );
    assert!(
        check_quiet.2 <= 0.05,
        "check false alarm rate {check_quiet:?}"
    );
    assert!(
        gate_outage.2 >= 0.90,
        "gate outage catch rate {gate_outage:?}"
    );
    assert!(gate_quiet.2 <= 0.05, "gate false alarm rate {gate_quiet:?}");
}
