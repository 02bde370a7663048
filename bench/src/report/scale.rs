//! The tables of the scale and remote scenarios, their targets and their JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{
    Target, duration, measured_json, megabytes, peak_rss_kib, per_second, rate, ratio, reference,
    row, runs, thousands, unmeasured, wall,
};
use crate::remote::{RemoteRun, latency_bound};
use crate::scale::SizeRun;

/// The size of the memory targets, and the small size they compare with.
const LARGE_APPS: usize = 10_000;
const SMALL_APPS: usize = 10;
/// The ceiling for tv's peak RSS at [`LARGE_APPS`].
const LARGE_RSS_MB: f64 = 40.0;

/// One row per size and contender: the fan-out side by side at every size.
pub fn scale_table(md: &mut String, sizes: &[SizeRun]) {
    if sizes.is_empty() {
        return;
    }
    let (smallest, largest) = (sizes[0].apps, sizes[sizes.len() - 1].apps);
    let _ = writeln!(
        md,
        "#### at scale: `report` over {} to {} apps — medians, alternating\n",
        thousands(smallest as u64),
        thousands(largest as u64)
    );
    md.push_str(
        "| apps | requests | runs | contender | median | min – max | peak RSS | req/s | vs ceiling |\n\
         |---:|---:|---:|---|---:|---:|---:|---:|---:|\n",
    );
    for size in sizes {
        let s = &size.scenario;
        let ceiling = reference(s).and_then(wall).map(|w| w.median);
        let requests = 1 + 6 * size.apps as u64;
        let mut first = true;
        let mut lead = |md: &mut String| {
            if std::mem::take(&mut first) {
                let _ = write!(
                    md,
                    "| {} | {} |",
                    thousands(size.apps as u64),
                    thousands(requests)
                );
            } else {
                md.push_str("| | |");
            }
        };
        for r in &s.rows {
            let Some(w) = wall(r) else { continue };
            lead(md);
            let vs = ceiling.map_or_else(|| "—".to_owned(), |c| ratio(w.median / c));
            let _ = writeln!(
                md,
                " {} | {} | {} | {} – {} | {} | {} | {vs} |",
                r.samples.len(),
                r.contender,
                duration(w.median),
                duration(w.min),
                duration(w.max),
                peak_rss_kib(r).map_or_else(|| "—".to_owned(), megabytes),
                per_second(r).map_or_else(|| "—".into(), rate),
            );
        }
        for skipped in &s.skipped {
            lead(md);
            let _ = writeln!(
                md,
                " | {} | skipped: {} | | | | |",
                skipped.contender, skipped.reason
            );
        }
    }
    md.push('\n');
}

/// The sandbox's own figures at each size.
pub fn sandbox_table(md: &mut String, sizes: &[SizeRun]) {
    if sizes.is_empty() {
        return;
    }
    md.push_str(
        "#### the sandbox at scale — start-up, peak RSS, CPU per request\n\n\
         | apps | start-up (to its URL) | to the first answer | peak RSS (VmHWM) | CPU per request | requests replayed |\n\
         |---:|---:|---:|---:|---:|---:|\n",
    );
    for size in sizes {
        let stats = &size.sandbox;
        let spread = |s: Option<crate::measure::Spread>| {
            s.map_or_else(|| "—".to_owned(), |s| duration(s.median))
        };
        let cpu = stats
            .replayed
            .and_then(|r| r.per_request())
            .map_or_else(|| "—".to_owned(), duration);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {cpu} | {} |",
            thousands(size.apps as u64),
            spread(stats.ready()),
            spread(stats.first_answer()),
            stats.peak_rss_kib.map_or_else(|| "—".to_owned(), megabytes),
            stats
                .replayed
                .map_or_else(|| "—".to_owned(), |r| thousands(r.requests)),
        );
    }
    md.push('\n');
}

/// Wall times against a remote server: one row per client, one column pair per delay.
pub fn remote_table(md: &mut String, remote: &[RemoteRun]) {
    let Some(first) = remote.first() else { return };
    let _ = writeln!(
        md,
        "#### remote server: `report` over {} apps, every answer delayed — medians of {}, alternating\n",
        first.apps,
        runs(first.scenario.runs)
    );
    md.push_str("| client | concurrency |");
    for run in remote {
        let _ = write!(md, " {} | vs bound |", run.latency);
    }
    md.push_str("\n|---|---:|");
    for _ in remote {
        md.push_str("---:|---:|");
    }
    md.push('\n');
    for r in &first.scenario.rows {
        let concurrency = match (r.concurrency, first.default_concurrency) {
            (Some(n), _) => n.to_string(),
            (None, Some(n)) => format!("default ({n})"),
            (None, None) => "default".to_owned(),
        };
        let _ = write!(md, "| {} | {concurrency} |", r.contender);
        for run in remote {
            let same = run
                .scenario
                .rows
                .iter()
                .find(|o| o.contender == r.contender && o.concurrency == r.concurrency);
            let median = same.and_then(wall).map(|w| w.median);
            let bound = r
                .concurrency
                .or(run.default_concurrency)
                .map(|c| latency_bound(run.apps, c, run.latency_s));
            let vs = match (median, bound) {
                (Some(m), Some(b)) if b > 0.0 => format!("{} of {}", ratio(m / b), duration(b)),
                _ => "—".to_owned(),
            };
            let _ = write!(
                md,
                " {} | {vs} |",
                median.map_or_else(|| "—".into(), duration)
            );
        }
        md.push('\n');
    }
    for run in remote {
        for skipped in &run.scenario.skipped {
            let _ = writeln!(
                md,
                "\n{} skipped at {}: {}",
                skipped.contender, run.latency, skipped.reason
            );
        }
    }
    md.push('\n');
}

/// tv's peak RSS at 10,000 apps: under 40 MB, and within 2× of its figure at 10 apps.
pub fn targets(sizes: &[SizeRun]) -> Vec<Target> {
    let rss = |apps: usize| {
        sizes
            .iter()
            .find(|s| s.apps == apps)
            .and_then(|s| row(&s.scenario, "tv"))
            .and_then(peak_rss_kib)
    };
    let absolute = format!(
        "tv peak RSS under {LARGE_RSS_MB:.0} MB for `report` at {} apps",
        thousands(LARGE_APPS as u64)
    );
    let relative = format!(
        "tv peak RSS at {} apps within 2× of {SMALL_APPS} apps",
        thousands(LARGE_APPS as u64)
    );
    let not_run = format!(
        "not run (`--sizes` without {})",
        thousands(LARGE_APPS as u64)
    );
    let mut targets = Vec::new();
    targets.push(match rss(LARGE_APPS) {
        Some(kib) => Target {
            goal: absolute,
            measured: format!("{} (highest of the runs)", megabytes(kib)),
            met: Some((kib as f64) * 1024.0 < LARGE_RSS_MB * 1e6),
        },
        None => unmeasured(&absolute, &not_run),
    });
    targets.push(match (rss(LARGE_APPS), rss(SMALL_APPS)) {
        (Some(large), Some(small)) => Target {
            goal: relative,
            measured: format!(
                "{} vs {}: {}",
                megabytes(large),
                megabytes(small),
                ratio(large as f64 / small as f64)
            ),
            met: Some(large <= 2 * small),
        },
        _ => unmeasured(&relative, "not run (`--sizes` without both)"),
    });
    targets
}

/// One size as JSON.
pub fn size_json(size: &SizeRun) -> Value {
    let stats = &size.sandbox;
    json!({
        "apps": size.apps,
        "runs": size.scenario.runs,
        "contenders": size.scenario.rows.iter().map(measured_json).collect::<Vec<_>>(),
        "skipped": size.scenario.skipped.iter()
            .map(|k| json!({"contender": k.contender, "reason": k.reason}))
            .collect::<Vec<_>>(),
        "sandbox": {
            "ready_s_runs": stats.ready_s,
            "first_answer_s_runs": stats.first_answer_s,
            "peak_rss_kib": stats.peak_rss_kib,
            "replayed_requests": stats.replayed.map(|r| r.requests),
            "replay_cpu_s": stats.replayed.map(|r| r.cpu_seconds),
            "cpu_s_per_request": stats.replayed.and_then(|r| r.per_request()),
        },
    })
}

/// One delay of the remote scenario as JSON.
pub fn remote_json(run: &RemoteRun) -> Value {
    json!({
        "latency": run.latency,
        "apps": run.apps,
        "runs": run.scenario.runs,
        "tv_default_concurrency": run.default_concurrency,
        "contenders": run.scenario.rows.iter().map(|r| {
            let mut value = measured_json(r);
            let bound = r.concurrency.or(run.default_concurrency)
                .map(|c| latency_bound(run.apps, c, run.latency_s));
            value["latency_bound_s"] = json!(bound);
            value
        }).collect::<Vec<_>>(),
        "skipped": run.scenario.skipped.iter()
            .map(|k| json!({"contender": k.contender, "reason": k.reason}))
            .collect::<Vec<_>>(),
    })
}
