//! The process scenarios and what they share: contenders run several times,
//! alternating, after unmeasured warm-up runs; the one-shot scenario (the fan-outs are
//! in `fan_out`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail, ensure};
use serde_json::Value;

use super::aiohttp::AioPeer;
use super::measure::{self, Ending, Sample};
use super::python::Peer;
use xtask::sandbox::Sandbox;

/// The sandbox's frozen clock and the `--end` of the fan-out: 2024-01-03T12:00:00Z.
pub const NOW: &str = "2024-01-03T12:00:00Z";
pub(super) const NOW_EPOCH: i64 = 1_704_283_200;
/// The window of the fan-out (the default of `tv report`) and its length.
pub(super) const WINDOW: &str = "hour";
pub(super) const WINDOW_SECS: i64 = 3600;
/// The key the bench sandbox accepts.
pub const KEY: &str = "sandbox";

/// One contender's measured runs.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Who (`tv`, `curl`, `python-traceview 0.7.0`, `sandbox ceiling`).
    pub contender: String,
    /// What exactly ran.
    pub command: String,
    /// Whether the ratios of the scenario are relative to this contender.
    pub reference: bool,
    /// The apps in flight at once, when the contender was told (`--concurrency`).
    pub concurrency: Option<usize>,
    /// HTTP requests per run (fan-out).
    pub requests: Option<u64>,
    /// The runs.
    pub samples: Vec<Sample>,
}

/// A contender that could not run here.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// Who.
    pub contender: String,
    /// Why.
    pub reason: String,
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `one-shot` or `fan-out`.
    pub id: &'static str,
    /// A heading.
    pub title: String,
    /// Measured runs per contender.
    pub runs: usize,
    /// The contenders measured.
    pub rows: Vec<Measured>,
    /// The contenders skipped, with the reason.
    pub skipped: Vec<Skipped>,
}

/// What the scenarios need: binaries, the sandbox, the peer, where to put output.
pub struct Setup<'a> {
    /// The release `tv`.
    pub tv: &'a Path,
    /// The running sandbox.
    pub sandbox: &'a Sandbox,
    /// `curl`, when installed.
    pub curl: Option<PathBuf>,
    /// python-traceview, or why it is missing.
    pub peer: &'a Result<Peer, String>,
    /// The aiohttp fan-out, or why it is missing.
    pub aiohttp: &'a Result<AioPeer, String>,
    /// `target/bench/out`: stdout and stderr of the last run of each contender.
    pub out_dir: PathBuf,
    /// The sandbox's apps.
    pub apps: Vec<String>,
}

/// A contender: how to run it once and check what it printed.
pub(super) struct Entry<'s> {
    pub contender: String,
    pub command: String,
    pub reference: bool,
    pub concurrency: Option<usize>,
    /// Measured runs at most (the first rounds only): for contenders that take minutes.
    pub max_runs: Option<usize>,
    pub run: Box<dyn FnMut() -> Result<(Sample, Option<u64>)> + 's>,
}

/// Which contenders get an unmeasured run first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarmUp {
    /// Every one (page cache, Python's bytecode, the sandbox's memo).
    All,
    /// Only the first (it fills the sandbox's memo; for scenarios whose runs are long).
    First,
}

/// Runs the entries `warm_up` says once unmeasured, then `runs` rounds of all entries
/// in turn (an entry with `max_runs` only in that many first rounds).
pub(super) fn alternate(
    entries: Vec<Entry<'_>>,
    runs: usize,
    warm_up: WarmUp,
) -> Result<Vec<Measured>> {
    let mut entries = entries;
    let warmed = match warm_up {
        WarmUp::All => entries.len(),
        WarmUp::First => 1,
    };
    for entry in entries.iter_mut().take(warmed) {
        (entry.run)().with_context(|| format!("{} (warm-up)", entry.contender))?;
    }
    let mut measured: Vec<Measured> = entries
        .iter()
        .map(|e| Measured {
            contender: e.contender.clone(),
            command: e.command.clone(),
            reference: e.reference,
            concurrency: e.concurrency,
            requests: None,
            samples: Vec::with_capacity(runs),
        })
        .collect();
    for round in 0..runs {
        for (entry, measured) in entries.iter_mut().zip(&mut measured) {
            if entry.max_runs.is_some_and(|most| round >= most) {
                continue;
            }
            let (sample, requests) = (entry.run)().with_context(|| entry.contender.clone())?;
            measured.samples.push(sample);
            if measured.requests.is_some() && measured.requests != requests {
                bail!(
                    "{}: the request count changed between runs ({:?} then {:?})",
                    entry.contender,
                    measured.requests,
                    requests
                );
            }
            measured.requests = requests;
        }
    }
    Ok(measured)
}

/// A process contender: `program args…` with a clean environment, stdout and stderr
/// to files; `check` validates the output and may return the request count.
pub(super) fn process<'s>(
    setup: &Setup<'_>,
    contender: &str,
    file_stem: &str,
    program: &Path,
    args: Vec<String>,
    reference: bool,
    check: impl Fn(&[u8], &str) -> Result<Option<u64>> + 's,
) -> Entry<'s> {
    let stdout_path = setup.out_dir.join(format!("{file_stem}.stdout"));
    let stderr_path = setup.out_dir.join(format!("{file_stem}.stderr"));
    let config = setup.out_dir.join("no-such-tv-config.toml");
    let program = program.to_path_buf();
    let command = format!(
        "{} {}",
        program.file_name().map_or_else(
            || program.display().to_string(),
            |n| n.to_string_lossy().into_owned()
        ),
        args.join(" ")
    );
    let contender_name = contender.to_owned();
    let job = measure::Isolated {
        program,
        args,
        env: vec![
            ("TV_CONFIG".into(), config.display().to_string()),
            ("HOME".into(), "/nonexistent".into()),
        ],
        stdout: stdout_path.clone(),
        stderr: stderr_path.clone(),
    };
    let run = move || -> Result<(Sample, Option<u64>)> {
        let (sample, ending) = measure::run_isolated(&job)?;
        let out = std::fs::read(&stdout_path)?;
        let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        if ending != Ending::Exited(0) {
            let last = err.lines().rev().find(|l| !l.trim().is_empty());
            bail!(
                "{contender_name} ended with {ending}: {}",
                last.unwrap_or("(no stderr)")
            );
        }
        let requests = check(&out, &err)
            .with_context(|| format!("unexpected output (see {})", stdout_path.display()))?;
        Ok((sample, requests))
    };
    Entry {
        contender: contender.to_owned(),
        command,
        reference,
        concurrency: None,
        max_runs: None,
        run: Box::new(run),
    }
}

pub(super) fn json(stdout: &[u8]) -> Result<Value> {
    serde_json::from_slice(stdout).context("stdout is not JSON")
}

/// The app of the one-shot: `web-shop` when the world has it, else the first named app.
fn one_shot_app(apps: &[String]) -> Result<String> {
    apps.iter()
        .find(|a| a.as_str() == "web-shop")
        .or_else(|| apps.iter().find(|a| a.as_str() != "Default"))
        .or(apps.first())
        .cloned()
        .ok_or_else(|| anyhow!("the sandbox has no apps"))
}

/// `tv --output json latency summary APP` vs curl vs python-traceview.
pub fn one_shot(setup: &Setup<'_>, runs: usize) -> Result<Scenario> {
    let app = one_shot_app(&setup.apps)?;
    let base = &setup.sandbox.base_url;
    let mut entries = vec![process(
        setup,
        "tv",
        "one-shot-tv",
        setup.tv,
        strings(&[
            "--base-url",
            base,
            "--api-key",
            KEY,
            "--output",
            "json",
            "latency",
            "summary",
            &app,
        ]),
        false,
        |out, _| {
            let value = json(out)?;
            ensure!(
                value["summary"].get("count").is_some(),
                "no `summary.count` in {value}"
            );
            Ok(None)
        },
    )];
    let mut skipped = Vec::new();
    let url = format!(
        "{base}/latency/{}/server/summary?time_window=hour&key={KEY}",
        encode_segment(&app)
    );
    match &setup.curl {
        Some(curl) => entries.push(process(
            setup,
            "curl",
            "one-shot-curl",
            curl,
            strings(&["--silent", "--show-error", "--fail", "--noproxy", "*", &url]),
            true,
            |out, _| {
                let value = json(out)?;
                ensure!(value["response"] == "ok", "not an ok envelope: {value}");
                Ok(None)
            },
        )),
        None => skipped.push(Skipped {
            contender: "curl".into(),
            reason: "curl is not installed; ratios are against tv instead".into(),
        }),
    }
    match setup.peer {
        Ok(peer) => entries.push(process(
            setup,
            "python-traceview 0.7.0",
            "one-shot-python",
            &peer.python,
            vec![
                peer.one_shot.display().to_string(),
                base.clone(),
                KEY.into(),
                app.clone(),
            ],
            false,
            |out, _| {
                let value = json(out)?;
                ensure!(value.get("count").is_some(), "no `count` in {value}");
                Ok(None)
            },
        )),
        Err(reason) => skipped.push(Skipped {
            contender: "python-traceview 0.7.0".into(),
            reason: reason.clone(),
        }),
    }
    if setup.curl.is_none() {
        entries[0].reference = true;
    }
    Ok(Scenario {
        id: "one-shot",
        title: format!("one-shot: `latency summary {app}`, one request"),
        runs,
        rows: alternate(entries, runs, WarmUp::All)?,
        skipped,
    })
}

pub(super) fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

/// Percent-encodes a path segment (everything but RFC 3986's unreserved characters).
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::time::Duration;

    use super::*;

    fn counting<'s>(name: &str, calls: &'s Cell<usize>, max_runs: Option<usize>) -> Entry<'s> {
        Entry {
            contender: name.into(),
            command: name.into(),
            reference: false,
            concurrency: None,
            max_runs,
            run: Box::new(move || {
                calls.set(calls.get() + 1);
                let wall = Duration::from_millis(calls.get() as u64);
                Ok((
                    Sample {
                        wall,
                        max_rss_kib: None,
                    },
                    Some(7),
                ))
            }),
        }
    }

    #[test]
    fn rounds_alternate_with_warm_ups_and_caps() {
        let (a, b) = (Cell::new(0), Cell::new(0));
        let rows = alternate(
            vec![counting("a", &a, None), counting("b", &b, Some(1))],
            3,
            WarmUp::First,
        )
        .unwrap();
        // a: one warm-up and 3 runs; b: no warm-up and 1 run.
        assert_eq!((a.get(), b.get()), (4, 1));
        assert_eq!(rows[0].samples.len(), 3);
        assert_eq!(rows[0].samples[0].wall, Duration::from_millis(2));
        assert_eq!((rows[1].samples.len(), rows[1].requests), (1, Some(7)));
        let c = Cell::new(0);
        alternate(vec![counting("c", &c, None)], 2, WarmUp::All).unwrap();
        assert_eq!(c.get(), 3);
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(encode_segment("web-shop_1.x~"), "web-shop_1.x~");
        assert_eq!(encode_segment("a/b é"), "a%2Fb%20%C3%A9");
    }
}
