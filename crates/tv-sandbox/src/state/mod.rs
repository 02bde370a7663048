//! The live world: the seeded catalog plus the writes, shared by all request handlers.
//!
//! # Concurrency
//!
//! Reads take a [`View`]: two `Arc` clones under a read lock held for nanoseconds, then
//! no lock at all. Writes are serialised by a writer mutex; each one copies the current
//! writes, applies and validates the change on the copy, saves the copy to the state file
//! (when there is one) and only then publishes it under a brief write lock. So a write
//! is visible to reads only once it is durable, a failed write changes nothing, and
//! readers never wait for disk I/O.
//!
//! With a state file, the world holds its advisory lock for its whole life (a second
//! sandbox on the same file is refused with [`OpenError::Locked`], naming the holder's
//! pid), removes the temporary files a killed sandbox left, and refuses a path that is
//! not a regular file ([`OpenError::NotRegular`]) before opening it.
//!
//! All methods are synchronous; a write with a state file does disk I/O with `fsync`, so
//! async handlers should call writes through `tokio::task::spawn_blocking` (reads are
//! CPU-only and fast).

mod lock;
mod overlay;
mod persist;
mod slices;
mod view;
mod writes;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

pub use persist::{OpenError, STATE_FORMAT, STATE_VERSION};
pub use view::{ByLayer, HostInfo, Series, SeriesQuery, View};
pub use writes::{AssignApp, LogMessage, MAX_APP_NAME, MAX_LAYER_NAME, create_flag};

use crate::world::{Catalog, HostId, WorldError};
use overlay::Overlay;
pub(crate) use slices::SliceMemo;

/// The most apps a world can be generated with.
pub const MAX_APPS: usize = 100_000;

/// The default number of apps (`Default` included).
pub const DEFAULT_APPS: usize = 6;

/// Where "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A frozen instant (seconds since the epoch), for reproducible runs and snapshots.
    Frozen(i64),
}

impl Clock {
    /// The current instant in whole seconds since the epoch.
    pub fn now(&self) -> i64 {
        match self {
            Clock::Frozen(t) => *t,
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

/// How to build a world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldConfig {
    /// The seed everything derives from.
    pub seed: u64,
    /// Number of apps, `Default` included (1..=[`MAX_APPS`]).
    pub apps: usize,
    /// Where "now" comes from.
    pub clock: Clock,
    /// Where writes are persisted; `None` keeps them in memory.
    pub state_file: Option<PathBuf>,
}

impl Default for WorldConfig {
    fn default() -> Self {
        WorldConfig {
            seed: 0,
            apps: DEFAULT_APPS,
            clock: Clock::System,
            state_file: None,
        }
    }
}

/// The live world: catalog + writes, safe to share between threads (`Arc<World>`).
#[derive(Debug)]
pub struct World {
    catalog: Arc<Catalog>,
    apps: usize,
    clock: Clock,
    current: RwLock<Arc<Overlay>>,
    writer: Mutex<Option<PathBuf>>,
    /// The state file's lock, held for the world's life.
    _lock: Option<lock::StateLock>,
}

impl World {
    /// Builds the catalog and loads the state file (a missing file starts fresh and is
    /// created at once, so an unwritable location fails here rather than on the first
    /// write).
    pub fn open(config: WorldConfig) -> Result<World, OpenError> {
        if config.apps == 0 || config.apps > MAX_APPS {
            return Err(OpenError::InvalidApps {
                apps: config.apps,
                max: MAX_APPS,
            });
        }
        // The file itself, through any symlinks: the lock and every save act on it, so
        // the link stays a link and every spelling of the path shares one lock.
        let config = WorldConfig {
            state_file: config
                .state_file
                .as_deref()
                .map(lock::resolve)
                .transpose()?,
            ..config
        };
        let state_lock = match &config.state_file {
            None => None,
            Some(path) => {
                lock::check_regular(path)?;
                let held = lock::acquire(path)?;
                lock::remove_stale_temporaries(path);
                Some(held)
            }
        };
        let catalog = Catalog::generate(config.seed, config.apps, config.clock.now());
        let overlay = match &config.state_file {
            None => Overlay::fresh(&catalog),
            Some(path) => match persist::load(path, config.seed, config.apps)? {
                Some(data) => {
                    Overlay::from_data(data, &catalog).map_err(|reason| OpenError::Corrupt {
                        path: path.clone(),
                        reason,
                    })?
                }
                None => {
                    let overlay = Overlay::fresh(&catalog);
                    persist::save(path, config.seed, config.apps, &overlay.data).map_err(
                        |source| OpenError::Write {
                            path: path.clone(),
                            source,
                        },
                    )?;
                    overlay
                }
            },
        };
        Ok(World {
            catalog: Arc::new(catalog),
            apps: config.apps,
            clock: config.clock,
            current: RwLock::new(Arc::new(overlay)),
            writer: Mutex::new(config.state_file),
            _lock: state_lock,
        })
    }

    /// An in-memory world (no state file); `apps` is clamped to `1..=MAX_APPS`.
    pub fn in_memory(seed: u64, apps: usize, clock: Clock) -> World {
        let apps = apps.clamp(1, MAX_APPS);
        let catalog = Catalog::generate(seed, apps, clock.now());
        let overlay = Overlay::fresh(&catalog);
        World {
            catalog: Arc::new(catalog),
            apps,
            clock,
            current: RwLock::new(Arc::new(overlay)),
            writer: Mutex::new(None),
            _lock: None,
        }
    }

    /// The current instant.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The seeded catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// A consistent snapshot for reads, as of now.
    pub fn view(&self) -> View {
        let overlay = Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner));
        View {
            catalog: Arc::clone(&self.catalog),
            overlay,
            now: self.clock.now(),
            slices: None,
        }
    }

    /// `POST assign_app`.
    pub fn assign_app(&self, req: &AssignApp) -> Result<(), WorldError> {
        self.write(|ov, cat, now| writes::assign_app(ov, cat, req, now))
    }

    /// `POST log_message`; returns the new annotation's id.
    pub fn log_message(&self, req: &LogMessage) -> Result<u64, WorldError> {
        self.write(|ov, cat, now| writes::log_message(ov, cat, req, now))
    }

    /// `DELETE hosts/{id}`.
    pub fn delete_host(&self, id: HostId) -> Result<(), WorldError> {
        self.write(|ov, cat, _| writes::delete_host(ov, cat, id))
    }

    /// `DELETE app/{name}`: the app disappears from every read; its hosts move to
    /// `Default`; its annotations disappear from the lists.
    pub fn delete_app(&self, name: &str) -> Result<(), WorldError> {
        self.write(|ov, cat, _| writes::delete_app(ov, cat, name))
    }

    /// Applies a change on a copy, saves it, then publishes it.
    fn write<T>(
        &self,
        change: impl FnOnce(&mut Overlay, &Catalog, i64) -> Result<T, WorldError>,
    ) -> Result<T, WorldError> {
        let writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let current = Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner));
        let mut next = (*current).clone();
        drop(current);
        let out = change(&mut next, &self.catalog, self.clock.now())?;
        if let Some(path) = writer.as_ref() {
            persist::save(path, self.catalog.seed, self.apps, &next.data).map_err(|e| {
                WorldError::Storage(format!(
                    "could not save the state file {}: {e}",
                    path.display()
                ))
            })?;
        }
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(next);
        drop(writer);
        Ok(out)
    }
}
