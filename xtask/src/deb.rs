//! `cargo xtask deb`: the Debian package of `tv`, built with cargo-deb.
//!
//! 1. builds `tv` (release, `--locked`);
//! 2. writes its man pages (`tv generate-man`, then `gzip -9n` as Debian policy asks:
//!    cargo-deb compresses man pages only when they are not under `target/`) and its
//!    bash, zsh and fish completions (`tv completions SHELL`) into
//!    `target/release/deb-assets/`, where the `[package.metadata.deb]` assets of
//!    `crates/tv-cli/Cargo.toml` take them;
//! 3. runs cargo-deb [`CARGO_DEB`] without building again, installing it first under
//!    `target/tools` when it is not there (from crates.io, `--locked`).
//!
//! The package lands in `target/debian/`; its path is the last line on stdout.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The pinned cargo-deb.
pub const CARGO_DEB: &str = "3.8.0";

/// The shells and the file name each one's completion is installed under.
const COMPLETIONS: [(&str, &str); 3] = [("bash", "tv.bash"), ("zsh", "_tv"), ("fish", "tv.fish")];

/// Builds the package; returns its path.
pub fn build(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(&cargo).current_dir(root).args([
        "build",
        "--release",
        "--locked",
        "-p",
        "tv-cli",
        "--bin",
        "tv",
    ]))?;
    let release = root.join("target").join("release");
    let tv = release.join("tv");
    let assets = release.join("deb-assets");
    let _ = std::fs::remove_dir_all(&assets);
    let man = assets.join("man");
    run(Command::new(&tv).arg("generate-man").arg("--out").arg(&man))?;
    gzip_man_pages(&man)?;
    let completions = assets.join("completions");
    std::fs::create_dir_all(&completions)?;
    for (shell, file) in COMPLETIONS {
        let output = Command::new(&tv)
            .args(["completions", shell])
            .output()
            .with_context(|| format!("cannot run {}", tv.display()))?;
        if !output.status.success() || output.stdout.is_empty() {
            bail!("`tv completions {shell}` failed ({})", output.status);
        }
        std::fs::write(completions.join(file), &output.stdout)?;
    }
    let cargo_deb = cargo_deb(root, &cargo)?;
    let output = Command::new(&cargo_deb)
        .current_dir(root)
        .args(["deb", "--no-build", "--locked", "-p", "tv-cli"])
        .output()
        .with_context(|| format!("cannot run {}", cargo_deb.display()))?;
    if !output.status.success() {
        bail!(
            "cargo-deb failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let package = stdout
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| line.ends_with(".deb"))
        .context("cargo-deb did not print the package's path")?;
    Ok(PathBuf::from(package))
}

/// `target/tools/bin/cargo-deb`, installed when it does not report [`CARGO_DEB`].
fn cargo_deb(root: &Path, cargo: &str) -> Result<PathBuf> {
    let tools = root.join("target").join("tools");
    let binary = tools.join("bin").join("cargo-deb");
    let reports = |binary: &Path| {
        Command::new(binary)
            .arg("--version")
            .output()
            .is_ok_and(|o| {
                o.status.success() && String::from_utf8_lossy(&o.stdout).contains(CARGO_DEB)
            })
    };
    if binary.exists() && reports(&binary) {
        return Ok(binary);
    }
    eprintln!(
        "deb: installing cargo-deb {CARGO_DEB} into {}",
        tools.display()
    );
    run(Command::new(cargo)
        .args([
            "install",
            "cargo-deb",
            "--locked",
            "--version",
            CARGO_DEB,
            "--root",
        ])
        .arg(&tools))?;
    if !reports(&binary) {
        bail!("{} does not report version {CARGO_DEB}", binary.display());
    }
    Ok(binary)
}

/// Compresses every page in `man` in place (`NAME.1` becomes `NAME.1.gz`), with
/// `gzip -9n` (best, and no name or time stamp, so the package is reproducible).
fn gzip_man_pages(man: &Path) -> Result<()> {
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(man).with_context(|| format!("reading {}", man.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "1") {
            pages.push(path);
        }
    }
    if pages.is_empty() {
        bail!("`tv generate-man` wrote no page into {}", man.display());
    }
    run(Command::new("gzip").args(["-9", "-n", "-f"]).args(&pages))
}

/// Runs a command with its output shown; an error when it fails.
fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot run {:?}", command.get_program()))?;
    if !status.success() {
        bail!("{:?} failed ({status})", command.get_program());
    }
    Ok(())
}
