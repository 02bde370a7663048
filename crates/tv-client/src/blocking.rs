//! A synchronous client for scripts and programs without an async runtime (feature
//! `blocking`).
//!
//! Built the way reqwest's blocking client is: [`TraceView`] owns a background thread
//! running a single-threaded tokio runtime, and each call hands a job to that thread
//! and waits for its answer. Clones share the thread; it stops when the last clone is
//! dropped. Every async operation is reachable through [`TraceView::run`]; the common
//! ones have a method of their own.
//!
//! ```no_run
//! use tv_client::{ServerFilter, TimeWindow};
//!
//! let tv = tv_client::blocking::TraceView::new(
//!     tv_client::TraceView::builder().site("http://127.0.0.1:8642/api-v2").api_key("sandbox"),
//! )?;
//! for app in tv.apps()? {
//!     let summary = tv.server_summary(&app, ServerFilter::new().window(TimeWindow::Day))?;
//!     println!("{app}: {} traces", summary.count);
//! }
//! // Anything else: an async block on the background runtime.
//! let hosts = tv.run(|tv| async move { tv.hosts().list().await })?;
//! # let _ = hosts;
//! # Ok::<(), tv_client::Error>(())
//! ```
//!
//! Do not call it from inside an async task: it blocks that task's thread until the
//! answer arrives (use the async [`crate::TraceView`] there).

use std::future::Future;
use std::pin::Pin;

use crate::error::{Error, TransportKind};
use crate::{
    LatencyPoint, LatencySummary, LayerSeries, NewAnnotation, Series, ServerFilter, Stats,
    TraceViewBuilder,
};

type Job = Box<dyn FnOnce(crate::TraceView) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// A blocking TraceView client; see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct TraceView {
    client: crate::TraceView,
    jobs: tokio::sync::mpsc::UnboundedSender<Job>,
}

impl TraceView {
    /// Builds the async client from `builder` and starts the background runtime.
    pub fn new(builder: TraceViewBuilder) -> Result<Self, Error> {
        Self::from_client(builder.build()?)
    }

    /// A client configured from the environment and the profile file, as
    /// [`crate::TraceView::from_env`].
    pub fn from_env() -> Result<Self, Error> {
        Self::from_client(crate::TraceView::from_env()?)
    }

    /// Wraps an async client, starting the background runtime.
    pub fn from_client(client: crate::TraceView) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| stopped(format!("cannot start the runtime: {e}")))?;
        let (jobs, mut queue) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let shared = client.clone();
        std::thread::Builder::new()
            .name("tv-client-blocking".into())
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = queue.recv().await {
                        // Jobs from several threads run concurrently.
                        tokio::spawn(job(shared.clone()));
                    }
                });
            })
            .map_err(|e| stopped(format!("cannot start the runtime thread: {e}")))?;
        Ok(TraceView { client, jobs })
    }

    /// Runs `operation` on the background runtime and waits for its result.
    pub fn run<T, F, Fut>(&self, operation: F) -> Result<T, Error>
    where
        F: FnOnce(crate::TraceView) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = std::sync::mpsc::sync_channel(1);
        let job: Job = Box::new(move |client| {
            Box::pin(async move {
                let _ = answer.send(operation(client).await);
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| stopped("the runtime thread has stopped".into()))?;
        answered
            .recv()
            .map_err(|_| stopped("the operation stopped without an answer".into()))?
    }

    /// The async client underneath (same connection pool and counters).
    pub fn client(&self) -> &crate::TraceView {
        &self.client
    }

    /// Requests, retries and time waited so far.
    pub fn stats(&self) -> Stats {
        self.client.stats()
    }

    /// The apps, as [`crate::Discovery::apps`].
    pub fn apps(&self) -> Result<Vec<String>, Error> {
        self.run(|tv| async move { tv.discovery().apps().await })
    }

    /// The server latency summary of `app`, as [`crate::Latency::server_summary`].
    pub fn server_summary(&self, app: &str, filter: ServerFilter) -> Result<LatencySummary, Error> {
        let app = app.to_owned();
        self.run(move |tv| async move { tv.latency().server_summary(&app, &filter).await })
    }

    /// The server latency series of `app`, as [`crate::Latency::server_series`].
    pub fn server_series(
        &self,
        app: &str,
        filter: ServerFilter,
    ) -> Result<Series<LatencyPoint>, Error> {
        let app = app.to_owned();
        self.run(move |tv| async move { tv.latency().server_series(&app, &filter).await })
    }

    /// The per-layer series of `app`, as [`crate::Latency::by_layer`].
    pub fn by_layer(&self, app: &str, filter: ServerFilter) -> Result<Vec<LayerSeries>, Error> {
        let app = app.to_owned();
        self.run(move |tv| async move { tv.latency().by_layer(&app, &filter).await })
    }

    /// Records an annotation, as [`crate::Annotations::create`] (sent once).
    pub fn annotate(&self, note: NewAnnotation) -> Result<(), Error> {
        self.run(move |tv| async move { tv.annotations().create(&note).await })
    }
}

fn stopped(detail: String) -> Error {
    Error::transport(
        TransportKind::Send,
        format!("blocking client: {detail}"),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_from_plain_threads_get_answers() {
        // A dead port: every call fails fast with a typed error, from any thread.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let tv = TraceView::new(
            crate::TraceView::builder()
                .site(&format!("http://{address}/api-v2"))
                .api_key("k")
                .retry(crate::RetryPolicy::none()),
        )
        .unwrap();
        let clone = tv.clone();
        let other = std::thread::spawn(move || clone.apps());
        assert!(matches!(
            tv.apps(),
            Err(Error::Transport {
                kind: TransportKind::ConnectionRefused,
                ..
            })
        ));
        assert!(other.join().unwrap().is_err());
        assert_eq!(tv.stats().requests, 2);
    }
}
