//! The scale scenarios: the fan-out at several sizes (10, 1,000, 10,000 apps), each on
//! its own sandbox, and that sandbox's own costs: start-up time, peak RSS and CPU per
//! request.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::fan_out::{self, PEER, Plan, Replayed};
use super::measure::Spread;
use super::options::{LARGE, LARGE_AIOHTTP_RUNS, Options};
use super::scenarios::{KEY, NOW, Scenario, WarmUp};
use super::{Tools, procfs, report};
use xtask::sandbox::Sandbox;

/// Sandboxes started per size to measure start-up (the last one serves the fan-out).
pub const STARTS: usize = 3;
/// python-traceview is left out above this many apps (it makes one call at a time:
/// 15 s a run at 1,000 apps).
pub const PYTHON_MAX_APPS: usize = 200;

/// One size: the fan-out and the sandbox's figures.
#[derive(Debug, Clone)]
pub struct SizeRun {
    /// Apps in the sandbox.
    pub apps: usize,
    /// The fan-out.
    pub scenario: Scenario,
    /// The sandbox.
    pub sandbox: SandboxStats,
}

/// What a sandbox costs at a size.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SandboxStats {
    /// Spawn to its base URL on stdout (it prints it once listening), seconds, per start.
    pub ready_s: Vec<f64>,
    /// Spawn to the first `GET /apps` answered, seconds, per start.
    pub first_answer_s: Vec<f64>,
    /// `VmHWM` after every run of the fan-out, KiB.
    pub peak_rss_kib: Option<u64>,
    /// Its CPU over the ceiling's replays.
    pub replayed: Option<Replayed>,
}

impl SandboxStats {
    /// The median start-up (to the base URL).
    pub fn ready(&self) -> Option<Spread> {
        Spread::of(&self.ready_s)
    }

    /// The median time to the first answer.
    pub fn first_answer(&self) -> Option<Spread> {
        Spread::of(&self.first_answer_s)
    }
}

/// A sandbox serving `apps` apps with `extra` arguments, started `starts` times (all
/// but the last stopped at once) to time its start-up; the last one, its apps and the
/// start-up figures.
pub fn start(
    tools: &Tools,
    apps: usize,
    extra: &[&str],
    starts: usize,
    log: &str,
) -> Result<(Sandbox, Vec<String>, SandboxStats)> {
    let apps_arg = apps.to_string();
    let mut args = vec!["--apps", &apps_arg, "--now", NOW];
    args.extend_from_slice(extra);
    let mut stats = SandboxStats::default();
    let mut start_one = || -> Result<(Sandbox, Vec<String>)> {
        let spawned = Instant::now();
        let sandbox = Sandbox::start(&tools.sandbox_bin, &args, &tools.bench_dir.join(log))
            .with_context(|| format!("starting the {apps}-app sandbox"))?;
        let names = sandbox.apps(KEY, apps)?;
        stats.first_answer_s.push(spawned.elapsed().as_secs_f64());
        stats.ready_s.push(sandbox.ready_after.as_secs_f64());
        Ok((sandbox, names))
    };
    for _ in 1..starts {
        drop(start_one()?);
        // Let the stopped one release its port and memory before the next start.
        std::thread::sleep(Duration::from_millis(50));
    }
    let (sandbox, names) = start_one()?;
    Ok((sandbox, names, stats))
}

/// The fan-out at `apps` apps on a fresh sandbox. `python_pace`: seconds per app of the
/// python-traceview loop at 200 apps, to say how long it would take where it is left out.
pub fn size(
    tools: &Tools,
    options: &Options,
    apps: usize,
    python_pace: Option<f64>,
) -> Result<SizeRun> {
    eprintln!("bench: starting the {apps}-app sandbox ({STARTS} times, for its start-up)");
    let (sandbox, names, mut stats) =
        start(tools, apps, &[], STARTS, &format!("sandbox-{apps}.log"))?;
    let runs = options.runs_at(apps);
    eprintln!("bench: fan-out over {apps} apps, {runs} runs per contender");
    let setup = tools.setup(&sandbox, names);
    let plan = Plan {
        runs,
        latency: None,
        python: python_policy(apps, python_pace, runs),
        aiohttp_runs: (apps > LARGE).then_some(LARGE_AIOHTTP_RUNS),
        warm_up: if apps > LARGE {
            WarmUp::First
        } else {
            WarmUp::All
        },
    };
    let (scenario, replayed) = fan_out::fan_out(&setup, &plan)?;
    stats.replayed = replayed;
    stats.peak_rss_kib = procfs::peak_rss_kib(sandbox.pid()).ok();
    Ok(SizeRun {
        apps,
        scenario,
        sandbox: stats,
    })
}

/// Whether python-traceview runs at `apps` apps, and why not.
fn python_policy(apps: usize, pace: Option<f64>, runs: usize) -> Result<(), String> {
    if apps <= PYTHON_MAX_APPS {
        return Ok(());
    }
    let mut why = format!(
        "not run above {} apps (it makes one call at a time)",
        report::thousands(PYTHON_MAX_APPS as u64)
    );
    if let Some(pace) = pace {
        why.push_str(&format!(
            ": at its 200-app pace one run would take about {}, {} with the warm-up",
            report::duration(pace * apps as f64),
            report::duration(pace * apps as f64 * (runs + 1) as f64)
        ));
    }
    Err(why)
}

/// The python-traceview loop's seconds per app in a fan-out scenario.
pub fn python_pace(scenario: &Scenario, apps: usize) -> Option<f64> {
    let row = scenario.rows.iter().find(|r| r.contender == PEER)?;
    let walls: Vec<f64> = row.samples.iter().map(|s| s.wall.as_secs_f64()).collect();
    Some(Spread::of(&walls)?.median / apps.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_is_left_out_at_large_sizes_with_an_estimate() {
        assert_eq!(python_policy(200, None, 5), Ok(()));
        let why = python_policy(10_000, Some(0.004), 3).unwrap_err();
        assert!(why.contains("above 200 apps"), "{why}");
        assert!(
            why.contains("about 40.0 s, 160 s with the warm-up"),
            "{why}"
        );
        assert!(!python_policy(10_000, None, 3).unwrap_err().contains("pace"));
    }
}
