//! The fan-out scenarios: `tv report` over every app of a sandbox vs the aiohttp
//! fan-out vs the python-traceview loop vs the sandbox's ceiling (the same requests
//! replayed without decoding), all asking the same URLs.

use std::cell::Cell;
use std::sync::Arc;

use anyhow::{Result, anyhow, ensure};

use super::aiohttp::{self, AioPeer};
use super::measure::Sample;
use super::python::Peer;
use super::scenarios::{
    Entry, KEY, NOW, NOW_EPOCH, Scenario, Setup, Skipped, WINDOW, WINDOW_SECS, WarmUp, alternate,
    encode_segment, json, process, strings,
};
use super::{load, procfs};
use xtask::sandbox::Sandbox;

/// The name of python-traceview in the tables.
pub const PEER: &str = "python-traceview 0.7.0";
/// The name of the ceiling in the tables.
pub const CEILING: &str = "sandbox ceiling";
/// The concurrency the aiohttp fan-out is given (`tv report`'s default today).
pub const AIOHTTP_CONCURRENCY: usize = 8;

/// How to run one fan-out.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Measured runs per contender.
    pub runs: usize,
    /// The sandbox's `--latency`, if it has one (then there is no ceiling and tv is the
    /// reference).
    pub latency: Option<String>,
    /// `Err(why)`: leave python-traceview out.
    pub python: Result<(), String>,
    /// Measured runs of the aiohttp fan-out at most (it takes minutes at 10,000 apps).
    pub aiohttp_runs: Option<usize>,
    /// Which contenders warm up.
    pub warm_up: WarmUp,
}

/// The sandbox's CPU time over the ceiling's replays (warm-up included).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Replayed {
    /// Requests replayed.
    pub requests: u64,
    /// The sandbox's user + system CPU seconds meanwhile.
    pub cpu_seconds: f64,
}

impl Replayed {
    /// CPU seconds per request.
    pub fn per_request(&self) -> Option<f64> {
        (self.requests > 0).then(|| self.cpu_seconds / self.requests as f64)
    }
}

/// Runs one fan-out on `setup`'s sandbox; with no latency, also what the sandbox spent
/// per replayed request.
pub fn fan_out(setup: &Setup<'_>, plan: &Plan) -> Result<(Scenario, Option<Replayed>)> {
    let apps = setup.apps.len();
    let expected = 1 + 6 * apps as u64;
    let stem = match &plan.latency {
        Some(_) => format!("fan-out-{apps}-latency"),
        None => format!("fan-out-{apps}"),
    };
    let mut entries = vec![tv_report(setup, &format!("{stem}-tv"), None)];
    let mut skipped = Vec::new();
    match setup.aiohttp {
        Ok(peer) => {
            let mut entry =
                aiohttp_fan_out(setup, peer, &format!("{stem}-aiohttp"), AIOHTTP_CONCURRENCY);
            entry.max_runs = plan.aiohttp_runs;
            entries.push(entry);
        }
        Err(reason) => skipped.push(Skipped {
            contender: aiohttp::NAME.into(),
            reason: reason.clone(),
        }),
    }
    match (setup.peer, &plan.python) {
        (Ok(peer), Ok(())) => entries.push(python_loop(setup, peer, &format!("{stem}-python"))),
        (Err(reason), _) | (_, Err(reason)) => skipped.push(Skipped {
            contender: PEER.into(),
            reason: reason.clone(),
        }),
    }
    let tally = Cell::new(Replayed::default());
    if plan.latency.is_none() {
        entries.push(ceiling(setup, &tally));
    } else {
        entries[0].reference = true;
    }
    let title = match &plan.latency {
        Some(latency) => format!(
            "fan-out with {latency} added to every answer (as from a server nearby): \
             `report` over {apps} apps"
        ),
        None => format!(
            "fan-out: `report` over {apps} apps ({expected} requests: apps, then 6 per app)"
        ),
    };
    let rows = alternate(entries, plan.runs, plan.warm_up)?;
    let scenario = Scenario {
        id: if plan.latency.is_some() {
            "fan-out-latency"
        } else {
            "fan-out"
        },
        title,
        runs: plan.runs,
        rows,
        skipped,
    };
    Ok((scenario, plan.latency.is_none().then(|| tally.get())))
}

/// `tv --output json --timings report --end NOW [--concurrency N]`, checked for one row
/// per app, no failure, no retry and exactly the expected requests.
pub(super) fn tv_report<'s>(
    setup: &Setup<'_>,
    stem: &str,
    concurrency: Option<usize>,
) -> Entry<'s> {
    let apps = setup.apps.len();
    let expected = 1 + 6 * apps as u64;
    let mut args = strings(&[
        "--base-url",
        &setup.sandbox.base_url,
        "--api-key",
        KEY,
        "--output",
        "json",
        "--timings",
        "report",
        "--end",
        NOW,
    ]);
    if let Some(n) = concurrency {
        args.extend(["--concurrency".to_owned(), n.to_string()]);
    }
    let mut entry = process(setup, "tv", stem, setup.tv, args, false, move |out, err| {
        let value = json(out)?;
        let rows = value["apps"].as_array().map_or(0, Vec::len);
        let failed = value["failed"].as_array().map_or(0, Vec::len);
        ensure!(
            rows == apps && failed == 0,
            "{rows} rows and {failed} failures for {apps} apps"
        );
        let (requests, retries) =
            parse_timings(err).ok_or_else(|| anyhow!("no `timings:` line on stderr"))?;
        ensure!(
            retries == 0,
            "{retries} retries against a fault-free sandbox"
        );
        ensure!(
            requests == expected,
            "{requests} requests, expected {expected}"
        );
        Ok(Some(requests))
    });
    entry.concurrency = concurrency;
    entry
}

/// The aiohttp fan-out at `concurrency` apps in flight.
pub(super) fn aiohttp_fan_out<'s>(
    setup: &Setup<'_>,
    peer: &AioPeer,
    stem: &str,
    concurrency: usize,
) -> Entry<'s> {
    let apps = setup.apps.len();
    let expected = 1 + 6 * apps as u64;
    let mut entry = process(
        setup,
        aiohttp::NAME,
        stem,
        &peer.python,
        {
            let mut args = script_args(setup, &peer.script);
            args.push(concurrency.to_string());
            args
        },
        false,
        move |out, _| {
            let value = json(out)?;
            let rows = value["apps"].as_array().map_or(0, Vec::len);
            ensure!(rows == apps, "{rows} rows for {apps} apps");
            let requests = value["requests"]
                .as_u64()
                .ok_or_else(|| anyhow!("no request count"))?;
            ensure!(
                requests == expected,
                "{requests} requests, expected {expected}"
            );
            Ok(Some(requests))
        },
    );
    entry.concurrency = Some(concurrency);
    entry
}

/// The arguments both python fan-outs start with: the script, where the sandbox is, the
/// key, the window and the ends of the window and of the one before.
fn script_args(setup: &Setup<'_>, script: &std::path::Path) -> Vec<String> {
    vec![
        script.display().to_string(),
        setup.sandbox.base_url.clone(),
        KEY.into(),
        WINDOW.into(),
        NOW_EPOCH.to_string(),
        (NOW_EPOCH - WINDOW_SECS).to_string(),
    ]
}

/// The python-traceview loop: the same calls, one after the other.
fn python_loop<'s>(setup: &Setup<'_>, peer: &Peer, stem: &str) -> Entry<'s> {
    let apps = setup.apps.len();
    process(
        setup,
        PEER,
        stem,
        &peer.python,
        script_args(setup, &peer.fan_out),
        false,
        move |out, _| {
            let value = json(out)?;
            ensure!(value["apps"] == apps, "not every app: {value}");
            let requests = value["requests"]
                .as_u64()
                .ok_or_else(|| anyhow!("no request count: {value}"))?;
            Ok(Some(requests))
        },
    )
}

/// The same GETs replayed by the bench itself; adds the sandbox's CPU time meanwhile to `tally`.
fn ceiling<'s>(setup: &Setup<'s>, tally: &'s Cell<Replayed>) -> Entry<'s> {
    let sandbox: &'s Sandbox = setup.sandbox;
    let paths = Arc::new(report_paths(&sandbox.prefix, &setup.apps));
    let count = paths.len() as u64;
    Entry {
        contender: CEILING.into(),
        command: format!(
            "the same {count} GETs over {} keep-alive connections (in tv-bench)",
            load::CONNECTIONS
        ),
        reference: true,
        concurrency: None,
        max_runs: None,
        run: Box::new(move || {
            let before = procfs::CpuSnapshot::of(sandbox.pid())?;
            let wall = load::replay(sandbox.addr, &paths)?;
            let spent = before.seconds_until(&procfs::CpuSnapshot::of(sandbox.pid())?);
            let so_far = tally.get();
            tally.set(Replayed {
                requests: so_far.requests + count,
                cpu_seconds: so_far.cpu_seconds + spent,
            });
            Ok((
                Sample {
                    wall,
                    max_rss_kib: None,
                },
                Some(count),
            ))
        }),
    }
}

/// Parses `timings: N requests, M retries, …` from `tv --timings` stderr.
pub fn parse_timings(stderr: &str) -> Option<(u64, u64)> {
    let line = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("timings: "))?;
    let mut parts = line.split(", ");
    let requests = parts.next()?.strip_suffix(" requests")?.parse().ok()?;
    let retries = parts.next()?.strip_suffix(" retries")?.parse().ok()?;
    Some((requests, retries))
}

/// The requests of `tv report --end NOW` for `apps`, in the order a loop makes them.
pub fn report_paths(prefix: &str, apps: &[String]) -> Vec<String> {
    let end = NOW_EPOCH;
    let previous = NOW_EPOCH - WINDOW_SECS;
    let mut paths = vec![format!("{prefix}/apps?key={KEY}")];
    for app in apps {
        let app = encode_segment(app);
        let q = |end: i64| format!("time_end={end}&time_window={WINDOW}&key={KEY}");
        paths.push(format!("{prefix}/latency/{app}/server/summary?{}", q(end)));
        paths.push(format!(
            "{prefix}/latency/{app}/server/summary?{}",
            q(previous)
        ));
        paths.push(format!("{prefix}/latency/{app}/server/series?{}", q(end)));
        paths.push(format!("{prefix}/errors/{app}/rate?{}", q(end)));
        paths.push(format!("{prefix}/total_requests/{app}/summary?{}", q(end)));
        paths.push(format!("{prefix}/latency/{app}/server/by-layer?{}", q(end)));
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_are_parsed() {
        let stderr = "warning: x\ntimings: 1201 requests, 3 retries, 1.2s waited\n";
        assert_eq!(parse_timings(stderr), Some((1201, 3)));
        assert_eq!(parse_timings("timings: many requests"), None);
    }

    #[test]
    fn report_paths_match_the_calls_of_tv_report() {
        let paths = report_paths("/api-v2", &["a b".to_owned()]);
        assert_eq!(paths.len(), 7);
        assert_eq!(paths[0], "/api-v2/apps?key=sandbox");
        assert_eq!(
            paths[2],
            "/api-v2/latency/a%20b/server/summary?time_end=1704279600&time_window=hour&key=sandbox"
        );
        assert!(paths[6].starts_with("/api-v2/latency/a%20b/server/by-layer?time_end=1704283200"));
    }

    #[test]
    fn cpu_per_request() {
        let replayed = Replayed {
            requests: 4,
            cpu_seconds: 0.002,
        };
        assert_eq!(replayed.per_request(), Some(0.0005));
        assert_eq!(Replayed::default().per_request(), None);
    }
}
