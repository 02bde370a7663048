//! `cargo xtask bench`: tv side by side with its peers, on one machine, in one run.
//!
//! ```text
//! cargo xtask bench [--runs N] [--fan-out-runs N] [--no-cargo-bench]
//! ```
//!
//! 1. Builds the release `tv` and `tv-sandbox` and starts the sandbox (200 apps, frozen
//!    clock) on a free loopback port.
//! 2. **one-shot**: `tv --output json latency summary APP` vs `curl` fetching the same
//!    URL (the reference: one process, one request) vs python-traceview 0.7.0.
//! 3. **fan-out**: `tv --output json report` vs a python-traceview loop making the same
//!    1 + 6 × 200 calls vs the sandbox's ceiling (the same requests replayed over
//!    keep-alive connections by the leanest possible client; the reference).
//! 4. **decode**: tv-client's criterion bench; **sandbox**: the sandbox's `http` bench.
//!
//! Contenders alternate within each round. Markdown goes to stdout (and
//! `target/bench/results.md`), JSON to `target/bench/results.json`, each contender's
//! last stdout/stderr to `target/bench/out/`. xtask links none of our crates: everything
//! is driven through processes and loopback HTTP.

mod cargo_benches;
mod load;
mod measure;
pub(crate) mod python;
mod report;
pub(crate) mod sandbox;
mod scenarios;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

pub use measure::child;
use report::Machine;
pub use report::{Report, Target};

/// Apps in the bench sandbox (`Default` included).
const APPS: usize = 200;
/// The delay the second fan-out's sandbox adds to every answer.
const LATENCY: &str = "2ms";

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Measured runs per contender of the one-shot scenario.
    pub runs: usize,
    /// Measured runs per contender of the fan-out scenario.
    pub fan_out_runs: usize,
    /// Also run the criterion decode bench and the sandbox's http bench.
    pub cargo_benches: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runs: 11,
            fan_out_runs: 5,
            cargo_benches: true,
        }
    }
}

impl Options {
    /// Parses `[--runs N] [--fan-out-runs N] [--no-cargo-bench]`.
    pub fn parse(args: &[&str]) -> Result<Options> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut count = |name: &str| -> Result<usize> {
                let value = args
                    .next()
                    .ok_or_else(|| anyhow!("{name} needs a number"))?;
                match value.parse::<usize>() {
                    Ok(n) if (1..=1000).contains(&n) => Ok(n),
                    _ => bail!("{name} must be a number from 1 to 1000, not {value:?}"),
                }
            };
            match *arg {
                "--runs" => options.runs = count("--runs")?,
                "--fan-out-runs" => options.fan_out_runs = count("--fan-out-runs")?,
                "--no-cargo-bench" => options.cargo_benches = false,
                other => bail!("unknown option {other:?}"),
            }
        }
        Ok(options)
    }
}

/// Runs the benches and prints the Markdown report.
pub fn run(root: &Path, options: &Options, command_line: &str) -> Result<Report> {
    let target_dir = target_dir(root)?;
    let bench_dir = target_dir.join("bench");
    let out_dir = bench_dir.join("out");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;

    eprintln!("bench: building the release tv and tv-sandbox");
    let binaries = build_release(root)?;
    let tv = binary(&binaries, "tv")?;
    let sandbox_bin = binary(&binaries, "tv-sandbox")?;

    let mut report = Report {
        command: command_line.to_owned(),
        machine: machine(),
        ..Report::default()
    };

    let curl = python::which("curl");
    let peer = python::prepare(&bench_dir).map_err(|e| format!("{e:#}"));
    if let Err(why) = &peer {
        eprintln!("bench: python-traceview skipped: {why}");
    }

    {
        eprintln!("bench: starting the sandbox ({APPS} apps)");
        let apps_arg = APPS.to_string();
        let sandbox = sandbox::Sandbox::start(
            &sandbox_bin,
            &["--apps", &apps_arg, "--now", scenarios::NOW],
            &bench_dir.join("sandbox.log"),
        )?;
        let apps = list_apps(&sandbox)?;
        let setup = scenarios::Setup {
            tv: &tv,
            sandbox: &sandbox,
            curl,
            peer: &peer,
            out_dir: out_dir.clone(),
            apps,
        };
        eprintln!("bench: one-shot, {} runs per contender", options.runs);
        let one_shot = scenarios::one_shot(&setup, options.runs)?;
        eprintln!(
            "bench: fan-out, {} runs per contender",
            options.fan_out_runs
        );
        let fan_out = scenarios::fan_out(&setup, options.fan_out_runs, None)?;
        report.scenarios = vec![one_shot, fan_out];
        // The sandbox stops here.
    }
    {
        eprintln!("bench: fan-out against a sandbox adding {LATENCY} to every answer");
        let apps_arg = APPS.to_string();
        let sandbox = sandbox::Sandbox::start(
            &sandbox_bin,
            &[
                "--apps",
                &apps_arg,
                "--now",
                scenarios::NOW,
                "--latency",
                LATENCY,
            ],
            &bench_dir.join("sandbox-latency.log"),
        )?;
        let setup = scenarios::Setup {
            tv: &tv,
            sandbox: &sandbox,
            curl: None,
            peer: &peer,
            out_dir: out_dir.clone(),
            apps: list_apps(&sandbox)?,
        };
        let slow = scenarios::fan_out(&setup, options.fan_out_runs, Some(LATENCY))?;
        report.scenarios.push(slow);
    }
    // The floor of the RSS figures: `true`, run through the same helper.
    let floor = python::which("true").and_then(|program| {
        let job = measure::Isolated {
            program,
            args: Vec::new(),
            env: Vec::new(),
            stdout: out_dir.join("true.stdout"),
            stderr: out_dir.join("true.stderr"),
        };
        measure::run_isolated(&job).ok()?.0.max_rss_kib
    });
    for scenario in &mut report.scenarios {
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

    report.notes = notes(&report, &peer, floor);
    let markdown = report::markdown(&report);
    std::fs::write(bench_dir.join("results.md"), &markdown)?;
    let json = serde_json::to_string_pretty(&report::to_json(&report))?;
    std::fs::write(bench_dir.join("results.json"), json + "\n")?;
    println!("{markdown}");
    eprintln!(
        "bench: wrote {} and {}",
        bench_dir.join("results.md").display(),
        bench_dir.join("results.json").display()
    );
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

fn notes(report: &Report, peer: &Result<python::Peer, String>, floor: Option<u64>) -> Vec<String> {
    let lowest = report
        .scenarios
        .iter()
        .flat_map(|s| &s.rows)
        .flat_map(|r| &r.samples)
        .filter_map(|s| s.max_rss_kib)
        .min();
    let floor = match (floor, lowest) {
        (Some(floor), Some(lowest)) if floor < lowest => format!(
            "; the spawner's floor (`true` measured the same way) was {}, below every figure",
            report::megabytes(floor)
        ),
        (Some(floor), _) => format!(
            "; **the spawner's floor (`true` measured the same way) was {}: figures at or \
             below it are the floor, not the contender**",
            report::megabytes(floor)
        ),
        (None, _) => String::new(),
    };
    let mut notes = vec![format!(
        "Wall time: from spawning the process to reaping it. Peak RSS: the child's own \
         `ru_maxrss` from `wait4(2)`, highest of the runs (Linux counts the parent's \
         high-water mark into a child's across `exec`{floor})."
    )];
    notes.extend([
        format!(
            "Sandbox: release `tv-sandbox --apps {APPS} --now {}` on 127.0.0.1, answering \
             repeated queries from its memo; every contender asks the same URLs.",
            scenarios::NOW
        ),
        format!(
            "Ceiling: the fan-out's {} GETs replayed by xtask over {} keep-alive HTTP/1.1 \
             connections (threads, no parsing). \"Half the ceiling\" compares tv's requests/s \
             (its requests ÷ its whole wall time, process start and output included) with the \
             ceiling's.",
            report
                .scenarios
                .iter()
                .find(|s| s.id == "fan-out")
                .and_then(|s| s.rows.first())
                .and_then(|r| r.requests)
                .unwrap_or(0),
            load::CONNECTIONS
        ),
    ]);
    notes.push(format!(
        "Fan-out with {LATENCY}: a second sandbox holds every answer {LATENCY} \
         (`--latency {LATENCY}`), a server next door rather than on the same cores; the \
         targets are judged on the fan-out without it."
    ));
    match peer {
        Ok(peer) => notes.push(format!(
            "python-traceview 0.7.0 (`pip install --no-deps`) with {}; it opens a new \
             connection per call (module-level `requests.get`) and does no math. Its \
             `error_rates()` drops its filters, so the loop calls `errors/{{app}}/rate` \
             through its `Api.get` to ask the same as tv.",
            peer.versions
        )),
        Err(why) => notes.push(format!("python-traceview not measured: {why}")),
    }
    notes
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
    build_binaries(root, true)
}

/// Builds `tv` and `tv-sandbox` (release or debug); returns (name, path) of each
/// executable built.
pub(crate) fn build_binaries(root: &Path, release: bool) -> Result<Vec<(String, PathBuf)>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .arg("build")
        .args(release.then_some("--release"))
        .args([
            "-p",
            "tv-cli",
            "-p",
            "tv-sandbox",
            "--bins",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot run cargo build")?;
    if !output.status.success() {
        bail!("cargo build failed ({})", output.status);
    }
    let mut binaries = Vec::new();
    for line in output.stdout.split(|&b| b == b'\n') {
        let Ok(message) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        if message["reason"] == "compiler-artifact"
            && let (Some(name), Some(exe)) = (
                message["target"]["name"].as_str(),
                message["executable"].as_str(),
            )
        {
            binaries.push((name.to_owned(), PathBuf::from(exe)));
        }
    }
    Ok(binaries)
}

pub(crate) fn binary(binaries: &[(String, PathBuf)], name: &str) -> Result<PathBuf> {
    binaries
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, path)| path.clone())
        .ok_or_else(|| anyhow!("cargo build produced no `{name}` binary"))
}

fn list_apps(sandbox: &sandbox::Sandbox) -> Result<Vec<String>> {
    let body = sandbox.get(&format!("/apps?key={}", scenarios::KEY))?;
    let value: Value = serde_json::from_slice(&body).context("the apps answer is not JSON")?;
    let apps: Vec<String> = value["data"]
        .as_array()
        .ok_or_else(|| anyhow!("the apps answer has no data array"))?
        .iter()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect();
    if apps.len() != APPS {
        bail!("the sandbox lists {} apps, expected {APPS}", apps.len());
    }
    Ok(apps)
}

/// CPU, cores, memory, kernel, compiler and date of this run.
fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or_else(|| "unknown CPU".to_owned(), |(_, v)| v.trim().to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or_else(
            || "unknown memory".to_owned(),
            |kib| format!("{:.0} GB RAM", kib as f64 * 1024.0 / 1e9),
        );
    let os = std::fs::read_to_string("/proc/sys/kernel/osrelease").map_or_else(
        |_| std::env::consts::OS.to_owned(),
        |r| format!("Linux {}", r.trim()),
    );
    let rustc = Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory,
        os,
        rustc,
        date: today(),
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (H. Hinnant's `civil_from_days`).
fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        assert_eq!(Options::parse(&[]).unwrap(), Options::default());
        let o = Options::parse(&["--runs", "3", "--no-cargo-bench"]).unwrap();
        assert_eq!((o.runs, o.fan_out_runs, o.cargo_benches), (3, 5, false));
        assert!(Options::parse(&["--runs"]).is_err());
        assert!(Options::parse(&["--runs", "0"]).is_err());
        assert!(Options::parse(&["--fast"]).is_err());
    }

    #[test]
    fn commands_are_shown_without_ports_and_absolute_paths() {
        let command = "python /w/target/bench/py/x.py http://127.0.0.1:4242/api-v2 k \
                       http://127.0.0.1:4242/api-v2/apps?key=k";
        assert_eq!(
            portable(command, Path::new("/w")),
            "python target/bench/py/x.py $URL k $URL/apps?key=k"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_725), "2024-01-03");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}
