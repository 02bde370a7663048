//! How to run a sandbox: [`SandboxConfig`] and the errors of [`super::start`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::state::{DEFAULT_APPS, MAX_APPS, OpenError};

use super::faults::FaultKind;
use super::limits::Limits;

/// The default listening address of the binary: loopback, port 8642.
pub const DEFAULT_BIND: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    8642,
));

/// The access key accepted when none is configured.
pub const DEFAULT_API_KEY: &str = "sandbox";

/// 2024-01-03T12:00:00Z (a Wednesday), in epoch seconds: the "now" tv's tests and
/// benchmarks freeze the sandbox at ([`SandboxConfig::demo_at`]), so their answers and
/// snapshots never change.
pub const FROZEN_NOW: i64 = 1_704_283_200;

/// The default seed.
pub const DEFAULT_SEED: u64 = 42;

/// Everything a sandbox needs to start.
///
/// Build one with [`SandboxConfig::default`] (the binary's defaults) or
/// [`SandboxConfig::demo`] (an ephemeral loopback port), then change fields:
///
/// ```
/// use tv_sandbox::server::SandboxConfig;
///
/// let config = SandboxConfig { seed: 7, now: Some(1_704_283_200), ..SandboxConfig::demo() };
/// assert_eq!(config.first_key(), "sandbox");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxConfig {
    /// Where to listen (default `127.0.0.1:8642`; port 0 picks a free port). A
    /// non-loopback address exposes the sandbox to the network: the binary warns.
    pub bind: SocketAddr,
    /// The seed the whole world derives from (default 42).
    pub seed: u64,
    /// A frozen "now" in seconds since the epoch; `None` follows the system clock.
    pub now: Option<i64>,
    /// The accepted access keys (default `["sandbox"]`; an empty list means the default).
    pub api_keys: Vec<String>,
    /// Number of apps, **`Default` included** (the world's convention): the default 6 is
    /// `Default` plus 5 named apps. `1..=`[`MAX_APPS`].
    pub apps: usize,
    /// Where writes are persisted (atomically, before they are acknowledged); `None`
    /// keeps them in memory. A corrupt or foreign file is a [`StartError::State`].
    pub state_file: Option<PathBuf>,
    /// The share of requests that get an injected fault, `0.0..=1.0`.
    pub fault_rate: f64,
    /// The kinds of fault to draw from; empty means all of [`FaultKind::ALL`].
    pub faults: Vec<FaultKind>,
    /// A delay added to every answer.
    pub latency: Option<Duration>,
    /// The resource limits (memo budget, connection cap, request deadline).
    pub limits: Limits,
    /// Requests per second per access key (a token bucket with a burst of one second's
    /// worth; may be fractional); past it a request gets `429` with `Retry-After`.
    /// `None` (the default) has no limit.
    pub rate_limit: Option<f64>,
}

impl Default for SandboxConfig {
    /// The binary's defaults: `127.0.0.1:8642`, seed 42, system clock, key `sandbox`,
    /// 6 apps, in memory, no faults, no added latency, no rate limit.
    fn default() -> Self {
        SandboxConfig {
            bind: DEFAULT_BIND,
            seed: DEFAULT_SEED,
            now: None,
            api_keys: vec![DEFAULT_API_KEY.to_owned()],
            apps: DEFAULT_APPS,
            state_file: None,
            fault_rate: 0.0,
            faults: Vec::new(),
            latency: None,
            limits: Limits::default(),
            rate_limit: None,
        }
    }
}

impl SandboxConfig {
    /// The configuration of `tv --demo` and of tests: `127.0.0.1:0` (a free port), seed 42,
    /// the system clock, key `sandbox`, the default apps, in memory, no faults.
    pub fn demo() -> SandboxConfig {
        SandboxConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..SandboxConfig::default()
        }
    }

    /// [`SandboxConfig::demo`] with "now" frozen at `now` (epoch seconds): the same
    /// answers on every run.
    pub fn demo_at(now: i64) -> SandboxConfig {
        SandboxConfig {
            now: Some(now),
            ..SandboxConfig::demo()
        }
    }

    /// The key clients should use: the first configured key, or `sandbox`.
    pub fn first_key(&self) -> &str {
        self.api_keys
            .first()
            .map_or(DEFAULT_API_KEY, String::as_str)
    }

    /// The accepted keys (the default key when none is configured).
    pub(crate) fn accepted_keys(&self) -> Vec<String> {
        if self.api_keys.is_empty() {
            vec![DEFAULT_API_KEY.to_owned()]
        } else {
            self.api_keys.clone()
        }
    }

    /// The fault kinds in effect (all of them when none is configured).
    pub(crate) fn fault_kinds(&self) -> Vec<FaultKind> {
        if self.faults.is_empty() {
            FaultKind::ALL.to_vec()
        } else {
            let mut kinds = self.faults.clone();
            kinds.dedup();
            kinds
        }
    }

    /// Checks the fields that the types do not constrain.
    pub(crate) fn validate(&self) -> Result<(), StartError> {
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(StartError::Config(format!(
                "the fault rate must be between 0 and 1 (got {})",
                self.fault_rate
            )));
        }
        if self.apps == 0 || self.apps > MAX_APPS {
            return Err(StartError::Config(format!(
                "the number of apps must be between 1 and {MAX_APPS} (got {})",
                self.apps
            )));
        }
        if let Some(rate) = self.rate_limit
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(StartError::Config(format!(
                "the rate limit must be a number of requests per second above 0 (got {rate})"
            )));
        }
        if self.limits.request_deadline.is_zero() {
            return Err(StartError::Config(
                "the request deadline must be longer than 0".to_owned(),
            ));
        }
        if self.api_keys.iter().any(|k| !valid_key(k)) {
            return Err(StartError::Config(
                "an API key must be 1 to 256 bytes without spaces or control characters".to_owned(),
            ));
        }
        Ok(())
    }
}

/// Whether a configured key is usable in a query string.
fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 256 && !key.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is invalid (fault rate, app count, keys).
    #[error("{0}")]
    Config(String),
    /// The state file cannot be used (unreadable, corrupt, of another world, unwritable).
    #[error("{0}")]
    State(#[source] OpenError),
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Something else went wrong (a background task failed).
    #[error("{0}")]
    Internal(String),
}

impl StartError {
    /// Whether the error is about the state file (the binary exits with 3).
    pub fn is_state_file(&self) -> bool {
        matches!(self, StartError::State(_))
    }
}

impl From<OpenError> for StartError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::InvalidApps { .. } => StartError::Config(e.to_string()),
            other => StartError::State(other),
        }
    }
}
