//! The pinned tools, installed on first use under `target/spec-check/` and reused while
//! they report the pinned version. Installation needs PyPI and npm; when it fails, the
//! check fails with the installer's last line (never a skip).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::python::{make_venv, quiet, which};

/// Schemathesis, the OpenAPI fuzzer (PyPI).
pub(crate) const SCHEMATHESIS: &str = "4.32.5";
/// Stoplight Prism, the mock server and validating proxy (npm).
pub(crate) const PRISM: &str = "5.14.2";

/// `target/spec-check/venv/bin/st`, with Schemathesis [`SCHEMATHESIS`] installed.
pub(crate) fn schemathesis(dir: &Path) -> Result<PathBuf> {
    let venv = dir.join("venv");
    let st = venv.join("bin").join("st");
    if reports(&st, &["--version"], SCHEMATHESIS) {
        return Ok(st);
    }
    which("python3").context("python3 is not installed (needed for Schemathesis)")?;
    eprintln!(
        "spec-check: installing schemathesis=={SCHEMATHESIS} into {}",
        venv.display()
    );
    make_venv(&venv, &[&[&format!("schemathesis=={SCHEMATHESIS}")]])
        .context("Schemathesis could not be installed from PyPI")?;
    if !reports(&st, &["--version"], SCHEMATHESIS) {
        bail!(
            "{} does not report version {SCHEMATHESIS} after installation",
            st.display()
        );
    }
    Ok(st)
}

/// `target/spec-check/npm/node_modules/.bin/prism`, with Prism [`PRISM`] installed.
pub(crate) fn prism(dir: &Path) -> Result<PathBuf> {
    let prefix = dir.join("npm");
    let prism = prefix.join("node_modules").join(".bin").join("prism");
    if reports(&prism, &["--version"], PRISM) {
        return Ok(prism);
    }
    eprintln!(
        "spec-check: installing @stoplight/prism-cli@{PRISM} into {}",
        prefix.display()
    );
    npm_install(&prefix, &[&format!("@stoplight/prism-cli@{PRISM}")])
        .context("npm could not install Prism")?;
    if !reports(&prism, &["--version"], PRISM) {
        bail!(
            "{} does not report version {PRISM} after installation",
            prism.display()
        );
    }
    Ok(prism)
}

/// `npm install PACKAGES…` into the local prefix `prefix` (commands land in
/// `prefix/node_modules/.bin`); fails when npm is missing or the install fails.
pub(crate) fn npm_install(prefix: &Path, packages: &[&str]) -> Result<()> {
    let npm = which("npm").context("npm is not installed")?;
    quiet(
        Command::new(npm)
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(prefix)
            .args(packages),
    )
}

/// Whether `program ARGS` runs and prints `version`.
fn reports(program: &Path, args: &[&str], version: &str) -> bool {
    program.exists()
        && Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|o| {
                o.status.success() && String::from_utf8_lossy(&o.stdout).contains(version)
            })
}
