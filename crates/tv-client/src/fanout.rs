//! Running one operation over many apps with bounded concurrency: a fixed number at a
//! time, or a limit that adapts to the server ([`Concurrency`]).

mod limit;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures::stream::{self, FuturesUnordered, Stream, StreamExt};

use crate::client::TraceView;
use crate::error::Error;
pub use limit::{ADAPTIVE_INITIAL, ADAPTIVE_MAX, Concurrency};
use limit::{Limiter, Sample};

/// The outcome of one app's call in a fan-out.
#[derive(Debug)]
pub struct AppResult<T> {
    /// The app.
    pub app: String,
    /// Its result: one app's failure does not fail the batch.
    pub result: Result<T, Error>,
}

impl TraceView {
    /// Runs `operation` for every app, at most `concurrency` at a time over this
    /// client's connection pool (a number, or [`Concurrency::adaptive`]), yielding
    /// results as they complete (not in input order). A failing app yields its error;
    /// the others go on. A 429 seen by any app slows down every request of the client
    /// until the server's `Retry-After` has passed. Past the client's
    /// [`Deadline`](crate::Deadline), apps not yet started are not started: each is
    /// yielded at once with [`Error::DeadlineExceeded`] (skipped, nothing sent), so the
    /// caller can name every app it could not fetch.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// use tv_client::{Concurrency, ServerFilter, TraceView};
    ///
    /// # async fn run(tv: TraceView) -> Result<(), tv_client::Error> {
    /// let apps = tv.discovery().apps().await?;
    /// let mut results = tv.fan_out(apps, Concurrency::adaptive(), |tv, app| async move {
    ///     tv.latency().server_summary(&app, &ServerFilter::new()).await
    /// });
    /// while let Some(done) = results.next().await {
    ///     match done.result {
    ///         Ok(summary) => println!("{}: {:?}", done.app, summary.average),
    ///         Err(error) => eprintln!("{}: {error}", done.app),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn fan_out<'a, T, F, Fut>(
        &'a self,
        apps: impl IntoIterator<Item = String> + 'a,
        concurrency: impl Into<Concurrency>,
        operation: F,
    ) -> impl Stream<Item = AppResult<T>> + 'a
    where
        T: 'a,
        F: Fn(TraceView, String) -> Fut + 'a,
        Fut: Future<Output = Result<T, Error>> + 'a,
    {
        let mut limiter = Limiter::new(concurrency.into());
        let mut apps = apps.into_iter();
        let (low, high) = apps.size_hint();
        let mut exhausted = false;
        let mut running = FuturesUnordered::new();
        let stream = stream::poll_fn(move |cx| {
            while !exhausted && running.len() < limiter.limit() {
                let Some(app) = apps.next() else {
                    exhausted = true;
                    break;
                };
                if let Some(deadline) = self.deadline().filter(crate::Deadline::has_passed) {
                    // Skipped: no task, no request, and no sample for the limiter.
                    return Poll::Ready(Some(AppResult {
                        app,
                        result: Err(Error::DeadlineExceeded {
                            budget: deadline.budget(),
                            interrupted: false,
                            after: None,
                        }),
                    }));
                }
                let seq = limiter.start();
                let overloads = self.overloads();
                let call = operation(self.clone(), app.clone());
                running.push(async move {
                    let started = Instant::now();
                    let result = call.await;
                    (seq, started.elapsed(), overloads, AppResult { app, result })
                });
            }
            match running.poll_next_unpin(cx) {
                Poll::Ready(Some((seq, latency, overloads, done))) => {
                    let before = limiter.limit();
                    limiter.complete(Sample {
                        seq,
                        latency,
                        overloaded: self.overloads() != overloads,
                        failed: done.result.is_err(),
                    });
                    if limiter.limit() != before {
                        tracing::debug!(apps = limiter.limit(), "fan-out: apps at once");
                    }
                    Poll::Ready(Some(done))
                }
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            }
        });
        Counted { stream, low, high }
    }
}

/// A stream that knows how many items are left: one per app (so a collector can
/// reserve room for all rows at once instead of doubling a vector).
struct Counted<S> {
    stream: S,
    low: usize,
    high: Option<usize>,
}

impl<S: Stream + Unpin> Stream for Counted<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let next = self.stream.poll_next_unpin(cx);
        if let Poll::Ready(Some(_)) = next {
            self.low = self.low.saturating_sub(1);
            self.high = self.high.map(|n| n.saturating_sub(1));
        }
        next
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.low, self.high)
    }
}
