//! A sandbox for the CLI tests: in-process, on 127.0.0.1:0, frozen clock, fixed seed.

#![allow(dead_code)]

use std::sync::OnceLock;

use assert_cmd::Command;
use tv_testkit::{SandboxConfig, SandboxThread};

/// The sandbox's frozen "now": 2024-01-03T12:00:00Z.
pub const NOW: i64 = tv_testkit::FROZEN_NOW;
/// `--end` matching [`NOW`].
pub const END: &str = "2024-01-03T12:00:00Z";
/// The key the sandbox accepts.
pub const KEY: &str = "sandbox-test-key-7f3a9c";

/// A sandbox running on its own thread and runtime while this handle lives.
pub struct Sandbox {
    /// The sandbox's base URL, ending in `/api-v2`.
    pub base_url: String,
    _thread: Option<SandboxThread>,
}

impl Sandbox {
    /// A server this process does not run (a `tv sandbox` child), at this base URL.
    pub fn at(base_url: impl Into<String>) -> Sandbox {
        Sandbox {
            base_url: base_url.into(),
            _thread: None,
        }
    }

    /// A base URL where nothing listens (a loopback port just released).
    pub fn dead() -> Sandbox {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        Sandbox::at(format!("http://{address}/api-v2"))
    }
}

/// Starts a sandbox with the given fault settings.
pub fn start(fault_rate: f64, faults: &[&str]) -> Sandbox {
    let faults: Vec<tv_sandbox::server::FaultKind> =
        faults.iter().map(|f| f.parse().unwrap()).collect();
    start_with(move |config| {
        config.fault_rate = fault_rate;
        config.faults = faults;
    })
    .0
}

/// Starts a sandbox with the tests' clock and key and whatever else `configure` sets;
/// also returns the server state (fault counts, the world).
pub fn start_with(
    configure: impl FnOnce(&mut SandboxConfig),
) -> (Sandbox, tv_sandbox::server::Sandbox) {
    let mut config = SandboxConfig::demo_at(NOW);
    config.api_keys = vec![KEY.to_string()];
    configure(&mut config);
    let thread = SandboxThread::start(config).expect("the sandbox starts");
    let state = thread.sandbox().clone();
    let sandbox = Sandbox {
        base_url: thread.base_url().to_owned(),
        _thread: Some(thread),
    };
    (sandbox, state)
}

/// One shared, fault-free sandbox for read-only tests.
pub fn shared() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| start(0.0, &[]))
}

/// `tv` pointed at a sandbox, with a clean environment.
pub fn tv(sandbox: &Sandbox) -> Command {
    let mut command = Command::cargo_bin("tv").unwrap();
    command
        .env_clear()
        .env("HOME", "/nonexistent/tv-cli-tests-home")
        .env("TV_CONFIG", "/nonexistent/tv-cli-tests/config.toml")
        .args([
            "--base-url",
            &sandbox.base_url,
            "--api-key",
            KEY,
            "--color",
            "never",
        ]);
    command
}

/// `tv` with this config file and a clean environment.
pub fn tv_with_config(path: &std::path::Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("tv").unwrap();
    command
        .env_clear()
        .env("TV_CONFIG", path)
        .args(["--color", "never"]);
    command
}

/// Runs and returns (exit code, stdout, stderr).
pub fn run(mut command: Command) -> (i32, String, String) {
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Replaces the sandbox's random port so snapshots are stable.
pub fn stable(text: &str, sandbox: &Sandbox) -> String {
    text.replace(&sandbox.base_url, "http://127.0.0.1:PORT/api-v2")
}

/// A child process killed (and reaped) when the test ends, however it ends.
pub struct Guard(pub std::process::Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tv` with `args` (no configuration from the environment) and reads the first
/// line it prints; the child and that line (the exporter's URL).
pub fn spawn_tv(args: &[&str]) -> (Guard, String) {
    spawn_tv_with_env(args, &[])
}

/// [`spawn_tv`] with these environment variables set too.
pub fn spawn_tv_with_env(args: &[&str], env: &[(&str, &str)]) -> (Guard, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tv"))
        .env_clear()
        .env("TV_CONFIG", "/nonexistent/tv-cli-tests/config.toml")
        .envs(env.iter().copied())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take();
    let guard = Guard(child);
    let mut line = String::new();
    if let Some(stdout) = stdout {
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
    }
    (guard, line.trim().to_owned())
}

/// Starts `tv exporter` on a free loopback port for `base_url` and `key`, with `extra`
/// arguments; the child and the host:port it serves on (from the URL it prints first).
pub fn spawn_exporter(base_url: &str, key: &str, extra: &[&str]) -> (Guard, String) {
    let mut args = vec!["--base-url", base_url, "--api-key", key];
    args.extend(["exporter", "--listen", "127.0.0.1:0"]);
    args.extend(extra);
    let (guard, url) = spawn_tv(&args);
    let address = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("exporter said {url:?}"))
        .to_string();
    (guard, address)
}

/// `tv exporter` against `sandbox` (see [`spawn_exporter`]).
pub fn exporter(sandbox: &Sandbox, key: &str, extra: &[&str]) -> (Guard, String) {
    spawn_exporter(&sandbox.base_url, key, extra)
}

/// The path of an outside tool, or a loud failure saying which package brings it (the
/// real-tool tests never skip).
pub fn tool(name: &str, package: &str) -> String {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    match found {
        Some(path) => path.to_string_lossy().into_owned(),
        None => panic!(
            "{name} is not installed: this test needs {package} (cargo xtask integration installs it)"
        ),
    }
}

/// A loopback port free a moment ago.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Samples of one app: leaf name (the family without `traceview_`) → (timestamp, value).
pub type Samples = std::collections::BTreeMap<String, Vec<(i64, f64)>>;

/// `app`'s samples in a `tv export openmetrics` document.
pub fn openmetrics_samples(text: &str, app: &str) -> Samples {
    let mut out = Samples::new();
    let label = format!("{{app=\"{app}\"}}");
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((name, rest)) = line.split_once(&label) else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let (Some(value), Some(at)) = (fields.next(), fields.next()) else {
            panic!("no value and timestamp in {line:?}")
        };
        let leaf = name.strip_prefix("traceview_").unwrap_or(name);
        out.entry(leaf.to_string()).or_default().push((
            at.parse().unwrap_or_else(|e| panic!("{line:?}: {e}")),
            value.parse().unwrap_or_else(|e| panic!("{line:?}: {e}")),
        ));
    }
    out
}

/// The statsd gauges a scrape of `tv exporter` (Prometheus text) promises under
/// `prefix`: `PREFIX.up`, `PREFIX.APP.LEAF`, `PREFIX.APP.layer.LAYER.LEAF` (the apps and
/// layers must be safe names already): the series labelled by app, and `up`.
pub fn statsd_gauges(body: &str, prefix: &str) -> std::collections::BTreeMap<String, f64> {
    let mut out = std::collections::BTreeMap::new();
    for line in body.lines().filter(|l| !l.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let (name, labels) = series.split_once('{').unwrap_or((series, "}"));
        let leaf = name.strip_prefix("traceview_").unwrap_or(name);
        // TraceView's numbers (per app, per layer) and `up`; not the exporter's own
        // counters, timings and build information.
        if !(labels.starts_with("app=") || (leaf == "up" && labels == "}")) {
            continue;
        }
        let mut path = prefix.to_string();
        for label in labels
            .trim_end_matches('}')
            .split(',')
            .filter(|l| !l.is_empty())
        {
            let (key, value) = label.split_once('=').unwrap_or((label, ""));
            let value = value.trim_matches('"');
            assert!(
                value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{value:?} is not a safe name already"
            );
            if key == "layer" {
                path.push_str(".layer");
            }
            path.push('.');
            path.push_str(value);
        }
        path.push('.');
        path.push_str(leaf);
        let value: f64 = value.parse().unwrap_or_else(|e| panic!("{line:?}: {e}"));
        out.insert(path, value);
    }
    out
}
