//! `cargo xtask bench`: tv side by side with its peers, on one machine, in one run.
//!
//! ```text
//! cargo xtask bench [--quick] [--runs N] [--fan-out-runs N] [--sizes N,N,…]
//!                   [--latencies D,D,…] [--no-cargo-bench] [--write-readme]
//! cargo xtask bench-readme [FILE]
//! ```
//!
//! The crate `tv-bench` (`bench/`): a workspace member outside `default-members`, so
//! `cargo build` and `cargo test` at the root leave it out (`--workspace` includes it; its
//! unit tests are pure and take milliseconds). `cargo xtask bench …` forwards to
//! `cargo run -p tv-bench -- bench …` (a debug build, as when the bench lived in xtask);
//! xtask itself does not depend on this crate. From xtask's library it takes what the
//! spec checks share: the sandbox child ([`xtask::sandbox`]), the python venvs
//! ([`xtask::python`]) and the builds of `tv` and `tv-sandbox` ([`xtask::binaries`]).
//!
//! 1. Builds the release `tv` and `tv-sandbox`, sets up the peers (python-traceview
//!    0.7.0 and an asyncio/aiohttp fan-out, each in a venv under `target/bench`) and
//!    starts the sandbox (200 apps, frozen clock) on a free loopback port.
//! 2. **one-shot**: `tv --output json latency summary APP` vs `curl` fetching the same
//!    URL (the reference: one process, one request) vs python-traceview.
//! 3. **fan-out**: `tv --output json report` vs the aiohttp fan-out vs a python-traceview
//!    loop making the same 1 + 6 × 200 calls vs the sandbox's ceiling (the same requests
//!    replayed over keep-alive connections by the leanest possible client; the
//!    reference); then again against a sandbox adding 2 ms to every answer.
//! 4. **at scale** (`--sizes`, default 10, 1,000, 10,000 apps): the same fan-out on a
//!    fresh sandbox per size (python-traceview only up to 1,000 apps), and the sandbox's
//!    start-up time, peak RSS and CPU per request.
//! 5. **remote server** (`--latencies`, default 20ms, 100ms): `tv report` over 200 apps
//!    at `--concurrency` 1, 8, 16, 32, 64 and its default, and aiohttp at 8.
//! 6. **decode**: tv-client's criterion bench; **sandbox**: the sandbox's `http` bench.
//!
//! Contenders alternate within each round; tables show medians. Markdown goes to stdout
//! and `target/bench/results.md` (`--write-readme` also puts it into the README's
//! Performance section, between its markers), JSON to `target/bench/results.json`, each
//! contender's last stdout/stderr to `target/bench/out/`. The bench links none of our
//! crates: everything is driven through processes and loopback HTTP.

mod aiohttp;
mod cargo_benches;
mod fan_out;
mod load;
mod machine;
mod measure;
mod notes;
mod options;
mod procfs;
mod python;
pub mod readme;
mod remote;
mod report;
mod scale;
mod scenarios;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use xtask::binaries::{self, binary};
use xtask::sandbox;

pub use measure::child;
pub use options::{Options, USAGE};
pub use report::{Report, Target};

/// Apps in the sandbox of the one-shot and the first fan-outs (`Default` included).
const APPS: usize = 200;
/// The delay the second fan-out's sandbox adds to every answer.
const LATENCY: &str = "2ms";

/// What every scenario runs: the binaries, the peers, where output goes.
pub struct Tools {
    /// The release `tv`.
    pub tv: PathBuf,
    /// The release `tv-sandbox`.
    pub sandbox_bin: PathBuf,
    /// `curl`, when installed.
    pub curl: Option<PathBuf>,
    /// python-traceview, or why it is missing.
    pub peer: Result<python::Peer, String>,
    /// The aiohttp fan-out, or why it is missing.
    pub aiohttp: Result<aiohttp::AioPeer, String>,
    /// `target/bench`.
    pub bench_dir: PathBuf,
    /// `target/bench/out`.
    pub out_dir: PathBuf,
}

impl Tools {
    /// The scenarios' view of the tools against one sandbox serving `apps`.
    fn setup<'a>(
        &'a self,
        sandbox: &'a sandbox::Sandbox,
        apps: Vec<String>,
    ) -> scenarios::Setup<'a> {
        scenarios::Setup {
            tv: &self.tv,
            sandbox,
            curl: self.curl.clone(),
            peer: &self.peer,
            aiohttp: &self.aiohttp,
            out_dir: self.out_dir.clone(),
            apps,
        }
    }
}

/// Runs the benches and prints the Markdown report.
pub fn run(root: &Path, options: &Options, command_line: &str) -> Result<Report> {
    let started = Instant::now();
    let target_dir = target_dir(root)?;
    let bench_dir = target_dir.join("bench");
    let out_dir = bench_dir.join("out");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;

    eprintln!("bench: building the release tv and tv-sandbox");
    let binaries = build_release(root)?;
    let tools = Tools {
        tv: binary(&binaries, "tv")?,
        sandbox_bin: binary(&binaries, "tv-sandbox")?,
        curl: xtask::python::which("curl"),
        peer: python::prepare(&bench_dir).map_err(|e| format!("{e:#}")),
        aiohttp: aiohttp::prepare(&bench_dir).map_err(|e| format!("{e:#}")),
        bench_dir: bench_dir.clone(),
        out_dir: out_dir.clone(),
    };
    if let Err(why) = &tools.peer {
        eprintln!("bench: python-traceview skipped: {why}");
    }
    if let Err(why) = &tools.aiohttp {
        eprintln!("bench: aiohttp skipped: {why}");
    }

    let mut report = Report {
        command: command_line.to_owned(),
        machine: machine::machine(),
        ..Report::default()
    };

    {
        eprintln!("bench: starting the sandbox ({APPS} apps)");
        let (sandbox, apps, mut stats) =
            scale::start(&tools, APPS, &[], scale::STARTS, "sandbox.log")?;
        let setup = tools.setup(&sandbox, apps);
        eprintln!("bench: one-shot, {} runs per contender", options.runs);
        let one_shot = scenarios::one_shot(&setup, options.runs)?;
        eprintln!(
            "bench: fan-out, {} runs per contender",
            options.fan_out_runs
        );
        let plan = fan_out::Plan {
            runs: options.fan_out_runs,
            latency: None,
            python: Ok(()),
            aiohttp_runs: None,
            warm_up: scenarios::WarmUp::All,
        };
        let (fan_out, replayed) = fan_out::fan_out(&setup, &plan)?;
        stats.replayed = replayed;
        stats.peak_rss_kib = procfs::peak_rss_kib(sandbox.pid()).ok();
        report.scale.push(scale::SizeRun {
            apps: APPS,
            scenario: fan_out.clone(),
            sandbox: stats,
        });
        report.scenarios = vec![one_shot, fan_out];
        // The sandbox stops here.
    }
    {
        eprintln!("bench: fan-out against a sandbox adding {LATENCY} to every answer");
        let (sandbox, apps, _) = scale::start(
            &tools,
            APPS,
            &["--latency", LATENCY],
            1,
            "sandbox-latency.log",
        )?;
        let setup = tools.setup(&sandbox, apps);
        let plan = fan_out::Plan {
            runs: options.fan_out_runs,
            latency: Some(LATENCY.into()),
            python: Ok(()),
            aiohttp_runs: None,
            warm_up: scenarios::WarmUp::All,
        };
        let (slow, _) = fan_out::fan_out(&setup, &plan)?;
        report.scenarios.push(slow);
    }
    let pace = report
        .scenarios
        .iter()
        .find(|s| s.id == "fan-out")
        .and_then(|s| scale::python_pace(s, APPS));
    for &apps in options.sizes.iter().filter(|&&n| n != APPS) {
        report.scale.push(scale::size(&tools, options, apps, pace)?);
    }
    report.scale.sort_by_key(|s| s.apps);
    for latency in &options.latencies {
        report
            .remote
            .push(remote::run(&tools, latency, options.remote_runs())?);
    }

    // The floor of the RSS figures: `true`, run through the same helper.
    let floor = xtask::python::which("true").and_then(|program| {
        let job = measure::Isolated {
            program,
            args: Vec::new(),
            env: Vec::new(),
            stdout: out_dir.join("true.stdout"),
            stderr: out_dir.join("true.stderr"),
        };
        measure::run_isolated(&job).ok()?.0.max_rss_kib
    });
    let scenarios = report
        .scenarios
        .iter_mut()
        .chain(report.scale.iter_mut().map(|s| &mut s.scenario))
        .chain(report.remote.iter_mut().map(|r| &mut r.scenario));
    for scenario in scenarios {
        for row in &mut scenario.rows {
            row.command = portable(&row.command, root);
        }
    }

    if options.cargo_benches {
        eprintln!("bench: criterion decode bench of tv-client (about a minute)");
        report.decode = Some(
            cargo_benches::decode(root, &target_dir, &bench_dir.join("decode.log"))
                .map_err(|e| format!("{e:#}")),
        );
        eprintln!("bench: the sandbox's http bench (about a minute)");
        report.sandbox = Some(
            cargo_benches::sandbox_http(root, &bench_dir.join("sandbox-http.log"))
                .map_err(|e| format!("{e:#}")),
        );
    }

    let total_s = started.elapsed().as_secs_f64();
    report.notes = notes::notes(&report, &tools, floor, total_s);
    let markdown = report::markdown(&report);
    let results = bench_dir.join("results.md");
    std::fs::write(&results, &markdown)?;
    let json = serde_json::to_string_pretty(&report::to_json(&report))?;
    std::fs::write(bench_dir.join("results.json"), json + "\n")?;
    println!("{markdown}");
    eprintln!(
        "bench: wrote {} and {} ({} in all)",
        results.display(),
        bench_dir.join("results.json").display(),
        report::duration(total_s)
    );
    if options.write_readme {
        readme::write(root, &markdown)?;
    }
    Ok(report)
}

/// A command as the report shows it: the sandbox's base URL (its port changes every
/// run) as `$URL`, paths relative to the workspace.
fn portable(command: &str, root: &Path) -> String {
    let root = format!("{}/", root.display());
    command
        .split(' ')
        .map(|word| match word.find("/api-v2") {
            Some(end) if word.starts_with("http://127.0.0.1:") => {
                format!("$URL{}", &word[end + "/api-v2".len()..])
            }
            _ => word.replace(&root, ""),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `cargo metadata`'s target directory (honours `CARGO_TARGET_DIR`).
fn target_dir(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let value: Value = serde_json::from_slice(&output.stdout)?;
    value["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| anyhow!("cargo metadata has no target_directory"))
}

/// Builds the release binaries; returns (name, path) of each executable built.
fn build_release(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    binaries::build_binaries(root, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_shown_without_ports_and_absolute_paths() {
        let command = "python /w/target/bench/py/x.py http://127.0.0.1:4242/api-v2 k \
                       http://127.0.0.1:4242/api-v2/apps?key=k";
        assert_eq!(
            portable(command, Path::new("/w")),
            "python target/bench/py/x.py $URL k $URL/apps?key=k"
        );
    }
}
