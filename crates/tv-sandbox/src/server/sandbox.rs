//! [`Sandbox`]: what every request handler shares.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::state::{Clock, SliceMemo, World, WorldConfig};

use super::cache::ResponseCache;
use super::config::{SandboxConfig, StartError};
use super::faults::{FaultCounts, Faults};
use super::params::Keys;
use super::ratelimit::RateLimiter;

/// The state of one sandbox server: the world, the accepted keys, the fault injector,
/// the added latency and the answer memo. Cheap to clone (one `Arc`).
///
/// Build one with [`Sandbox::open`] (or [`Sandbox::in_memory`]) and serve it with
/// [`super::router`]; [`super::start`] does both and listens.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Sandbox {
    /// A summary (the world itself is large), never the keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("seed", &self.world().catalog().seed)
            .field("apps", &self.world().catalog().apps().len())
            .field("keys", &self.inner.keys)
            .field("latency", &self.inner.latency)
            .field("fault_counts", &self.fault_counts())
            .finish_non_exhaustive()
    }
}

struct Inner {
    world: Arc<World>,
    keys: Keys,
    faults: Faults,
    latency: Option<Duration>,
    cache: ResponseCache,
    slices: Option<Arc<SliceMemo>>,
    rate_limit: Option<RateLimiter>,
    request_deadline: Duration,
    shutdown: watch::Sender<bool>,
}

impl Sandbox {
    /// Opens the world of `config` (reading the state file, which may fail) and prepares
    /// the server state. Blocking: it generates the catalog and may `fsync`.
    pub fn open(config: &SandboxConfig) -> Result<Sandbox, StartError> {
        config.validate()?;
        let world = World::open(WorldConfig {
            seed: config.seed,
            apps: config.apps,
            clock: clock(config.now),
            state_file: config.state_file.clone(),
        })?;
        Ok(Sandbox::with_world(world, config))
    }

    /// A sandbox over an in-memory world of `config` (its `state_file` is ignored).
    pub fn in_memory(config: &SandboxConfig) -> Sandbox {
        let world = World::in_memory(config.seed, config.apps, clock(config.now));
        Sandbox::with_world(world, config)
    }

    fn with_world(world: World, config: &SandboxConfig) -> Sandbox {
        let (shutdown, _) = watch::channel(false);
        let (answers, windows) = config.limits.memo_split();
        Sandbox {
            inner: Arc::new(Inner {
                world: Arc::new(world),
                keys: Keys::new(&config.accepted_keys()),
                faults: Faults::new(config.seed, config.fault_rate, config.fault_kinds()),
                latency: config.latency.filter(|d| !d.is_zero()),
                cache: ResponseCache::new(answers),
                slices: (windows > 0).then(|| Arc::new(SliceMemo::new(windows))),
                rate_limit: config.rate_limit.map(RateLimiter::new),
                request_deadline: config.limits.request_deadline,
                shutdown,
            }),
        }
    }

    /// The live world (for direct reads in tests and tools).
    pub fn world(&self) -> &World {
        &self.inner.world
    }

    /// The world, shared (for blocking writes).
    pub(crate) fn world_arc(&self) -> Arc<World> {
        Arc::clone(&self.inner.world)
    }

    /// The injected faults so far, per kind.
    pub fn fault_counts(&self) -> FaultCounts {
        self.inner.faults.counts()
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.inner.keys
    }

    /// The per-key rate limit, if any.
    pub(crate) fn rate_limit(&self) -> Option<&RateLimiter> {
        self.inner.rate_limit.as_ref()
    }

    pub(crate) fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    pub(crate) fn latency(&self) -> Option<Duration> {
        self.inner.latency
    }

    /// The time a client has to send a request's body.
    pub(crate) fn request_deadline(&self) -> Duration {
        self.inner.request_deadline
    }

    pub(crate) fn cache(&self) -> &ResponseCache {
        &self.inner.cache
    }

    /// The memo of computed windows the answers share (`None` with the memo off).
    pub(crate) fn slices(&self) -> Option<&Arc<SliceMemo>> {
        self.inner.slices.as_ref()
    }

    /// Tells everything that waits (slow faults, connections) that the server stops.
    pub(crate) fn begin_shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }

    /// A receiver that changes to `true` when the server stops.
    pub(crate) fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }
}

fn clock(now: Option<i64>) -> Clock {
    now.map_or(Clock::System, Clock::Frozen)
}

/// Waits until `rx` says the server stops (or its sender is gone).
pub(crate) async fn stopped(rx: &mut watch::Receiver<bool>) {
    // `wait_for` returns an error only when the sender is dropped: stopping too.
    let _ = rx.wait_for(|stop| *stop).await;
}
