//! Independent tools against the spec, both ways:
//!
//! ```text
//! cargo xtask fuzz-api [--seed N] [--max-examples N]   Schemathesis against the sandbox
//! cargo xtask mock-check [--seeds 1,2,3]               tv against Prism's generated answers
//! cargo xtask proxy-check                              python-traceview through Prism's
//!                                                      validating proxy to the sandbox
//! ```
//!
//! The tools are pinned and installed under `target/spec-check/`: Schemathesis from PyPI
//! into `venv/`, Stoplight Prism from npm into `npm/`; python-traceview 0.7.0 comes from
//! the bench's venv (`target/bench/venv`). A tool that cannot be installed is an error,
//! never a skip. Everything listens on loopback only.

mod fuzz;
mod mock;
mod proxy;
pub(crate) mod tools;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

pub use fuzz::{FuzzOptions, fuzz_api};
pub use mock::{MockOptions, mock_check};
pub use proxy::proxy_check;

/// The sandbox's access key in these checks.
pub(crate) const KEY: &str = "sandbox";

/// The sandbox's frozen clock in these checks.
pub(crate) const NOW: &str = "2024-01-03T12:00:00Z";

/// `target/spec-check`, created.
pub(crate) fn work_dir(root: &Path) -> Result<PathBuf> {
    let dir = root.join("target").join("spec-check");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// The debug `tv` and `tv-sandbox`, built now.
pub(crate) struct Binaries {
    pub tv: PathBuf,
    pub sandbox: PathBuf,
}

pub(crate) fn build(root: &Path) -> Result<Binaries> {
    let built = crate::binaries::build_binaries(root, false)?;
    Ok(Binaries {
        tv: crate::binaries::binary(&built, "tv")?,
        sandbox: crate::binaries::binary(&built, "tv-sandbox")?,
    })
}

/// The spec as Prism needs it: Prism serves the paths as written and ignores the
/// servers' `/api-v2` base path, while `tv` and python-traceview put it in every URL. So
/// the copy (JSON, merge keys applied) has every path prefixed with `/api-v2`.
pub(crate) fn prism_spec(root: &Path, dir: &Path) -> Result<PathBuf> {
    let path = root.join(crate::codegen::SPEC_PATH);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    crate::codegen::parse_and_lint(&text)?;
    let mut yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)?;
    yaml.apply_merge()?;
    let mut spec: serde_json::Value = serde_yaml_ng::from_value(yaml)?;
    let paths = spec
        .get_mut("paths")
        .and_then(serde_json::Value::as_object_mut)
        .ok_or_else(|| anyhow!("the spec has no paths"))?;
    let prefixed: serde_json::Map<String, serde_json::Value> = std::mem::take(paths)
        .into_iter()
        .map(|(p, item)| (format!("/api-v2{p}"), item))
        .collect();
    *paths = prefixed;
    let out = dir.join("traceview-v2.prism.json");
    std::fs::write(&out, serde_json::to_vec_pretty(&spec)?)?;
    Ok(out)
}

/// A free loopback port (bound and released: Prism takes a port number, not a socket).
pub(crate) fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A background Prism (mock or proxy) on `127.0.0.1:port`, killed by its pid and reaped
/// on drop.
pub(crate) struct Prism {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Prism {
    /// Starts `prism ARGS… -h 127.0.0.1 -p PORT` and waits until it accepts connections.
    pub(crate) fn start(prism: &Path, args: &[&str], log: PathBuf) -> Result<Prism> {
        let port = free_port()?;
        let out = std::fs::File::create(&log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let child = Command::new(prism)
            .args(args)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("cannot start {}", prism.display()))?;
        let mut running = Prism { child, port, log };
        running.wait_ready()?;
        Ok(running)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "prism exited ({status}) before listening; see {}",
                    self.log.display()
                );
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!(
            "prism did not listen on {addr} within 90 s; see {}",
            self.log.display()
        )
    }

    /// `http://127.0.0.1:PORT/api-v2`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/api-v2", self.port)
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The sandbox for a check: debug build, frozen clock, the check's key, a free port.
pub(crate) fn start_sandbox(
    binaries: &Binaries,
    dir: &Path,
    name: &str,
) -> Result<crate::sandbox::Sandbox> {
    crate::sandbox::Sandbox::start(
        &binaries.sandbox,
        &["--now", NOW, "--api-key", KEY],
        &dir.join(format!("{name}-sandbox.log")),
    )
}

/// Seconds since `started`, for the closing line of each check.
pub(crate) fn elapsed(started: Instant) -> String {
    format!("{:.1} s", started.elapsed().as_secs_f64())
}
