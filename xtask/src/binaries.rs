//! The `tv` and `tv-sandbox` executables, built by cargo: the spec checks run debug
//! ones, the bench (`tv-bench`) release ones.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

/// Builds `tv` and `tv-sandbox` (release or debug); returns (name, path) of each
/// executable built.
pub fn build_binaries(root: &Path, release: bool) -> Result<Vec<(String, PathBuf)>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .arg("build")
        .args(release.then_some("--release"))
        .args([
            "-p",
            "tv-cli",
            "-p",
            "tv-sandbox",
            "--bins",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot run cargo build")?;
    if !output.status.success() {
        bail!("cargo build failed ({})", output.status);
    }
    let mut binaries = Vec::new();
    for line in output.stdout.split(|&b| b == b'\n') {
        let Ok(message) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        if message["reason"] == "compiler-artifact"
            && let (Some(name), Some(exe)) = (
                message["target"]["name"].as_str(),
                message["executable"].as_str(),
            )
        {
            binaries.push((name.to_owned(), PathBuf::from(exe)));
        }
    }
    Ok(binaries)
}

/// The path of the executable `name` among `binaries`.
pub fn binary(binaries: &[(String, PathBuf)], name: &str) -> Result<PathBuf> {
    binaries
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, path)| path.clone())
        .ok_or_else(|| anyhow!("cargo build produced no `{name}` binary"))
}
