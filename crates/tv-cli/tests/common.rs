//! A sandbox for the CLI tests: in-process, on 127.0.0.1:0, frozen clock, fixed seed.

#![allow(dead_code)]

use std::sync::OnceLock;

use assert_cmd::Command;

/// The sandbox's frozen "now": 2024-01-03T12:00:00Z.
pub const NOW: i64 = 1_704_283_200;
/// `--end` matching [`NOW`].
pub const END: &str = "2024-01-03T12:00:00Z";
/// The key the sandbox accepts.
pub const KEY: &str = "sandbox-test-key-7f3a9c";

/// A sandbox running on its own thread and runtime until the test process ends.
pub struct Sandbox {
    /// The sandbox's base URL, ending in `/api-v2`.
    pub base_url: String,
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
    configure: impl FnOnce(&mut tv_sandbox::server::SandboxConfig) + Send + 'static,
) -> (Sandbox, tv_sandbox::server::Sandbox) {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let mut config = tv_sandbox::server::SandboxConfig::demo();
            config.now = Some(NOW);
            config.api_keys = vec![KEY.to_string()];
            configure(&mut config);
            let sandbox = tv_sandbox::server::start(config).await.unwrap();
            sender
                .send((sandbox.base_url().to_string(), sandbox.sandbox().clone()))
                .unwrap();
            std::future::pending::<()>().await;
            drop(sandbox);
        });
    });
    let (base_url, state) = receiver.recv().unwrap();
    (Sandbox { base_url }, state)
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
