//! Running a child process and measuring it: wall time and peak RSS.
//!
//! The peak RSS is the child's own `ru_maxrss`, from the `rusage` that `wait4(2)` returns
//! for exactly that child (not `RUSAGE_CHILDREN`, which would mix in earlier children).
//! Wall time runs from just before `fork` to the return of `wait4`.

use std::io;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// One measured run of a process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// From spawning to reaping.
    pub wall: Duration,
    /// Peak resident set size in KiB (`ru_maxrss`; `None` for in-process contenders).
    pub max_rss_kib: Option<u64>,
}

/// How a measured child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Exited with this code.
    Exited(i32),
    /// Killed by this signal.
    Signaled(i32),
}

impl std::fmt::Display for Ending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ending::Exited(code) => write!(f, "exit code {code}"),
            Ending::Signaled(signal) => write!(f, "signal {signal}"),
        }
    }
}

/// Spawns `command` (stdin closed; stdout and stderr as the caller set them up) and
/// waits for it with `wait4`, returning the sample and how it ended.
pub fn run(command: &mut Command) -> Result<(Sample, Ending)> {
    command.stdin(Stdio::null());
    let started = Instant::now();
    let child = command
        .spawn()
        .with_context(|| format!("cannot start {:?}", command.get_program()))?;
    let pid = libc::pid_t::try_from(child.id()).context("process id out of range")?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (std's `Child` never waited on
        // it and does not wait on drop); `status` and `usage` are valid for writes.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error).context("wait4 failed");
        }
    }
    let wall = started.elapsed();
    drop(child);
    let ending = if libc::WIFEXITED(status) {
        Ending::Exited(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Ending::Signaled(libc::WTERMSIG(status))
    } else {
        bail!("child {pid} ended in an unexpected state ({status})");
    };
    // Linux reports ru_maxrss in KiB.
    let max_rss_kib = u64::try_from(usage.ru_maxrss).ok();
    Ok((Sample { wall, max_rss_kib }, ending))
}

/// What a child needs to run in isolation: its program, arguments, environment (it
/// starts from an empty one) and where its stdout and stderr go.
#[derive(Debug, Clone)]
pub struct Isolated {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its whole environment.
    pub env: Vec<(String, String)>,
    /// Its stdout file.
    pub stdout: PathBuf,
    /// Its stderr file.
    pub stderr: PathBuf,
}

/// Runs `job` from a fresh, small helper process (`tv-bench bench-child`) and returns what
/// the helper measured.
///
/// Linux carries a parent's RSS high-water mark into its child's `ru_maxrss` across
/// `exec`, so a child spawned by this (large) process could never report less than this
/// process's own peak. The helper is a few MB: that is the floor of every figure.
pub fn run_isolated(job: &Isolated) -> Result<(Sample, Ending)> {
    let helper = std::env::current_exe().context("cannot find the tv-bench binary")?;
    let mut command = Command::new(helper);
    command.arg("bench-child").arg(&job.stdout).arg(&job.stderr);
    for (name, value) in &job.env {
        command.arg(format!("{name}={value}"));
    }
    command.arg("--").arg(&job.program).args(&job.args);
    let output = command
        .stdin(Stdio::null())
        .output()
        .context("cannot run the bench helper")?;
    let text = String::from_utf8_lossy(&output.stdout);
    parse_child_report(text.trim()).ok_or_else(|| {
        anyhow::anyhow!(
            "the bench helper failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )
    })
}

/// The helper's side: `STDOUT STDERR [NAME=VALUE…] -- PROGRAM [ARGS…]`. Runs the
/// program and prints `WALL_NS MAX_RSS_KIB exit CODE` (or `signal N`) on stdout.
pub fn child(args: &[&str]) -> Result<()> {
    let split = args
        .iter()
        .position(|a| *a == "--")
        .ok_or_else(|| anyhow::anyhow!("bench-child: no `--`"))?;
    let (setup, program) = (&args[..split], &args[split + 1..]);
    let [stdout, stderr, env @ ..] = setup else {
        bail!("bench-child: STDOUT STDERR [NAME=VALUE…] -- PROGRAM [ARGS…]");
    };
    let Some((program, program_args)) = program.split_first() else {
        bail!("bench-child: no program");
    };
    let mut command = Command::new(program);
    command
        .args(program_args)
        .env_clear()
        .stdout(std::fs::File::create(stdout)?)
        .stderr(std::fs::File::create(stderr)?);
    for pair in env {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("bench-child: not NAME=VALUE: {pair}"))?;
        command.env(name, value);
    }
    let (sample, ending) = run(&mut command)?;
    let ending = match ending {
        Ending::Exited(code) => format!("exit {code}"),
        Ending::Signaled(signal) => format!("signal {signal}"),
    };
    println!(
        "{} {} {ending}",
        sample.wall.as_nanos(),
        sample.max_rss_kib.unwrap_or(0)
    );
    Ok(())
}

fn parse_child_report(line: &str) -> Option<(Sample, Ending)> {
    let mut words = line.split(' ');
    let wall = Duration::from_nanos(words.next()?.parse().ok()?);
    let rss: u64 = words.next()?.parse().ok()?;
    let ending = match (words.next()?, words.next()?.parse().ok()?) {
        ("exit", code) => Ending::Exited(code),
        ("signal", signal) => Ending::Signaled(signal),
        _ => return None,
    };
    let max_rss_kib = (rss > 0).then_some(rss);
    Some((Sample { wall, max_rss_kib }, ending))
}

/// Median, minimum and maximum of a set of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The median (mean of the two middle values for an even count).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`; `None` when there are none (or one is NaN).
    pub fn of(values: &[f64]) -> Option<Spread> {
        if values.is_empty() || values.iter().any(|v| v.is_nan()) {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Spread {
            median,
            min: sorted[0],
            max: sorted[n - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_of_odd_and_even_counts() {
        assert_eq!(
            Spread::of(&[3.0, 1.0, 2.0]),
            Some(Spread {
                median: 2.0,
                min: 1.0,
                max: 3.0
            })
        );
        assert_eq!(
            Spread::of(&[4.0, 1.0, 2.0, 3.0]).map(|s| s.median),
            Some(2.5)
        );
        assert_eq!(Spread::of(&[]), None);
        assert_eq!(Spread::of(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn helper_reports_are_parsed() {
        let (sample, ending) = parse_child_report("1500000 9820 exit 0").unwrap();
        assert_eq!(sample.wall, Duration::from_micros(1500));
        assert_eq!(sample.max_rss_kib, Some(9820));
        assert_eq!(ending, Ending::Exited(0));
        assert_eq!(
            parse_child_report("1 0 signal 9").map(|(_, e)| e),
            Some(Ending::Signaled(9))
        );
        assert!(parse_child_report("garbage").is_none());
    }

    #[test]
    fn measures_a_child() {
        let (sample, ending) = run(Command::new("sh").args(["-c", "exit 3"])).unwrap();
        assert_eq!(ending, Ending::Exited(3));
        assert!(sample.max_rss_kib.is_some_and(|kib| kib > 0), "{sample:?}");
        assert!(sample.wall > Duration::ZERO);
    }
}
