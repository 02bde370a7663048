//! The bench report: Markdown for people (stdout, README) and JSON for tools
//! (`target/bench/results.json`), with the targets of the issue checked.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::cargo_benches::{Estimate, Throughput};
use super::fan_out::PEER;
use super::measure::Spread;
use super::remote::RemoteRun;
use super::scale::SizeRun;
use super::scenarios::{Measured, Scenario};

mod scale;

/// Where and when the bench ran.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// CPU model.
    pub cpu: String,
    /// Logical cores available.
    pub cores: usize,
    /// Memory, e.g. `24 GB`.
    pub memory: String,
    /// Kernel.
    pub os: String,
    /// `rustc -V`.
    pub rustc: String,
    /// Date (UTC) of the run.
    pub date: String,
}

/// Everything measured by one `cargo xtask bench`.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The command line.
    pub command: String,
    /// The machine.
    pub machine: Machine,
    /// One-shot and fan-out.
    pub scenarios: Vec<Scenario>,
    /// The fan-out at each size (200 apps included), with the sandbox's figures.
    pub scale: Vec<SizeRun>,
    /// The remote-server scenarios, one per delay.
    pub remote: Vec<RemoteRun>,
    /// Criterion medians of tv-client's decode bench (`Err`: skipped or failed, why).
    pub decode: Option<Result<Vec<Estimate>, String>>,
    /// The sandbox's http bench: its set-up line and table.
    pub sandbox: Option<Result<(String, Vec<Throughput>), String>>,
    /// Method notes.
    pub notes: Vec<String>,
}

/// One target of the issue and whether it was met.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// What is asked.
    pub goal: String,
    /// What was measured.
    pub measured: String,
    /// `None` when it could not be measured.
    pub met: Option<bool>,
}

/// Human duration with 3 significant digits: `413 ns`, `9.73 µs`, `6.52 ms`, `1.23 s`.
pub fn duration(secs: f64) -> String {
    let (value, unit) = if secs >= 1.0 {
        (secs, "s")
    } else if secs >= 1e-3 {
        (secs * 1e3, "ms")
    } else if secs >= 1e-6 {
        (secs * 1e6, "µs")
    } else {
        (secs * 1e9, "ns")
    };
    format!("{} {unit}", significant(value))
}

/// 3 significant digits, without a trailing `.0`.
fn significant(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// KiB as decimal megabytes: `9.76 MB`.
pub fn megabytes(kib: u64) -> String {
    format!("{} MB", significant(kib as f64 * 1024.0 / 1e6))
}

/// A ratio: `0.89×`, `1.50×`, `42.3×`.
pub fn ratio(r: f64) -> String {
    format!("{}×", significant(r))
}

/// `1 run`, `5 runs`.
pub fn runs(n: usize) -> String {
    if n == 1 {
        "1 run".into()
    } else {
        format!("{n} runs")
    }
}

/// A count with thin separators: `10,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Requests per second: `15.2k/s`, `950/s`.
pub fn rate(per_second: f64) -> String {
    if per_second >= 1000.0 {
        format!("{}k/s", significant(per_second / 1000.0))
    } else {
        format!("{per_second:.0}/s")
    }
}

pub(super) fn wall(row: &Measured) -> Option<Spread> {
    let secs: Vec<f64> = row.samples.iter().map(|s| s.wall.as_secs_f64()).collect();
    Spread::of(&secs)
}

pub(super) fn peak_rss_kib(row: &Measured) -> Option<u64> {
    row.samples.iter().filter_map(|s| s.max_rss_kib).max()
}

pub(super) fn per_second(row: &Measured) -> Option<f64> {
    Some(row.requests? as f64 / wall(row)?.median)
}

pub(super) fn reference(scenario: &Scenario) -> Option<&Measured> {
    scenario.rows.iter().find(|r| r.reference)
}

pub(super) fn row<'a>(scenario: &'a Scenario, contender: &str) -> Option<&'a Measured> {
    scenario.rows.iter().find(|r| r.contender == contender)
}

fn scenario<'a>(report: &'a Report, id: &str) -> Option<&'a Scenario> {
    report.scenarios.iter().find(|s| s.id == id)
}

/// The targets of the issue, checked against the report.
pub fn targets(report: &Report) -> Vec<Target> {
    let median = |s: Option<&Scenario>, who: &str| s.and_then(|s| row(s, who)).and_then(wall);
    let one_shot = scenario(report, "one-shot");
    let fan_out = scenario(report, "fan-out");
    let mut targets = Vec::new();

    let (tv, curl) = (median(one_shot, "tv"), median(one_shot, "curl"));
    targets.push(match (tv, curl) {
        (Some(tv), Some(curl)) => Target {
            goal: "one-shot within 1.5× of curl".into(),
            measured: format!(
                "tv {} vs curl {} (median): {}",
                duration(tv.median),
                duration(curl.median),
                ratio(tv.median / curl.median)
            ),
            met: Some(tv.median <= 1.5 * curl.median),
        },
        _ => unmeasured("one-shot within 1.5× of curl", "curl or tv not measured"),
    });

    let rss = one_shot.and_then(|s| row(s, "tv")).and_then(peak_rss_kib);
    targets.push(match rss {
        Some(kib) => Target {
            goal: "tv peak RSS under 20 MB for one-shot commands".into(),
            measured: format!("{} (highest of the runs)", megabytes(kib)),
            met: Some((kib as f64) * 1024.0 < 20e6),
        },
        None => unmeasured(
            "tv peak RSS under 20 MB for one-shot commands",
            "not measured",
        ),
    });

    let (tv, python) = (median(fan_out, "tv"), median(fan_out, PEER));
    targets.push(match (tv, python) {
        (Some(tv), Some(python)) => Target {
            goal: "fan-out at least 20× faster than the python-traceview loop".into(),
            measured: format!(
                "tv {} vs python {} (median): {} faster",
                duration(tv.median),
                duration(python.median),
                ratio(python.median / tv.median)
            ),
            met: Some(python.median >= 20.0 * tv.median),
        },
        _ => unmeasured(
            "fan-out at least 20× faster than the python-traceview loop",
            "python-traceview not measured",
        ),
    });

    let tv = fan_out.and_then(|s| row(s, "tv")).and_then(per_second);
    let ceiling = fan_out.and_then(reference).and_then(per_second);
    targets.push(match (tv, ceiling) {
        (Some(tv), Some(ceiling)) => Target {
            goal: "fan-out at least half of the sandbox ceiling (requests/s)".into(),
            measured: format!(
                "tv {} vs ceiling {}: {:.0} %",
                rate(tv),
                rate(ceiling),
                100.0 * tv / ceiling
            ),
            met: Some(tv >= 0.5 * ceiling),
        },
        _ => unmeasured(
            "fan-out at least half of the sandbox ceiling (requests/s)",
            "not measured",
        ),
    });
    targets.extend(scale::targets(&report.scale));
    targets
}

pub(super) fn unmeasured(goal: &str, why: &str) -> Target {
    Target {
        goal: goal.into(),
        measured: why.into(),
        met: None,
    }
}

/// The whole report as Markdown.
pub fn markdown(report: &Report) -> String {
    let mut md = String::new();
    let m = &report.machine;
    let _ = writeln!(
        md,
        "`{}` on {}, {} cores, {}, {}; {}; {}.\n",
        report.command, m.cpu, m.cores, m.memory, m.os, m.rustc, m.date
    );
    for s in &report.scenarios {
        scenario_table(&mut md, s);
    }
    scale::scale_table(&mut md, &report.scale);
    scale::sandbox_table(&mut md, &report.scale);
    scale::remote_table(&mut md, &report.remote);
    if let Some(decode) = &report.decode {
        decode_table(&mut md, decode);
    }
    if let Some(sandbox) = &report.sandbox {
        sandbox_table(&mut md, sandbox);
    }
    md.push_str("#### Targets\n\n| target | measured | met |\n|---|---|---|\n");
    for t in targets(report) {
        let met = match t.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not measured",
        };
        let _ = writeln!(md, "| {} | {} | {met} |", t.goal, t.measured);
    }
    md.push('\n');
    for note in &report.notes {
        let _ = writeln!(md, "- {note}");
    }
    md
}

fn scenario_table(md: &mut String, s: &Scenario) {
    let reference = reference(s);
    let ref_name = reference.map_or("reference", |r| r.contender.as_str());
    let ref_median = reference.and_then(wall).map(|w| w.median);
    let with_rate = s.rows.iter().any(|r| r.requests.is_some());
    let _ = writeln!(
        md,
        "#### {} — {} each, alternating, after one warm-up run\n",
        s.title,
        runs(s.runs)
    );
    let _ = writeln!(
        md,
        "| contender | median | min | max | peak RSS |{} vs {ref_name} |",
        if with_rate { " req/s |" } else { "" }
    );
    let _ = writeln!(
        md,
        "|---|---:|---:|---:|---:|{}---:|",
        if with_rate { "---:|" } else { "" }
    );
    for r in &s.rows {
        let Some(w) = wall(r) else { continue };
        let rss = peak_rss_kib(r).map_or_else(|| "—".to_owned(), megabytes);
        let vs = match ref_median {
            Some(base) if r.reference => format!("{} (reference)", ratio(w.median / base)),
            Some(base) => ratio(w.median / base),
            None => "—".into(),
        };
        let rate_cell = if with_rate {
            format!(" {} |", per_second(r).map_or_else(|| "—".into(), rate))
        } else {
            String::new()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {rss} |{rate_cell} {vs} |",
            r.contender,
            duration(w.median),
            duration(w.min),
            duration(w.max)
        );
    }
    for skipped in &s.skipped {
        let _ = writeln!(md, "\n{} skipped: {}", skipped.contender, skipped.reason);
    }
    md.push('\n');
    for r in &s.rows {
        let _ = writeln!(md, "- {}: `{}`", r.contender, r.command);
    }
    md.push('\n');
}

fn decode_table(md: &mut String, decode: &Result<Vec<Estimate>, String>) {
    md.push_str(
        "#### decode and math — criterion medians (`cargo bench -p tv-client --bench decode`)\n\n",
    );
    let estimates = match decode {
        Ok(estimates) => estimates,
        Err(why) => {
            let _ = writeln!(md, "skipped: {why}\n");
            return;
        }
    };
    md.push_str("| benchmark | median | 95 % CI | vs serde only |\n|---|---:|---:|---:|\n");
    for e in estimates {
        let group = e.id.split('/').next().unwrap_or_default();
        let serde_only = estimates
            .iter()
            .find(|o| o.id == format!("{group}/serde_only"))
            .filter(|o| o.id != e.id && o.median_ns > 0.0);
        let vs = serde_only.map_or_else(|| "—".to_owned(), |o| ratio(e.median_ns / o.median_ns));
        let _ = writeln!(
            md,
            "| {} | {} | {} – {} | {vs} |",
            e.id,
            duration(e.median_ns / 1e9),
            duration(e.low_ns / 1e9),
            duration(e.high_ns / 1e9)
        );
    }
    md.push('\n');
}

fn sandbox_table(md: &mut String, sandbox: &Result<(String, Vec<Throughput>), String>) {
    md.push_str("#### sandbox throughput — `cargo bench -p tv-sandbox --bench http`");
    let (setup, rows) = match sandbox {
        Ok(table) => table,
        Err(why) => {
            let _ = writeln!(md, "\n\nskipped: {why}\n");
            return;
        }
    };
    let _ = writeln!(md, " ({setup})\n");
    md.push_str(
        "| endpoint | median | min | max | vs trivial handler |\n|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.0} % |",
            r.scenario,
            rate(r.median),
            rate(r.min),
            rate(r.max),
            r.vs_trivial_pct
        );
    }
    md.push('\n');
}

pub(super) fn measured_json(r: &Measured) -> Value {
    let w = wall(r);
    json!({
        "contender": r.contender,
        "command": r.command,
        "reference": r.reference,
        "concurrency": r.concurrency,
        "requests_per_run": r.requests,
        "wall_s": w.map(|w| json!({"median": w.median, "min": w.min, "max": w.max})),
        "wall_s_runs": r.samples.iter().map(|s| s.wall.as_secs_f64()).collect::<Vec<_>>(),
        "peak_rss_kib": peak_rss_kib(r),
        "peak_rss_kib_runs": r.samples.iter().map(|s| s.max_rss_kib).collect::<Vec<_>>(),
        "requests_per_s": per_second(r),
    })
}

/// The whole report as JSON.
pub fn to_json(report: &Report) -> Value {
    let m = &report.machine;
    json!({
        "command": report.command,
        "machine": {
            "cpu": m.cpu, "cores": m.cores, "memory": m.memory, "os": m.os,
            "rustc": m.rustc, "date": m.date,
        },
        "scenarios": report.scenarios.iter().map(|s| json!({
            "id": s.id,
            "title": s.title,
            "runs": s.runs,
            "contenders": s.rows.iter().map(measured_json).collect::<Vec<_>>(),
            "skipped": s.skipped.iter()
                .map(|k| json!({"contender": k.contender, "reason": k.reason}))
                .collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "decode": report.decode.as_ref().map(|d| match d {
            Ok(estimates) => json!(estimates.iter().map(|e| json!({
                "id": e.id, "median_ns": e.median_ns, "ci_low_ns": e.low_ns, "ci_high_ns": e.high_ns,
            })).collect::<Vec<_>>()),
            Err(why) => json!({"skipped": why}),
        }),
        "sandbox_http": report.sandbox.as_ref().map(|s| match s {
            Ok((setup, rows)) => json!({
                "setup": setup,
                "rows": rows.iter().map(|r| json!({
                    "scenario": r.scenario, "median_per_s": r.median, "min_per_s": r.min,
                    "max_per_s": r.max, "vs_trivial_pct": r.vs_trivial_pct,
                })).collect::<Vec<_>>(),
            }),
            Err(why) => json!({"skipped": why}),
        }),
        "scale": report.scale.iter().map(scale::size_json).collect::<Vec<_>>(),
        "remote": report.remote.iter().map(scale::remote_json).collect::<Vec<_>>(),
        "targets": targets(report).iter().map(|t| json!({
            "goal": t.goal, "measured": t.measured, "met": t.met,
        })).collect::<Vec<_>>(),
        "notes": report.notes,
    })
}

#[cfg(test)]
mod tests;
