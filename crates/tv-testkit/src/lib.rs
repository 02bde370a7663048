//! An in-process TraceView: [tv-sandbox](tv_sandbox) on a free loopback port, with its
//! seeded, self-consistent demo data, and a [`TraceView`] client for it. For the tests,
//! examples, benches and `tv --demo`: no account, no network.
//!
//! This crate stands above both the client and the server (`tv-testkit → tv-client +
//! tv-sandbox`), so `tv-client` itself depends on no server; its tests, examples and
//! benches take this crate as a dev-dependency.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use tv_testkit::LocalSandbox;
//!
//! // Demo data at a fixed "now", so every answer is the same on every run.
//! let sandbox = LocalSandbox::frozen_at(tv_testkit::FROZEN_NOW).await?;
//! let apps = sandbox.client().discovery().apps().await?;
//! assert!(apps.iter().any(|app| app == "web-shop"));
//! # Ok(()) }
//! ```
//!
//! A [`LocalSandbox`] runs on the current tokio runtime (a `current_thread` one works
//! too) until it is dropped. A program without a runtime (the
//! blocking client (`tv_client::blocking`), a command under test) starts a
//! [`SandboxThread`] instead: the server on a thread and runtime of its own.

pub use tv_sandbox::server::{FROZEN_NOW, RunningSandbox, Sandbox, SandboxConfig, StartError};

use tv_client::{Error, TraceView, TraceViewBuilder};

/// Why a [`LocalSandbox`] did not start.
#[derive(Debug, thiserror::Error)]
pub enum LocalSandboxError {
    /// The server did not start (a bad configuration, a state file, the port).
    #[error("the sandbox did not start: {0}")]
    Start(#[source] StartError),
    /// The thread or the runtime of a [`SandboxThread`] could not be made.
    #[error("the sandbox's thread did not start: {0}")]
    Thread(#[source] std::io::Error),
    /// The client for it could not be built.
    #[error("no client for the sandbox: {0}")]
    Client(#[source] Error),
}

/// A running sandbox server and a client for it. Dropping it stops the server.
#[derive(Debug)]
pub struct LocalSandbox {
    client: TraceView,
    key: String,
    server: RunningSandbox,
}

impl LocalSandbox {
    /// The demo world on the system clock: what `tv --demo` shows.
    pub async fn demo() -> Result<LocalSandbox, LocalSandboxError> {
        LocalSandbox::start(SandboxConfig::demo()).await
    }

    /// The demo world with "now" frozen at `now` (epoch seconds): the same answers on
    /// every run.
    pub async fn frozen_at(now: i64) -> Result<LocalSandbox, LocalSandboxError> {
        LocalSandbox::start(SandboxConfig::demo_at(now)).await
    }

    /// A sandbox of this configuration, with a client of the default settings.
    pub async fn start(config: SandboxConfig) -> Result<LocalSandbox, LocalSandboxError> {
        LocalSandbox::start_with(config, |builder| builder).await
    }

    /// A sandbox of this configuration, with a client that `configure` sets up further
    /// (timeouts, retries, limits); its site and key are already the sandbox's.
    pub async fn start_with(
        config: SandboxConfig,
        configure: impl FnOnce(TraceViewBuilder) -> TraceViewBuilder,
    ) -> Result<LocalSandbox, LocalSandboxError> {
        let key = config.first_key().to_owned();
        let server = tv_sandbox::server::start(config)
            .await
            .map_err(LocalSandboxError::Start)?;
        let client = configure(client_builder(server.base_url(), &key))
            .build()
            .map_err(LocalSandboxError::Client)?;
        Ok(LocalSandbox {
            client,
            key,
            server,
        })
    }

    /// The client for the sandbox.
    pub fn client(&self) -> &TraceView {
        &self.client
    }

    /// The sandbox's base URL, e.g. `http://127.0.0.1:41234/api-v2`.
    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    /// The key the sandbox takes (the client already sends it).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The server: its world, fault counts and graceful shutdown.
    pub fn server(&self) -> &RunningSandbox {
        &self.server
    }

    /// The server, to stop it gracefully ([`RunningSandbox::shutdown`]).
    pub fn into_server(self) -> RunningSandbox {
        self.server
    }
}

/// A sandbox server on a thread and tokio runtime of its own, for programs and tests
/// without a runtime. It serves until this handle is dropped.
#[derive(Debug)]
pub struct SandboxThread {
    base_url: String,
    key: String,
    sandbox: Sandbox,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl SandboxThread {
    /// Starts a sandbox of this configuration on a new thread, and returns once it
    /// listens.
    pub fn start(config: SandboxConfig) -> Result<SandboxThread, LocalSandboxError> {
        let key = config.first_key().to_owned();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(LocalSandboxError::Thread)?;
        let (started, listening) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("tv-sandbox".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tv_sandbox::server::start(config).await {
                        Ok(server) => {
                            let address = (server.base_url().to_owned(), server.sandbox().clone());
                            if started.send(Ok(address)).is_ok() {
                                // Dropping the handle (or its sender) ends the wait.
                                let _ = stopped.await;
                            }
                            drop(server);
                        }
                        Err(error) => drop(started.send(Err(error))),
                    }
                });
            })
            .map_err(LocalSandboxError::Thread)?;
        let (base_url, sandbox) = listening
            .recv()
            .map_err(|_| LocalSandboxError::Thread(std::io::Error::other("the thread ended")))?
            .map_err(LocalSandboxError::Start)?;
        Ok(SandboxThread {
            base_url,
            key,
            sandbox,
            _stop: stop,
        })
    }

    /// The sandbox's base URL, e.g. `http://127.0.0.1:41234/api-v2`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The key the sandbox takes.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The server state: its world and fault counts.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// A client builder for the sandbox: its site and key.
    pub fn client_builder(&self) -> TraceViewBuilder {
        client_builder(&self.base_url, &self.key)
    }
}

/// A client builder for the sandbox at `base_url` that takes `key`.
fn client_builder(base_url: &str, key: &str) -> TraceViewBuilder {
    TraceView::builder().site(base_url).api_key(key)
}
