//! `cargo xtask mock-check`: every read command of `tv` against answers that Prism
//! generates from the spec alone (dynamic mode, one Prism per seed).
//!
//! A command must succeed, except for the limits of OpenAPI 3.0 that the spec documents
//! (in `LatencySeries`, `ErrorRateSeries`, `TotalRequestsSeries` and the by-layer
//! answer): a series row is a positional array, and OpenAPI 3.0 has no per-position
//! schema, so a generated cell can break its column's rule (a null timestamp, a
//! fractional volume, an error rate above 1, a repeated timestamp), and it cannot say
//! that layer names are unique across the by-layer list. `tv` refuses such an answer
//! with one `error:` line naming the cell (`data.items[0][1]`) or the layer
//! (`data[1].layer`) and exit code 1; that outcome is counted as the documented limit.
//! Any other failure — another exit code, another message, a panic, more than one
//! line — fails the check.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::{Prism, build, elapsed, prism_spec, tools, work_dir};

/// The read commands of `tv` (no writes, no local-only commands), each run with
/// `--output json` and `--output table`. `APP` and the host id are arbitrary: Prism
/// answers any.
pub(crate) const READ_COMMANDS: &[&[&str]] = &[
    &["report"],
    &["report", "web-shop"],
    &["apps"],
    &["layers", "web-shop"],
    &["hosts"],
    &["hosts", "--app", "web-shop"],
    &["host", "versions", "123456"],
    &["annotations"],
    &["annotations", "--app", "web-shop"],
    &["org"],
    &["org", "users"],
    &["org", "licenses"],
    &["discover", "actions"],
    &["discover", "browsers"],
    &["discover", "controllers"],
    &["discover", "domains"],
    &["discover", "metrics"],
    &["discover", "regions"],
    &["errors", "web-shop"],
    &["requests", "web-shop"],
    &["requests", "web-shop", "--summary"],
    &["latency", "series", "web-shop"],
    &["latency", "series", "web-shop", "--client"],
    &["latency", "summary", "web-shop"],
    &["latency", "summary", "web-shop", "--client"],
    &["latency", "by-layer", "web-shop"],
    &["chart", "web-shop"],
    &["compare", "web-shop"],
    &["doctor"],
];

/// The output formats each command runs with.
const OUTPUTS: [&str; 2] = ["json", "table"];

/// The options of `mock-check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockOptions {
    /// Prism's seeds; each generates a different world of answers.
    pub seeds: Vec<u64>,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            seeds: vec![1, 2, 3],
        }
    }
}

impl MockOptions {
    /// Parses `[--seeds 1,2,3]`.
    pub fn parse(args: &[&str]) -> Result<MockOptions> {
        match args {
            [] => Ok(MockOptions::default()),
            ["--seeds", list] => {
                let seeds = list
                    .split(',')
                    .map(|s| s.trim().parse::<u64>())
                    .collect::<Result<Vec<_>, _>>()
                    .context("--seeds takes whole numbers separated by commas")?;
                Ok(MockOptions { seeds })
            }
            _ => bail!("mock-check takes --seeds N,N,…"),
        }
    }
}

/// How one run of a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Exit 0.
    Succeeded,
    /// Refused a generated answer for a rule OpenAPI 3.0 cannot state (see the module docs).
    DocumentedLimit,
    /// Anything else: the check fails.
    Failed(String),
}

/// Classifies an exit code and stderr.
pub(crate) fn classify(code: Option<i32>, stderr: &str) -> Outcome {
    if code == Some(0) {
        return Outcome::Succeeded;
    }
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some(line) = lines.first().filter(|_| lines.len() == 1) else {
        return Outcome::Failed(format!("exit {code:?} with {} stderr lines", lines.len()));
    };
    let positional = line
        .split("cannot decode the response at ")
        .nth(1)
        .is_some_and(|rest| {
            let path = rest.split(':').next().unwrap_or_default();
            path.contains(".items[") || (path.ends_with(".layer") && rest.contains("appears twice"))
        });
    if code == Some(1) && line.starts_with("error: ") && positional {
        Outcome::DocumentedLimit
    } else {
        Outcome::Failed(format!("exit {code:?}: {line}"))
    }
}

/// Runs every read command against Prism for every seed; `Err` on any failure.
pub fn mock_check(root: &Path, options: &MockOptions) -> Result<()> {
    let started = Instant::now();
    let dir = work_dir(root)?;
    let prism = tools::prism(&dir)?;
    let binaries = build(root)?;
    let spec = prism_spec(root, &dir)?;
    let spec = spec.to_string_lossy().into_owned();
    let mut failures = Vec::new();
    for &seed in &options.seeds {
        let seed_text = seed.to_string();
        let mock = Prism::start(
            &prism,
            &["mock", "--dynamic", "--seed", &seed_text, &spec],
            dir.join(format!("prism-mock-{seed}.log")),
        )?;
        let (mut succeeded, mut limited) = (0, 0);
        for command in READ_COMMANDS {
            for output in OUTPUTS {
                let result = Command::new(&binaries.tv)
                    .args(["--base-url", &mock.base_url(), "--api-key", "mock-key"])
                    .args(["--output", output, "--color", "never"])
                    .args(*command)
                    .env_remove("TV_PROFILE")
                    .env("TV_CONFIG", dir.join("no-config.toml"))
                    .stdin(Stdio::null())
                    .output()
                    .with_context(|| format!("cannot run {}", binaries.tv.display()))?;
                let stderr = String::from_utf8_lossy(&result.stderr);
                match classify(result.status.code(), &stderr) {
                    Outcome::Succeeded => succeeded += 1,
                    Outcome::DocumentedLimit => limited += 1,
                    Outcome::Failed(why) => failures.push(format!(
                        "seed {seed}: tv --output {output} {}: {why}",
                        command.join(" ")
                    )),
                }
            }
        }
        eprintln!(
            "mock-check: seed {seed}: {succeeded} runs succeeded, {limited} refused a positional row (documented OpenAPI 3.0 limit), {} failed",
            READ_COMMANDS.len() * OUTPUTS.len() - succeeded - limited
        );
    }
    if !failures.is_empty() {
        for failure in &failures {
            eprintln!("  {failure}");
        }
        bail!(
            "{} runs of tv failed on answers the spec allows",
            failures.len()
        );
    }
    eprintln!(
        "mock-check: {} commands × {} outputs × {} seeds, no failure, in {}",
        READ_COMMANDS.len(),
        OUTPUTS.len(),
        options.seeds.len(),
        elapsed(started)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refused_positional_cell_is_the_documented_limit() {
        assert_eq!(classify(Some(0), ""), Outcome::Succeeded);
        let cell = "error: cannot decode the response at data.items[0][1]: volume 1.5 is not a whole number (near `[1, 1.5, null]`)";
        assert_eq!(classify(Some(1), cell), Outcome::DocumentedLimit);
        let layer = "error: cannot decode the response at data[0].timeseries.items[3][0]: duplicate timestamp";
        assert_eq!(classify(Some(1), layer), Outcome::DocumentedLimit);
        let twice = "error: cannot decode the response at data[1].layer: layer `x` appears twice (also data[0])";
        assert_eq!(classify(Some(1), twice), Outcome::DocumentedLimit);
        let field =
            "error: cannot decode the response at data.count: not a whole, non-negative count";
        assert!(matches!(classify(Some(1), field), Outcome::Failed(_)));
        assert!(matches!(classify(Some(4), cell), Outcome::Failed(_)));
        let two = format!("{cell}\nthread 'main' panicked");
        assert!(matches!(classify(Some(1), &two), Outcome::Failed(_)));
        assert!(matches!(classify(None, ""), Outcome::Failed(_)));
    }

    #[test]
    fn options_parse() {
        assert_eq!(MockOptions::parse(&[]).unwrap().seeds, vec![1, 2, 3]);
        assert_eq!(
            MockOptions::parse(&["--seeds", "4, 5"]).unwrap().seeds,
            vec![4, 5]
        );
        assert!(MockOptions::parse(&["--seeds", "x"]).is_err());
        assert!(MockOptions::parse(&["--seed", "1"]).is_err());
    }
}
