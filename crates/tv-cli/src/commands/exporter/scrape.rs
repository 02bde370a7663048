//! One source of metrics (the configured account on `/metrics`, or one profile on
//! `/probe`): its collections from TraceView and the scrapes that read them.
//!
//! A collection runs in the background (one at a time) with a deadline of its own; a
//! scrape starts one when the numbers are older than `--cache`, waits for it at most
//! until the scrape's own deadline, and otherwise answers at once with the last
//! numbers, their age and `traceview_up 0` — a hanging TraceView never blocks a scrape.
//! Every finished collection is also published on a [`watch`] channel
//! ([`Collector::subscribe`]): the hook for pushing it elsewhere.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tv_client::TraceView;
use tv_client::export::collect::{Collection, collect};
use tv_client::export::prometheus::{Exporter, Format};

use crate::render::text::clean_line;

/// At most this many failures of one collection are logged (then a count of the rest).
const MAX_LOGGED_FAILURES: usize = 5;

/// At most this many characters of a failure are logged.
const MAX_LOGGED_CHARS: usize = 200;

/// What every collection of an exporter does, whichever account it is for.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Only these apps (every app when empty).
    pub apps: Vec<String>,
    /// Apps queried at once.
    pub concurrency: usize,
    /// How long numbers are reused before a scrape collects anew.
    pub cache: Duration,
    /// How long a collection may take before it is given up.
    pub collect_timeout: Duration,
    /// Printed in `traceview_build_info`.
    pub version: &'static str,
}

#[derive(Debug, Default)]
struct Progress {
    /// When the last collection ended, whatever its outcome.
    attempted: Option<Instant>,
    /// When the numbers served were collected.
    numbers: Option<Instant>,
    /// Whether a collection is running.
    running: bool,
}

/// One account's collections and registry.
pub struct Collector {
    tv: TraceView,
    options: Arc<CollectOptions>,
    /// Held while the registry is updated or encoded: a scrape never sees a half
    /// updated registry.
    exporter: Mutex<Exporter>,
    progress: Mutex<Progress>,
    finished: watch::Sender<Option<Arc<Collection>>>,
    /// Names this collector in the log (`/metrics` or `target prod`).
    name: String,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Collector {
    /// A collector for `tv`; nothing is collected until [`Collector::start`] or a scrape.
    pub fn new(tv: TraceView, options: Arc<CollectOptions>, name: String) -> Arc<Self> {
        let exporter = Exporter::new();
        exporter.set_build_info(options.version);
        Arc::new(Collector {
            tv,
            options,
            exporter: Mutex::new(exporter),
            progress: Mutex::new(Progress::default()),
            finished: watch::Sender::new(None),
            name,
        })
    }

    /// Every finished collection, as it finishes (the last one first): the hook for
    /// sending the numbers elsewhere after each collection.
    pub fn subscribe(&self) -> watch::Receiver<Option<Arc<Collection>>> {
        self.finished.subscribe()
    }

    /// Whether a collection has finished (whatever its outcome).
    pub fn has_collected(&self) -> bool {
        lock(&self.progress).attempted.is_some()
    }

    /// Starts a collection unless one is running.
    pub fn start(self: &Arc<Self>) {
        let mut progress = lock(&self.progress);
        if !progress.running {
            progress.running = true;
            tokio::spawn(Arc::clone(self).collect_once());
        }
    }

    /// The exposition for a scrape that must answer within `deadline`: fresh numbers
    /// if they arrive in time, else the last ones with `traceview_up 0`.
    pub async fn scrape(self: &Arc<Self>, deadline: Duration, format: Format) -> Option<String> {
        let mut finished = self.finished.subscribe();
        let stale = lock(&self.progress)
            .attempted
            .is_none_or(|at| at.elapsed() >= self.options.cache);
        if stale {
            self.start();
            if tokio::time::timeout(deadline, finished.changed())
                .await
                .is_err()
            {
                lock(&self.exporter).note_late_scrape();
            }
        }
        self.encode(format)
    }

    fn encode(&self, format: Format) -> Option<String> {
        let numbers = lock(&self.progress).numbers;
        let exporter = lock(&self.exporter);
        exporter.set_cache_age(numbers.map(|at| at.elapsed()).unwrap_or_default());
        exporter.set_api_calls(&self.tv.api_calls());
        exporter.encode(format).ok()
    }

    async fn collect_once(self: Arc<Self>) {
        let started = Instant::now();
        let options = &self.options;
        let collection = match tokio::time::timeout(
            options.collect_timeout,
            collect(&self.tv, &options.apps, options.concurrency),
        )
        .await
        {
            Ok(collection) => collection,
            Err(_) => {
                tracing::warn!(
                    "{}: the collection took longer than --collect-timeout ({}); serving the last numbers",
                    self.name,
                    humantime::format_duration(options.collect_timeout)
                );
                Collection {
                    listed: false,
                    apps: Vec::new(),
                    failures: vec![(None, tv_client::Error::Timeout)],
                    duration: started.elapsed(),
                }
            }
        };
        self.log_failures(&collection);
        lock(&self.exporter).update(&collection);
        {
            let mut progress = lock(&self.progress);
            let now = Instant::now();
            progress.attempted = Some(now);
            if collection.listed {
                progress.numbers = Some(now);
            }
            progress.running = false;
        }
        self.finished.send_replace(Some(Arc::new(collection)));
    }

    /// Logs a collection's failures: a bounded number of bounded, cleaned lines.
    fn log_failures(&self, collection: &Collection) {
        let failures = &collection.failures;
        for (app, error) in failures.iter().take(MAX_LOGGED_FAILURES) {
            let what = match app {
                Some(app) => clean_line(app, MAX_LOGGED_CHARS),
                None => "listing the apps".to_owned(),
            };
            let error = clean_line(&error.to_string(), MAX_LOGGED_CHARS);
            tracing::warn!("{}: {what}: {error}", self.name);
        }
        if failures.len() > MAX_LOGGED_FAILURES {
            tracing::warn!(
                "{}: and {} more failures",
                self.name,
                failures.len() - MAX_LOGGED_FAILURES
            );
        }
    }
}
