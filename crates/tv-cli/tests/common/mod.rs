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
