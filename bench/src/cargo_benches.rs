//! The in-process benches, run through cargo: tv-client's criterion `decode` bench and
//! the sandbox's `http` throughput bench.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::SystemTime;

use anyhow::{Context, Result, anyhow, bail, ensure};
use serde_json::Value;

/// One criterion measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// `group/function`, e.g. `by_layer_week_20_layers/serde_only`.
    pub id: String,
    /// Median time per iteration, nanoseconds.
    pub median_ns: f64,
    /// Bounds of the median's 95 % confidence interval, nanoseconds.
    pub low_ns: f64,
    /// Upper bound.
    pub high_ns: f64,
}

/// The criterion benches of `tv-client` (group, functions), in report order.
pub const DECODE_BENCHES: &[(&str, &[&str])] = &[
    (
        "by_layer_week_20_layers",
        &["serde_only", "serde_and_typed", "typed_conversion_only"],
    ),
    ("series_week", &["serde_only", "serde_and_typed"]),
    ("series_hour", &["serde_only", "serde_and_typed"]),
    (
        "math",
        &[
            "weighted_mean_week",
            "layer_breakdown_20_layers",
            "estimate_errors_week",
            "compare_layers_20",
            "resample_hour_to_5min",
        ],
    ),
];

/// A line of the sandbox's `http` bench table.
#[derive(Debug, Clone, PartialEq)]
pub struct Throughput {
    /// The scenario (`apps`, `by-layer week (new time_end)`, …).
    pub scenario: String,
    /// Median requests per second over its rounds.
    pub median: f64,
    /// Slowest round.
    pub min: f64,
    /// Fastest round.
    pub max: f64,
    /// The median as a share of the trivial handler's, in percent.
    pub vs_trivial_pct: f64,
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs `cargo bench -p tv-client --bench decode` and reads the medians it wrote.
pub fn decode(root: &Path, target_dir: &Path, log: &Path) -> Result<Vec<Estimate>> {
    let started = SystemTime::now();
    run_logged(
        Command::new(cargo()).current_dir(root).args([
            "bench",
            "-p",
            "tv-client",
            "--bench",
            "decode",
        ]),
        log,
    )?;
    let mut estimates = Vec::new();
    for (group, functions) in DECODE_BENCHES {
        for function in *functions {
            let path = target_dir
                .join("criterion")
                .join(group)
                .join(function)
                .join("new")
                .join("estimates.json");
            let fresh = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified >= started);
            ensure!(
                fresh,
                "{} was not written by this run (renamed bench?)",
                path.display()
            );
            let text = std::fs::read_to_string(&path)?;
            estimates.push(
                parse_estimate(&format!("{group}/{function}"), &text)
                    .with_context(|| format!("in {}", path.display()))?,
            );
        }
    }
    Ok(estimates)
}

/// Reads the median and its confidence interval from criterion's `estimates.json`.
pub fn parse_estimate(id: &str, text: &str) -> Result<Estimate> {
    let value: Value = serde_json::from_str(text)?;
    let median = &value["median"];
    let number = |v: &Value| {
        v.as_f64()
            .ok_or_else(|| anyhow!("no number at {v} in estimates.json"))
    };
    Ok(Estimate {
        id: id.to_owned(),
        median_ns: number(&median["point_estimate"])?,
        low_ns: number(&median["confidence_interval"]["lower_bound"])?,
        high_ns: number(&median["confidence_interval"]["upper_bound"])?,
    })
}

/// Runs `cargo bench -p tv-sandbox --bench http` and parses its table.
pub fn sandbox_http(root: &Path, log: &Path) -> Result<(String, Vec<Throughput>)> {
    let stdout = run_logged(
        Command::new(cargo()).current_dir(root).args([
            "bench",
            "-p",
            "tv-sandbox",
            "--bench",
            "http",
        ]),
        log,
    )?;
    let setup = stdout
        .lines()
        .find(|l| l.contains("keep-alive connections"))
        .unwrap_or_default()
        .trim()
        .to_owned();
    let rows = parse_http_table(&stdout);
    ensure!(
        !rows.is_empty(),
        "no table in the output of the sandbox's http bench (see {})",
        log.display()
    );
    Ok((setup, rows))
}

/// Parses the rows after the `scenario  median req/s …` header: a name, then median,
/// min, max and a percentage.
pub fn parse_http_table(stdout: &str) -> Vec<Throughput> {
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in stdout.lines() {
        if line.starts_with("scenario") && line.contains("median req/s") {
            in_table = true;
            continue;
        }
        if !in_table {
            continue;
        }
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if tokens.len() < 5 {
            break;
        }
        let (name, numbers) = tokens.split_at(tokens.len() - 4);
        let parse = |s: &str| s.trim_end_matches('%').parse::<f64>().ok();
        match (
            parse(numbers[0]),
            parse(numbers[1]),
            parse(numbers[2]),
            parse(numbers[3]),
        ) {
            (Some(median), Some(min), Some(max), Some(pct)) => rows.push(Throughput {
                scenario: name.join(" "),
                median,
                min,
                max,
                vs_trivial_pct: pct,
            }),
            _ => break,
        }
    }
    rows
}

/// Runs a cargo command with its stderr (progress) and stdout in `log`; returns stdout.
fn run_logged(command: &mut Command, log: &Path) -> Result<String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .context("cannot run cargo")?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    std::fs::write(log, format!("{stderr}\n{stdout}"))
        .with_context(|| format!("cannot write {}", log.display()))?;
    if !output.status.success() {
        bail!(
            "`{:?}` failed ({}); see {}",
            command,
            output.status,
            log.display()
        );
    }
    Ok(stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criterion_estimates() {
        let text = r#"{"mean":{"point_estimate":2.0},"median":{"confidence_interval":
            {"confidence_level":0.95,"lower_bound":1.5,"upper_bound":2.5},"point_estimate":2.1,
            "standard_error":0.1}}"#;
        let e = parse_estimate("g/f", text).unwrap();
        assert_eq!((e.median_ns, e.low_ns, e.high_ns), (2.1, 1.5, 2.5));
        assert!(parse_estimate("g/f", "{}").is_err());
    }

    #[test]
    fn reads_the_sandbox_http_table() {
        let stdout = "8 keep-alive connections, 5 rounds, 2 cores\n\
            scenario                       median req/s          min          max vs trivial\n\
            trivial axum handler                  40000        39000        41000       100%\n\
            by-layer week (new time_end)           2500         2400         2600         6%\n";
        let rows = parse_http_table(stdout);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].scenario, "by-layer week (new time_end)");
        assert_eq!(
            (rows[1].median, rows[1].min, rows[1].vs_trivial_pct),
            (2500.0, 2400.0, 6.0)
        );
    }
}
