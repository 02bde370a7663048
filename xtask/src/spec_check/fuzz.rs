//! `cargo xtask fuzz-api`: Schemathesis, every check, over all 28 operations of the
//! sandbox, positive and negative data, with a fixed seed and a bound on examples.
//!
//! Settings live in `xtask/spec-check/schemathesis.toml`: the access key, and for the two
//! writes the hook `write_transports` in place of the built-in acceptance checks, because
//! their "required in the body or in the query string" rule is one OpenAPI 3.0 cannot
//! express (see the hook's docstring).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::{KEY, build, elapsed, start_sandbox, tools, work_dir};

/// The options of `fuzz-api`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuzzOptions {
    /// Hypothesis' seed (the same seed generates the same requests).
    pub seed: u64,
    /// Test cases per operation and phase.
    pub max_examples: u32,
}

impl Default for FuzzOptions {
    fn default() -> Self {
        FuzzOptions {
            seed: 1,
            max_examples: 50,
        }
    }
}

impl FuzzOptions {
    /// Parses `[--seed N] [--max-examples N]`.
    pub fn parse(args: &[&str]) -> Result<FuzzOptions> {
        let mut options = FuzzOptions::default();
        let mut rest = args.iter();
        while let Some(&flag) = rest.next() {
            let value = rest
                .next()
                .with_context(|| format!("{flag} needs a value"))?;
            match flag {
                "--seed" => options.seed = value.parse().context("--seed takes a whole number")?,
                "--max-examples" => {
                    options.max_examples = value
                        .parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .context("--max-examples takes a whole number above 0")?;
                }
                _ => bail!("unknown option {flag} (fuzz-api takes --seed N, --max-examples N)"),
            }
        }
        Ok(options)
    }
}

/// Runs Schemathesis against a fresh sandbox; `Err` when any check failed.
pub fn fuzz_api(root: &Path, options: &FuzzOptions) -> Result<()> {
    let started = Instant::now();
    let dir = work_dir(root)?;
    let st = tools::schemathesis(&dir)?;
    let binaries = build(root)?;
    let sandbox = start_sandbox(&binaries, &dir, "fuzz")?;
    eprintln!(
        "fuzz-api: schemathesis {} against {} (seed {}, at most {} examples per operation)",
        tools::SCHEMATHESIS,
        sandbox.base_url,
        options.seed,
        options.max_examples
    );
    let status = Command::new(&st)
        .current_dir(root)
        .env("TV_FUZZ_API_KEY", KEY)
        .args(["--config-file", "xtask/spec-check/schemathesis.toml", "run"])
        .arg(crate::codegen::SPEC_PATH)
        .args(["--url", &sandbox.base_url])
        .args(["--seed", &options.seed.to_string()])
        .args(["--max-examples", &options.max_examples.to_string()])
        .args([
            "--mode",
            "all",
            "--no-color",
            "--generation-database",
            "none",
        ])
        .arg("--report-dir")
        .arg(dir.join("schemathesis-report"))
        .status()
        .with_context(|| format!("cannot run {}", st.display()))?;
    drop(sandbox);
    if !status.success() {
        bail!(
            "Schemathesis found failures (seed {}, {status}); reproduce with `cargo xtask fuzz-api --seed {}`",
            options.seed,
            options.seed
        );
    }
    eprintln!(
        "fuzz-api: no failure, seed {}, in {}",
        options.seed,
        elapsed(started)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_and_refuse() {
        assert_eq!(FuzzOptions::parse(&[]).unwrap(), FuzzOptions::default());
        let o = FuzzOptions::parse(&["--seed", "7", "--max-examples", "5"]).unwrap();
        assert_eq!((o.seed, o.max_examples), (7, 5));
        assert!(FuzzOptions::parse(&["--seed"]).is_err());
        assert!(FuzzOptions::parse(&["--max-examples", "0"]).is_err());
        assert!(FuzzOptions::parse(&["--runs", "1"]).is_err());
    }
}
