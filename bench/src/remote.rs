//! The remote-server scenarios: a sandbox that holds every answer 20 ms or 100 ms (as
//! a server across a network would), `tv report` over 200 apps at several
//! `--concurrency` values and at its default, and the aiohttp fan-out at 8.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, anyhow};

use super::Tools;
use super::fan_out::{self, AIOHTTP_CONCURRENCY};
use super::options::parse_latency;
use super::scale;
use super::scenarios::{Scenario, Skipped, WarmUp, alternate};

/// Apps of the remote sandbox.
pub const APPS: usize = 200;
/// The `--concurrency` values tried.
pub const CONCURRENCIES: [usize; 5] = [1, 8, 16, 32, 64];

/// One delay: the wall times of every client.
#[derive(Debug, Clone)]
pub struct RemoteRun {
    /// The sandbox's `--latency`, as given.
    pub latency: String,
    /// The same, in seconds.
    pub latency_s: f64,
    /// Apps of the sandbox.
    pub apps: usize,
    /// What `tv report --help` gives as the default `--concurrency`, when a number.
    pub default_concurrency: Option<usize>,
    /// The clients: tv at its default (`concurrency: None`), tv at each of
    /// [`CONCURRENCIES`], aiohttp at 8.
    pub scenario: Scenario,
}

/// The least wall time a client can take at `concurrency` apps in flight when every
/// answer takes `latency_s`: the apps call, then one round per `concurrency` apps (an
/// app's six calls go out together).
pub fn latency_bound(apps: usize, concurrency: usize, latency_s: f64) -> f64 {
    (1 + apps.div_ceil(concurrency.max(1))) as f64 * latency_s
}

/// Runs the clients against a sandbox with `--latency latency`.
pub fn run(tools: &Tools, latency: &str, runs: usize) -> Result<RemoteRun> {
    let latency_s = parse_latency(latency).ok_or_else(|| anyhow!("not a latency: {latency:?}"))?;
    eprintln!("bench: remote server: {APPS} apps, {latency} per answer, {runs} runs per client");
    // `--concurrency 64` has 384 requests in flight, and hyper may open a few more
    // connections than that (a connect it started is kept when another connection
    // frees up first): past the sandbox's default cap of 512, the odd one was refused
    // with a 503 and retried, which this scenario is not about. It measures the
    // clients against a distant server, so the cap is raised out of the way.
    let (sandbox, names, _) = scale::start(
        tools,
        APPS,
        &["--latency", latency, "--max-connections", "4096"],
        1,
        &format!("sandbox-remote-{latency}.log"),
    )?;
    let setup = tools.setup(&sandbox, names);
    let stem = format!("remote-{latency}");
    let mut entries = vec![fan_out::tv_report(
        &setup,
        &format!("{stem}-tv-default"),
        None,
    )];
    for c in CONCURRENCIES {
        entries.push(fan_out::tv_report(
            &setup,
            &format!("{stem}-tv-{c}"),
            Some(c),
        ));
    }
    let mut skipped = Vec::new();
    match setup.aiohttp {
        Ok(peer) => entries.push(fan_out::aiohttp_fan_out(
            &setup,
            peer,
            &format!("{stem}-aiohttp"),
            AIOHTTP_CONCURRENCY,
        )),
        Err(reason) => skipped.push(Skipped {
            contender: super::aiohttp::NAME.into(),
            reason: reason.clone(),
        }),
    }
    entries[0].reference = true;
    let rows = alternate(entries, runs, WarmUp::First)?;
    Ok(RemoteRun {
        latency: latency.to_owned(),
        latency_s,
        apps: APPS,
        default_concurrency: default_concurrency(&tools.tv),
        scenario: Scenario {
            id: "remote",
            title: format!("remote server: {latency} per answer, `report` over {APPS} apps"),
            runs,
            rows,
            skipped,
        },
    })
}

/// `tv report`'s default `--concurrency`, from its `--help`.
fn default_concurrency(tv: &Path) -> Option<usize> {
    let output = Command::new(tv).args(["report", "--help"]).output().ok()?;
    parse_default_concurrency(&String::from_utf8_lossy(&output.stdout))
}

/// The number in the first `[default: N]` after `--concurrency` in a clap help text.
fn parse_default_concurrency(help: &str) -> Option<usize> {
    let (_, after) = help.split_once("--concurrency")?;
    // Only within this option's own paragraph: up to the next option.
    let own = after.split("\n      --").next().unwrap_or(after);
    let (_, default) = own.split_once("[default: ")?;
    default.split(']').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_count_the_rounds_of_apps() {
        assert!((latency_bound(200, 8, 0.02) - 0.52).abs() < 1e-9);
        assert!((latency_bound(200, 1, 0.1) - 20.1).abs() < 1e-9);
        assert!((latency_bound(200, 64, 0.1) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn the_default_concurrency_is_read_from_the_help() {
        let help = "      --end <TIME>\n          End [default: now]\n\n      \
                    --concurrency <CONCURRENCY>\n          How many apps to query at once\n\
                    \n          [default: 8]\n\n      --plot <FILE>\n";
        assert_eq!(parse_default_concurrency(help), Some(8));
        let adaptive = "      --concurrency <N>\n          At once [default: adaptive]\n\
                        \n      --top <N>\n          [default: 3]\n";
        assert_eq!(parse_default_concurrency(adaptive), None);
        let none = "      --concurrency <N>\n          At once\n\n      --top <N>\n          [default: 3]\n";
        assert_eq!(parse_default_concurrency(none), None);
    }
}
