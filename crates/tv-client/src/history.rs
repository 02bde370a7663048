//! History longer than one call allows: consecutive windows, stitched.
//!
//! One call covers at most one window (a week). [`history_stream`] walks backwards
//! from the range's end in steps of the filter's window, fetching one window per call
//! (shifting `time_end`); [`history`] collects the parts and stitches them into one
//! series without duplicate or missing slices, reporting the coverage.

use std::future::Future;

use futures::stream::{self, Stream, StreamExt};

use crate::error::Error;
use crate::filter::{ServerFilter, Windowed};
use crate::math::{Stitched, stitch, window_ends};
use crate::points::{LatencyPoint, Point};
use crate::range::TimeRange;
use crate::series::Series;

/// The windows covering `range`, fetched one after the other with `fetch` (called
/// with the filter moved to each window's end), newest first as they arrive.
pub fn history_stream<'a, P, Fl, F, Fut>(
    filter: &Fl,
    range: TimeRange,
    fetch: F,
) -> impl Stream<Item = Result<Series<P>, Error>> + 'a
where
    P: Point + 'a,
    Fl: Windowed + 'a,
    F: Fn(Fl) -> Fut + 'a,
    Fut: Future<Output = Result<Series<P>, Error>> + 'a,
{
    let mut ends = window_ends(range, filter.scope().window);
    ends.reverse();
    let filters: Vec<Fl> = ends.into_iter().map(|end| filter.with_end(end)).collect();
    stream::iter(filters).then(fetch)
}

/// Fetches every window covering `range` and stitches them into one series.
pub async fn history<P, Fl, F, Fut>(
    filter: &Fl,
    range: TimeRange,
    fetch: F,
) -> Result<Stitched<P>, Error>
where
    P: Point,
    Fl: Windowed,
    F: Fn(Fl) -> Fut,
    Fut: Future<Output = Result<Series<P>, Error>>,
{
    let mut parts: Vec<Series<P>> = history_stream(filter, range, fetch)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    // Oldest first, so that on overlap the later (newer) window wins.
    parts.reverse();
    stitch(&parts, Some(range))
}

impl crate::client::Latency<'_> {
    /// The server latency series of `app` over `range`, stitched from as many
    /// consecutive windows of `filter`'s size as needed.
    pub async fn server_history(
        self,
        app: &str,
        filter: &ServerFilter,
        range: TimeRange,
    ) -> Result<Stitched<LatencyPoint>, Error> {
        history(filter, range, |f| async move {
            self.server_series(app, &f).await
        })
        .await
    }
}
