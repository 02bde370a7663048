//! The HTTP server: the 28 endpoints of TraceView API v2 over the live [`World`], with
//! both parameter transports, the error envelope, fault injection and hardening.
//!
//! ```no_run
//! use tv_sandbox::server::{SandboxConfig, start};
//!
//! # async fn demo() -> Result<(), tv_sandbox::server::StartError> {
//! let config = SandboxConfig::demo();
//! let key = config.first_key().to_owned();
//! let sandbox = start(config).await?;
//! println!("{}/apps?key={key}", sandbox.base_url());
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Status codes
//!
//! | status | when |
//! |---|---|
//! | 200 | success, always `{"data": ..., "response": "ok"}` |
//! | 400 | a bad parameter, named in the message (`time_window`, `time_end`, `since_time`, `time_start`, `time`, `message`, `appname`, `hostname`, `layer`, `tags`, `app`), a body that is not a form, an unknown `X-Sandbox-Fault` |
//! | 403 | a missing or wrong `key` |
//! | 404 | an unknown path, app or host |
//! | 405 | a known path with another method (with `Allow`) |
//! | 408 | a request body that did not arrive within the request deadline ([`Limits`]) |
//! | 413 | a request body over [`MAX_BODY_BYTES`] (a malformed body is 400) |
//! | 414 | a query string over [`MAX_QUERY_BYTES`] |
//! | 429 | with [`SandboxConfig::rate_limit`], a key over its rate (with `Retry-After`) |
//! | 500 | the state file could not be written (the write did not happen) |
//! | 503 | a connection over the connection cap ([`Limits`]), then closed |
//!
//! Checks run in this order: limits (414/413), body type (400), path (404/405), key
//! (403), rate limit (429), parameters (400), lookups (404). Injected faults add 429, 500, 502, 503, 302,
//! a `200` with a cut body, a held answer and a dropped connection (see [`faults`]).
//!
//! [`World`]: crate::World

mod cache;
mod computed;
mod config;
mod conn;
mod envelope;
mod error;
pub mod faults;
mod front;
mod inject;
pub mod limits;
pub mod log;
mod params;
mod ratelimit;
mod reads;
mod routes;
mod sandbox;
mod truth;
mod writes;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use config::{
    DEFAULT_API_KEY, DEFAULT_BIND, DEFAULT_SEED, FROZEN_NOW, SandboxConfig, StartError,
};
pub use conn::SHUTDOWN_GRACE;
pub use faults::{FAULT_HEADER, FaultCounts, FaultKind, SLOW_FAULT_DELAY};
pub use front::{MAX_BODY_BYTES, MAX_QUERY_BYTES};
pub use limits::Limits;
pub use routes::{API_PREFIX, router};
pub use sandbox::Sandbox;
pub use truth::{DEFAULT_INCIDENT_SPAN, INCIDENTS_PATH};

/// Starts a sandbox: opens the world (state-file errors surface here), binds
/// `config.bind` and spawns the server on the current tokio runtime (a
/// `current_thread` runtime works too). The server runs until
/// [`RunningSandbox::shutdown`] or until the handle is dropped.
pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, StartError> {
    config.validate()?;
    let opening = config.clone();
    let sandbox = tokio::task::spawn_blocking(move || Sandbox::open(&opening))
        .await
        .map_err(|e| StartError::Internal(format!("opening the world failed: {e}")))??;
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.bind,
        source,
    })?;
    let task = tokio::spawn(conn::serve(
        listener,
        router(sandbox.clone()),
        sandbox.clone(),
        config.limits,
    ));
    Ok(RunningSandbox {
        base_url: format!("http://{addr}{API_PREFIX}"),
        addr,
        sandbox,
        task: Some(task),
    })
}

/// A running sandbox server. Dropping it stops the server at once (in-flight requests
/// are dropped); [`RunningSandbox::shutdown`] stops it gracefully.
#[derive(Debug)]
pub struct RunningSandbox {
    base_url: String,
    addr: SocketAddr,
    sandbox: Sandbox,
    task: Option<JoinHandle<()>>,
}

impl RunningSandbox {
    /// The base URL clients use, e.g. `http://127.0.0.1:41234/api-v2`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The injected faults so far, per kind.
    pub fn fault_counts(&self) -> FaultCounts {
        self.sandbox.fault_counts()
    }

    /// The server state (its world, for direct reads).
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Stops accepting, closes idle connections, lets in-flight answers finish (held
    /// `slow` answers are released at once) for at most [`SHUTDOWN_GRACE`], then stops.
    pub async fn shutdown(mut self) {
        self.sandbox.begin_shutdown();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            self.sandbox.begin_shutdown();
            task.abort();
        }
    }
}
