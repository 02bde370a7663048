//! Python for the dev tasks: virtual environments (`make_venv`), quiet setup commands,
//! `which`, and python-traceview 0.7.0 in its venv under `target/bench/venv`, which the
//! bench (`tv-bench`) runs as the peer and `cargo xtask proxy-check` drives through Prism.
//!
//! python-traceview pins `requests==2.10.0`, which no longer imports on Python ≥ 3.11, so
//! it is installed with `--no-deps` next to a current `requests`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The version the issue compares against.
pub const PEER: &str = "python-traceview==0.7.0";

/// The interpreter of `bench_dir/venv`, which holds python-traceview 0.7.0 (made, or
/// remade, when it does not import). `Err` says why it cannot be had here (no python3, no
/// network for PyPI, …).
pub fn traceview_venv(bench_dir: &Path) -> Result<PathBuf> {
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
    Ok(python)
}

/// (Re)creates the virtual environment `venv` and runs `pip install ARGS…` in it for
/// each of `installs`; returns its interpreter.
pub fn make_venv(venv: &Path, installs: &[&[&str]]) -> Result<PathBuf> {
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
pub fn python_runs(python: &Path, code: &str) -> bool {
    python.exists()
        && Command::new(python)
            .args(["-c", code])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// What `python -c code` prints, trimmed.
pub fn python_prints(python: &Path, code: &str) -> Result<String> {
    let output = Command::new(python).args(["-c", code]).output()?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Runs a setup command, showing its output only when it fails.
pub fn quiet(command: &mut Command) -> Result<()> {
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
