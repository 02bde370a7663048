//! `cargo xtask integration`: the tests that need a real outside tool, and the spec checks.
//!
//! Plain `cargo test --workspace --locked` needs only the Rust toolchain. A test that
//! needs a real tool (Prometheus, promtool, …) is a normal `#[test]` marked
//! `#[ignore = "real tool: <tool>; run by cargo xtask integration"]`. This command
//!
//! 1. installs every tool of [`TOOLS`] that is not on `PATH` yet (Debian packages with
//!    apt-get, which needs root; PyPI packages into `target/integration/venv`; npm
//!    packages into `target/integration/npm`), and fails — never skips — naming the
//!    package when one cannot be had;
//! 2. runs `cargo test --workspace --locked --tests -- --ignored` (no doctests: their
//!    `ignore` blocks are not tests) with those tools first on `PATH`;
//! 3. runs the three spec checks (`fuzz-api --seed 1`, `mock-check`, `proxy-check`), which
//!    install their own pinned tools under `target/spec-check` (see [`crate::spec_check`]).
//!
//! `--tests-only` stops after step 2.

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::python::{make_venv, quiet};
use crate::spec_check::{self, FuzzOptions, MockOptions};

/// Where a tool comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A Debian package (`apt-get install -y NAME`, as root).
    Apt(&'static str),
    /// A PyPI requirement (`pip install SPEC` into `target/integration/venv`).
    Pip(&'static str),
    /// An npm package (`npm install SPEC` into the prefix `target/integration/npm`).
    Npm(&'static str),
}

/// One outside tool the ignored tests run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// The commands the tests look up on `PATH`; all must be there after installation.
    pub commands: &'static [&'static str],
    /// The package that provides them.
    pub source: Source,
    /// The tests that need it.
    pub needed_by: &'static str,
}

/// Every outside tool of the ignored tests: add a row when a test needs a new one.
pub const TOOLS: &[Tool] = &[
    Tool {
        commands: &["prometheus", "promtool"],
        source: Source::Apt("prometheus"),
        needed_by: "crates/tv-cli/tests/cli/prometheus.rs",
    },
    Tool {
        commands: &["carbon-cache"],
        source: Source::Apt("graphite-carbon"),
        needed_by: "crates/tv-cli/tests/cli/graphite.rs",
    },
    Tool {
        commands: &["whisper-fetch"],
        source: Source::Apt("python3-whisper"),
        needed_by: "crates/tv-cli/tests/cli/graphite.rs",
    },
    Tool {
        commands: &["statsd"],
        source: Source::Npm("statsd@0.9.0"),
        needed_by: "crates/tv-cli/tests/cli/graphite.rs",
    },
    Tool {
        commands: &["openssl"],
        source: Source::Apt("openssl"),
        needed_by: "crates/tv-cli/tests/cli/prometheus.rs",
    },
    Tool {
        commands: &["tmux"],
        source: Source::Apt("tmux"),
        needed_by: "crates/tv-cli/tests/cli/terminal_tmux.rs",
    },
    Tool {
        // The venv's own python3, first on the tests' PATH, imports the package.
        commands: &["python3"],
        source: Source::Pip("opentelemetry-proto==1.45.2"),
        needed_by: "crates/tv-cli/tests/cli/otlp.rs",
    },
];

/// The options of `integration`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Stop after the ignored tests (no spec checks).
    pub tests_only: bool,
}

impl Options {
    /// Parses `[--tests-only]`.
    pub fn parse(args: &[&str]) -> Result<Options> {
        match args {
            [] => Ok(Options::default()),
            ["--tests-only"] => Ok(Options { tests_only: true }),
            _ => bail!("usage: cargo xtask integration [--tests-only]"),
        }
    }
}

/// Runs the whole integration suite (see the module docs).
pub fn run(root: &Path, options: &Options) -> Result<()> {
    let dir = root.join("target").join("integration");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = search_path(&dir)?;
    install_missing(&dir, &path)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("integration: cargo test --workspace --locked --tests -- --ignored");
    let status = Command::new(cargo)
        .current_dir(root)
        // `--tests`: no doctests, whose `ignore` blocks are not meant to run at all.
        .args([
            "test",
            "--workspace",
            "--locked",
            "--tests",
            "--",
            "--ignored",
        ])
        .env("PATH", &path)
        .status()
        .context("cannot run cargo test")?;
    if !status.success() {
        bail!("the tests that need real tools failed ({status})");
    }
    if options.tests_only {
        return Ok(());
    }
    spec_check::fuzz_api(root, &FuzzOptions::default())?;
    spec_check::mock_check(root, &MockOptions::default())?;
    spec_check::proxy_check(root)
}

/// `PATH` with the local installs first: the venv's `bin` and npm's `node_modules/.bin`.
fn search_path(dir: &Path) -> Result<OsString> {
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    let local = [
        venv(dir).join("bin"),
        npm_prefix(dir).join("node_modules/.bin"),
    ];
    std::env::join_paths(local.into_iter().chain(std::env::split_paths(&inherited)))
        .context("PATH holds a directory that cannot be joined")
}

fn venv(dir: &Path) -> PathBuf {
    dir.join("venv")
}

fn npm_prefix(dir: &Path) -> PathBuf {
    dir.join("npm")
}

/// The tools of [`TOOLS`] with a command missing: from `path`, or for a PyPI package
/// from the venv itself (a `python3` elsewhere on `PATH` does not import it). With
/// `fresh_venv`, every PyPI tool counts as missing: the venv is made anew each run, so
/// one cut short before is never taken for complete.
fn missing(dir: &Path, path: &OsString, fresh_venv: bool) -> Vec<Tool> {
    let venv_bin = OsString::from(venv(dir).join("bin"));
    TOOLS
        .iter()
        .filter(|tool| match tool.source {
            Source::Pip(_) if fresh_venv => true,
            Source::Pip(_) => tool.commands.iter().any(|c| find(&venv_bin, c).is_none()),
            _ => tool.commands.iter().any(|c| find(path, c).is_none()),
        })
        .copied()
        .collect()
}

/// `command`'s full path in the directories of `path`, if it is an executable file there.
fn find(path: &OsString, command: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path)
        .map(|dir| dir.join(command))
        .find(|candidate| {
            candidate
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Installs what is missing, source by source, then checks that every command is there.
fn install_missing(dir: &Path, path: &OsString) -> Result<()> {
    let wanted = missing(dir, path, true);
    let of = |pick: fn(Source) -> Option<&'static str>| -> Vec<&'static str> {
        wanted.iter().filter_map(|tool| pick(tool.source)).collect()
    };
    let apt = of(|s| {
        if let Source::Apt(p) = s {
            Some(p)
        } else {
            None
        }
    });
    let pip = of(|s| {
        if let Source::Pip(p) = s {
            Some(p)
        } else {
            None
        }
    });
    let npm = of(|s| {
        if let Source::Npm(p) = s {
            Some(p)
        } else {
            None
        }
    });
    if !apt.is_empty() {
        apt_install(&apt)?;
    }
    if !pip.is_empty() {
        eprintln!(
            "integration: pip install {} (into {})",
            pip.join(" "),
            venv(dir).display()
        );
        make_venv(&venv(dir), &[&pip]).context("the PyPI tools could not be installed")?;
    }
    if !npm.is_empty() {
        let prefix = npm_prefix(dir);
        eprintln!(
            "integration: npm install {} (into {})",
            npm.join(" "),
            prefix.display()
        );
        spec_check::tools::npm_install(&prefix, &npm)
            .context("the npm tools could not be installed")?;
    }
    let still = missing(dir, path, false);
    if let Some(tool) = still.first() {
        bail!(
            "{} still missing after installing {:?} (needed by {})",
            tool.commands.join(", "),
            tool.source,
            tool.needed_by
        );
    }
    Ok(())
}

/// `apt-get update` then `apt-get install -y PACKAGES…`; root only.
fn apt_install(packages: &[&str]) -> Result<()> {
    let line = format!("apt-get install -y {}", packages.join(" "));
    // `/proc/self` belongs to the process's effective user (proc(5)).
    let euid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    if euid != Some(0) {
        bail!("missing Debian packages; as root run: apt-get update && {line}");
    }
    eprintln!("integration: apt-get update && {line}");
    quiet(Command::new("apt-get").arg("update")).context("apt-get update failed")?;
    quiet(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
    .with_context(|| format!("`{line}` failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_names_a_package_commands_and_tests() {
        for tool in TOOLS {
            assert!(!tool.commands.is_empty(), "{tool:?}");
            let (Source::Apt(p) | Source::Pip(p) | Source::Npm(p)) = tool.source;
            assert!(!p.is_empty(), "{tool:?}");
            let tests = crate::workspace_root().join(tool.needed_by);
            assert!(tests.exists(), "{tool:?}");
        }
    }

    #[test]
    fn options_parse() {
        assert_eq!(Options::parse(&[]).unwrap(), Options::default());
        assert!(Options::parse(&["--tests-only"]).unwrap().tests_only);
        assert!(Options::parse(&["--what"]).is_err());
    }

    #[test]
    fn local_installs_come_first_on_the_path() {
        let path = search_path(Path::new("/x")).unwrap();
        let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
        assert_eq!(dirs[0], Path::new("/x/venv/bin"));
        assert_eq!(dirs[1], Path::new("/x/npm/node_modules/.bin"));
    }
}
