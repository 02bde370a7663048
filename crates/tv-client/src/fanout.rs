//! Running one operation over many apps with bounded concurrency.

use std::future::Future;

use futures::stream::{self, Stream, StreamExt};

use crate::client::TraceView;
use crate::error::Error;

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
    /// client's connection pool, yielding results as they complete (not in input
    /// order). A failing app yields its error; the others go on.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// use tv_client::{ServerFilter, TraceView};
    ///
    /// # async fn run(tv: TraceView) -> Result<(), tv_client::Error> {
    /// let apps = tv.discovery().apps().await?;
    /// let mut results = tv.fan_out(apps, 8, |tv, app| async move {
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
        concurrency: usize,
        operation: F,
    ) -> impl Stream<Item = AppResult<T>> + 'a
    where
        T: 'a,
        F: Fn(TraceView, String) -> Fut + 'a,
        Fut: Future<Output = Result<T, Error>> + 'a,
    {
        stream::iter(apps)
            .map(move |app| {
                let call = operation(self.clone(), app.clone());
                async move {
                    AppResult {
                        app,
                        result: call.await,
                    }
                }
            })
            .buffer_unordered(concurrency.max(1))
    }
}
