//! The options of `cargo xtask bench` (`tv-bench bench`).

use anyhow::{Result, anyhow, bail};

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Measured runs per contender of the one-shot scenario.
    pub runs: usize,
    /// Measured runs per contender of the fan-outs (fewer above `LARGE` apps and in
    /// the remote scenarios, see [`Options::runs_at`]).
    pub fan_out_runs: usize,
    /// Apps of the scale scenarios (the 200-app fan-out runs in any case).
    pub sizes: Vec<usize>,
    /// The delays of the remote-server scenarios (`--latency` of the sandbox).
    pub latencies: Vec<String>,
    /// Also run the criterion decode bench and the sandbox's http bench.
    pub cargo_benches: bool,
    /// Replace the README's generated section with this run's Markdown.
    pub write_readme: bool,
}

/// Sizes above this many apps run at most [`LARGE_RUNS`] times per contender.
pub const LARGE: usize = 1000;
/// Runs per contender above [`LARGE`] apps and in the remote scenarios (whose
/// `--concurrency 1` run takes 20 s at 100 ms).
pub const LARGE_RUNS: usize = 3;
/// Runs of the aiohttp fan-out above [`LARGE`] apps (a minute or more each).
pub const LARGE_AIOHTTP_RUNS: usize = 1;

impl Default for Options {
    fn default() -> Self {
        Options {
            runs: 11,
            fan_out_runs: 5,
            sizes: vec![10, 1000, 10_000],
            latencies: vec!["20ms".into(), "100ms".into()],
            cargo_benches: true,
            write_readme: false,
        }
    }
}

/// The usage line of the options.
pub const USAGE: &str = "[--quick] [--runs N] [--fan-out-runs N] [--sizes N,N,…] \
                         [--latencies D,D,…] [--no-cargo-bench] [--write-readme]";

impl Options {
    /// What `--quick` starts from: a check that everything runs, in about two minutes.
    pub fn quick() -> Options {
        Options {
            runs: 3,
            fan_out_runs: 1,
            sizes: vec![10, 1000],
            latencies: vec!["20ms".into()],
            cargo_benches: false,
            write_readme: false,
        }
    }

    /// Parses [`USAGE`]; `--quick` sets the starting point, the other options override
    /// it wherever they stand.
    pub fn parse(args: &[&str]) -> Result<Options> {
        let mut options = if args.contains(&"--quick") {
            Options::quick()
        } else {
            Options::default()
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .copied()
                    .ok_or_else(|| anyhow!("{name} needs a value"))
            };
            match *arg {
                "--quick" => {}
                "--runs" => options.runs = count("--runs", value("--runs")?)?,
                "--fan-out-runs" => {
                    options.fan_out_runs = count("--fan-out-runs", value("--fan-out-runs")?)?;
                }
                "--sizes" => options.sizes = sizes(value("--sizes")?)?,
                "--latencies" => options.latencies = latencies(value("--latencies")?)?,
                "--no-cargo-bench" => options.cargo_benches = false,
                "--write-readme" => options.write_readme = true,
                other => bail!("unknown option {other:?}; usage: cargo xtask bench {USAGE}"),
            }
        }
        Ok(options)
    }

    /// Measured runs per contender of a fan-out over `apps` apps.
    pub fn runs_at(&self, apps: usize) -> usize {
        if apps > LARGE {
            self.fan_out_runs.min(LARGE_RUNS)
        } else {
            self.fan_out_runs
        }
    }

    /// Measured runs per contender of a remote scenario.
    pub fn remote_runs(&self) -> usize {
        self.fan_out_runs.min(LARGE_RUNS)
    }
}

fn count(name: &str, value: &str) -> Result<usize> {
    match value.parse::<usize>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => bail!("{name} must be a number from 1 to 1000, not {value:?}"),
    }
}

/// `10,1000,10000` (`_` allowed as a digit separator); each from 1 to 100,000 apps.
fn sizes(value: &str) -> Result<Vec<usize>> {
    let mut sizes = Vec::new();
    for part in value.split(',') {
        let digits = part.trim().replace('_', "");
        match digits.parse::<usize>() {
            Ok(n) if (1..=100_000).contains(&n) => {
                if !sizes.contains(&n) {
                    sizes.push(n);
                }
            }
            _ => bail!("--sizes takes app counts from 1 to 100000, like 10,1000; not {part:?}"),
        }
    }
    Ok(sizes)
}

/// `20ms,100ms`: each a whole number and `ms` or `s` (a subset of what the sandbox's
/// `--latency` takes).
fn latencies(value: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for part in value.split(',').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        parse_latency(part)
            .ok_or_else(|| anyhow!("--latencies takes delays like 20ms,1s; not {part:?}"))?;
        out.push(part.to_owned());
    }
    Ok(out)
}

/// `20ms` → 0.02 s, `1s` → 1 s.
pub fn parse_latency(text: &str) -> Option<f64> {
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 1e-3)
    } else {
        (text.strip_suffix('s')?, 1.0)
    };
    let value: u32 = number.parse().ok()?;
    Some(f64::from(value) * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(Options::parse(&[]).unwrap(), Options::default());
        let o = Options::parse(&["--runs", "3", "--no-cargo-bench"]).unwrap();
        assert_eq!((o.runs, o.fan_out_runs, o.cargo_benches), (3, 5, false));
        assert!(Options::parse(&["--runs"]).is_err());
        assert!(Options::parse(&["--runs", "0"]).is_err());
        assert!(Options::parse(&["--fast"]).is_err());
    }

    #[test]
    fn quick_is_a_starting_point_wherever_it_stands() {
        let o = Options::parse(&["--sizes", "10_000", "--quick", "--write-readme"]).unwrap();
        assert_eq!(o.sizes, [10_000]);
        assert_eq!((o.runs, o.fan_out_runs), (3, 1));
        assert!(o.write_readme && !o.cargo_benches);
    }

    #[test]
    fn sizes_and_latencies_are_checked() {
        let o = Options::parse(&["--sizes", "10, 1000,10", "--latencies", "5ms,1s"]).unwrap();
        assert_eq!(o.sizes, [10, 1000]);
        assert_eq!(o.latencies, ["5ms", "1s"]);
        assert!(Options::parse(&["--latencies", "1.5s"]).is_err());
        assert!(Options::parse(&["--sizes", "0"]).is_err());
        assert!(Options::parse(&["--sizes", "ten"]).is_err());
        assert!(Options::parse(&["--latencies", "20"]).is_err());
        assert_eq!(parse_latency("20ms"), Some(0.02));
        assert_eq!(parse_latency("2s"), Some(2.0));
        assert_eq!(parse_latency("-1s"), None);
        assert_eq!(parse_latency("1m"), None);
    }

    #[test]
    fn large_sizes_run_fewer_times() {
        let o = Options::default();
        assert_eq!(
            (o.runs_at(1000), o.runs_at(10_000), o.remote_runs()),
            (5, 3, 3)
        );
        let o = Options::parse(&["--fan-out-runs", "1"]).unwrap();
        assert_eq!((o.runs_at(10_000), o.remote_runs()), (1, 1));
    }
}
