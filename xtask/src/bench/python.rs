//! The peer: python-traceview 0.7.0 in a virtual environment under `target/bench/venv`.
//!
//! It pins `requests==2.10.0`, which no longer imports on Python ≥ 3.11, so it is
//! installed with `--no-deps` next to a current `requests`. It has no base-URL option:
//! the scripts point its `Api.AUTHORITY` at the sandbox.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The version the issue compares against.
pub const PEER: &str = "python-traceview==0.7.0";

/// One call of the peer: `latency/{app}/server/summary`, printed as JSON.
const ONE_SHOT: &str = r#"import json, sys
import traceview
base, key, app = sys.argv[1:4]
traceview.api.Api.AUTHORITY = base.rsplit("/api-v2", 1)[0]
tv = traceview.TraceView(key)
json.dump(tv.server.latency_summary(app, time_window="hour"), sys.stdout)
"#;

/// The calls `tv report` makes, as a python-traceview user writes them: the apps, then
/// per app the summary of this window and of the one before, the series, the error
/// rate, the request summary and the by-layer series. The peer's `error_rates` drops
/// its filters (it calls `errors/{app}/rate` without them), so that call goes through
/// its `Api.get` to make the same request as `tv`.
const FAN_OUT: &str = r#"import json, sys
import traceview
base, key, window, end, previous = sys.argv[1:6]
traceview.api.Api.AUTHORITY = base.rsplit("/api-v2", 1)[0]
tv = traceview.TraceView(key)
now = dict(time_window=window, time_end=end)
requests = 1
rows = {}
for app in tv.apps():
    rows[app] = [
        tv.server.latency_summary(app, **now),
        tv.server.latency_summary(app, time_window=window, time_end=previous),
        tv.server.latency_series(app, **now),
        tv._api.get("errors/{0}/rate".format(app), **now),
        tv.total_requests.summary(app, **now),
        tv.server.latency_by_layer(app, **now),
    ]
    requests += 6
json.dump({"apps": len(rows), "requests": requests}, sys.stdout)
"#;

/// A ready peer: the venv's interpreter and the two scripts.
#[derive(Debug, Clone)]
pub struct Peer {
    /// `target/bench/venv/bin/python`.
    pub python: PathBuf,
    /// The one-shot script.
    pub one_shot: PathBuf,
    /// The fan-out script.
    pub fan_out: PathBuf,
    /// `Python 3.x.y, requests a.b.c`.
    pub versions: String,
}

/// Sets up the venv (reused when it already holds the peer) and writes the scripts.
/// `Err` says why the peer cannot run here (no python3, no network for PyPI, …).
pub fn prepare(bench_dir: &Path) -> Result<Peer> {
    let venv = bench_dir.join("venv");
    let python = venv.join("bin").join("python");
    if !usable(&python) {
        eprintln!(
            "bench: creating {} with {PEER} and a current requests",
            venv.display()
        );
        make_venv(&venv, &[&["--no-deps", PEER], &["requests"]])?;
        if !usable(&python) {
            bail!("python-traceview 0.7.0 does not import after installation");
        }
    }
    let scripts = bench_dir.join("py");
    std::fs::create_dir_all(&scripts)?;
    let one_shot = scripts.join("one_shot.py");
    let fan_out = scripts.join("fan_out.py");
    std::fs::write(&one_shot, ONE_SHOT)?;
    std::fs::write(&fan_out, FAN_OUT)?;
    let versions = python_prints(
        &python,
        "import sys, requests; print(f'Python {sys.version.split()[0]}, requests {requests.__version__}')",
    )?;
    Ok(Peer {
        python,
        one_shot,
        fan_out,
        versions,
    })
}

/// (Re)creates the virtual environment `venv` and runs `pip install ARGS…` in it for
/// each of `installs`; returns its interpreter.
pub(crate) fn make_venv(venv: &Path, installs: &[&[&str]]) -> Result<PathBuf> {
    let system = which("python3").context("python3 is not installed")?;
    let _ = std::fs::remove_dir_all(venv);
    quiet(Command::new(&system).args(["-m", "venv"]).arg(venv))
        .context("python3 -m venv failed (is the venv module installed?)")?;
    let python = venv.join("bin").join("python");
    for args in installs {
        quiet(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(*args),
        )
        .with_context(|| format!("pip could not install {}", args.join(" ")))?;
    }
    Ok(python)
}

/// Whether the venv's python imports the peer at the right version.
fn usable(python: &Path) -> bool {
    python_runs(
        python,
        "import traceview, requests; assert traceview.__version__ == '0.7.0'",
    )
}

/// Whether `python` exists and runs `code` without an error.
pub(crate) fn python_runs(python: &Path, code: &str) -> bool {
    python.exists()
        && Command::new(python)
            .args(["-c", code])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// What `python -c code` prints, trimmed.
pub(crate) fn python_prints(python: &Path, code: &str) -> Result<String> {
    let output = Command::new(python).args(["-c", code]).output()?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Runs a setup command, showing its output only when it fails.
pub(crate) fn quiet(command: &mut Command) -> Result<()> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {:?}", command.get_program()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
        bail!("{} ({})", output.status, last.unwrap_or("no output").trim());
    }
    Ok(())
}

/// The full path of `program` on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| {
            use std::os::unix::fs::PermissionsExt;
            candidate
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}
