//! History longer than one call allows: consecutive windows, stitched.
//!
//! One call covers at most one window (a week). [`history_stream`] walks backwards
//! from the range's end in steps of the filter's window, fetching one window per call
//! (shifting `time_end`); [`history`] collects the parts and stitches them into one
//! series without duplicate or missing slices, reporting the coverage.
//! [`plan_window`] picks the window (and so the step) a range is fetched with.
//! [`Span`] is what a series is fetched over: one window, or a range stitched, then
//! resampled or not.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::stream::{self, Stream, StreamExt};

use crate::error::Error;
use crate::filter::{ServerFilter, Windowed};
use crate::math::{Coverage, Resample, Stitched, stitch, window_ends};
use crate::points::{LatencyPoint, Point};
use crate::range::TimeRange;
use crate::series::{LayerSeries, Series};
use crate::window::TimeWindow;

/// What a series is fetched over: the window of one call, or every window of a range
/// stitched (with its coverage); then resampled to `resample`, or left as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The range, for a history (`--since`); `None` for one window.
    pub range: Option<TimeRange>,
    /// The window each call covers.
    pub window: TimeWindow,
    /// The step to resample to (`--resample`).
    pub resample: Option<Duration>,
}

impl Span {
    /// One call over `window`, not resampled.
    pub fn window(window: TimeWindow) -> Span {
        Span {
            range: None,
            window,
            resample: None,
        }
    }

    /// Fetches with `fetch`: one call over the filter with this span's window, or every
    /// window of the range stitched (with its coverage).
    pub async fn fetch<P, Fl, F, Fut>(
        &self,
        filter: &Fl,
        fetch: F,
    ) -> Result<(Series<P>, Option<Coverage>), Error>
    where
        P: Point,
        Fl: Windowed,
        F: Fn(Fl) -> Fut,
        Fut: Future<Output = Result<Series<P>, Error>>,
    {
        let filter = filter.with_window(self.window);
        match self.range {
            None => Ok((fetch(filter).await?, None)),
            Some(range) => {
                let stitched = history(&filter, range, fetch).await?;
                Ok((stitched.series, Some(stitched.coverage)))
            }
        }
    }

    /// `series` resampled to this span's step, or as it is.
    pub fn resampled<P: Resample>(&self, series: Series<P>) -> Result<Series<P>, Error> {
        match self.resample {
            Some(step) => crate::math::resample(&series, step),
            None => Ok(series),
        }
    }

    /// The end of what is shown: the range's, else `requested`.
    pub fn end(&self, requested: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        self.range.map(|r| r.end).or(requested)
    }
}

/// The most calls (windows) one history may take: 60 days at 15-minute steps, 60 weeks
/// at 2-hour steps.
pub const MAX_HISTORY_CALLS: u64 = 60;

/// How many windows of `window` it takes to cover `range`.
pub fn calls_needed(range: TimeRange, window: TimeWindow) -> u64 {
    let window = window.duration().as_secs().max(1);
    range.duration().as_secs().div_ceil(window)
}

/// The window `range` is fetched with: the one whose step is `step` when given, else the
/// finest whose calls fit [`MAX_HISTORY_CALLS`].
///
/// Errors ([`Error::InvalidArgument`]): an empty range; a step the API does not serve
/// (only 30 s, 15 min and 2 h are: the steps of the hour, day and week windows); a step
/// so fine the range needs more than [`MAX_HISTORY_CALLS`] calls (naming the finest
/// step that fits); a range too long for any step.
///
/// ```
/// use std::time::Duration;
/// use chrono::{DateTime, TimeDelta};
/// use tv_client::{TimeRange, TimeWindow, history::plan_window};
/// let end = DateTime::from_timestamp(1_704_283_200, 0).unwrap();
/// let month = TimeRange::new(end - TimeDelta::days(30), end).unwrap();
/// assert_eq!(plan_window(month, None)?, TimeWindow::Day);
/// assert!(plan_window(month, Some(Duration::from_secs(30))).is_err());
/// # Ok::<(), tv_client::Error>(())
/// ```
pub fn plan_window(range: TimeRange, step: Option<Duration>) -> Result<TimeWindow, Error> {
    if range.is_empty() {
        return Err(Error::invalid_argument("the time range is empty"));
    }
    let fitting = TimeWindow::ALL
        .into_iter()
        .find(|w| calls_needed(range, *w) <= MAX_HISTORY_CALLS);
    let Some(step) = step else {
        return fitting.ok_or_else(|| {
            Error::invalid_argument(format!(
                "the time range ({}) is too long: at most {MAX_HISTORY_CALLS} weeks",
                human(range.duration())
            ))
        });
    };
    let window = TimeWindow::ALL
        .into_iter()
        .find(|w| w.step() == step)
        .ok_or_else(|| {
            Error::invalid_argument(format!(
                "the API has no {} step: use 30s, 15m or 2h",
                human(step)
            ))
        })?;
    let calls = calls_needed(range, window);
    if calls > MAX_HISTORY_CALLS {
        let advice = match fitting {
            Some(w) => format!("use a step of {} or more", human(w.step())),
            None => "shorten the range".into(),
        };
        return Err(Error::invalid_argument(format!(
            "a {} step over {} needs {calls} calls, more than {MAX_HISTORY_CALLS}: {advice}",
            human(step),
            human(range.duration())
        )));
    }
    Ok(window)
}

/// `2h`, `15m`, `30s`, `30d` for messages.
fn human(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3_600 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

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

impl crate::client::Latency<'_> {
    /// The per-layer series of `app` over `range`, each layer stitched from as many
    /// consecutive windows of `filter`'s size as needed (a layer seen in only some
    /// windows has only those slices).
    pub async fn by_layer_history(
        self,
        app: &str,
        filter: &ServerFilter,
        range: TimeRange,
    ) -> Result<Vec<LayerSeries>, Error> {
        let mut parts: BTreeMap<String, Vec<Series<crate::points::LayerPoint>>> = BTreeMap::new();
        for end in window_ends(range, filter.scope().window) {
            for layer in self.by_layer(app, &filter.with_end(end)).await? {
                parts.entry(layer.layer).or_default().push(layer.series);
            }
        }
        let mut layers = Vec::with_capacity(parts.len());
        for (layer, series) in parts {
            let stitched = stitch(&series, Some(range))?;
            layers.push(LayerSeries {
                layer,
                series: stitched.series,
            });
        }
        Ok(layers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeDelta};

    fn days(n: i64) -> TimeRange {
        let end = DateTime::from_timestamp(1_704_283_200, 0).unwrap();
        TimeRange::new(end - TimeDelta::days(n), end).unwrap()
    }

    fn message(result: Result<TimeWindow, Error>) -> String {
        match result {
            Err(Error::InvalidArgument { detail: m, .. }) => m,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn the_finest_step_that_fits_is_chosen() {
        assert_eq!(plan_window(days(1), None).unwrap(), TimeWindow::Hour);
        assert_eq!(plan_window(days(30), None).unwrap(), TimeWindow::Day);
        assert_eq!(plan_window(days(365), None).unwrap(), TimeWindow::Week);
        let week = Some(Duration::from_secs(7200));
        assert_eq!(plan_window(days(2), week).unwrap(), TimeWindow::Week);
        assert_eq!(calls_needed(days(30), TimeWindow::Day), 30);
    }

    #[test]
    fn bad_steps_and_ranges_are_refused_with_advice() {
        let m = message(plan_window(days(1), Some(Duration::from_secs(60))));
        assert!(m.contains("no 1m step"), "{m}");
        let m = message(plan_window(days(30), Some(Duration::from_secs(30))));
        assert!(
            m.contains("needs 720 calls") && m.contains("15m or more"),
            "{m}"
        );
        let m = message(plan_window(days(500), None));
        assert!(m.contains("too long"), "{m}");
        let empty = TimeRange::new(days(1).end, days(1).end).unwrap();
        assert!(message(plan_window(empty, None)).contains("empty"));
    }
}
