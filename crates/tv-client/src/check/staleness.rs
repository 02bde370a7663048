//! The `stale` metric: how long since the app's last trace, however far back that is
//! (up to [`STALE_HORIZON`]), measured against the server's clock, with the server's
//! timestamps checked for sanity.

use chrono::{DateTime, TimeDelta, Utc};

use super::CheckData;
use crate::client::TraceView;
use crate::error::Error;
use crate::filter::ServerFilter;
use crate::points::{LatencyPoint, Point};
use crate::series::Series;
use crate::window::TimeWindow;

/// How far back `stale` looks for the last trace: the week window (84 slices of 2 h).
/// An app without traces in the whole week is CRITICAL, "no traces for more than 7
/// days", whatever the thresholds.
pub const STALE_HORIZON: TimeWindow = TimeWindow::Week;

/// The windows `stale` looks through, in order, until one has traces: the check's own
/// window, then each longer one up to [`STALE_HORIZON`].
pub fn lookback_windows(window: TimeWindow) -> Vec<TimeWindow> {
    TimeWindow::ALL
        .into_iter()
        .filter(|w| w.duration() > window.duration() && w.duration() <= STALE_HORIZON.duration())
        .collect()
}

/// When `series` (of `filter`'s window) has no traces: the longer windows' series of
/// [`lookback_windows`], in order, up to the first with traces (none when `series` has
/// traces).
pub async fn look_back(
    tv: &TraceView,
    app: &str,
    filter: &ServerFilter,
    series: &Series<LatencyPoint>,
) -> Result<Vec<(TimeWindow, Series<LatencyPoint>)>, Error> {
    let mut found = Vec::new();
    if traced(series) {
        return Ok(found);
    }
    for window in lookback_windows(filter.scope().window) {
        let longer = filter.clone().window(window);
        let series = tv.latency().server_series(app, &longer).await?;
        let done = traced(&series);
        found.push((window, series));
        if done {
            break;
        }
    }
    Ok(found)
}

fn traced(series: &Series<LatencyPoint>) -> bool {
    series.points().iter().any(|p| p.volume > 0)
}

/// What the stale metric found.
#[derive(Debug, Clone, PartialEq)]
pub enum Staleness {
    /// Minutes from the end of the last slice with traces to the server's now.
    Minutes(f64),
    /// No traces as far back as [`STALE_HORIZON`].
    BeyondHorizon,
    /// The value cannot be trusted or determined; why.
    Unknown(String),
}

/// The server's now for the check: its `Date` header when it sent one, else the end of
/// the window's series (the server's now floored to a slice).
fn server_now(data: &CheckData) -> Option<DateTime<Utc>> {
    data.server_date
        .or_else(|| data.series.as_ref()?.span().map(|s| s.end))
}

/// Why the timestamps of `series` cannot be right at the server's `now`: a slice in the
/// future (past now by more than a slice), or a series that ends before its own window
/// could start (`window` before now).
fn insane(series: &Series<LatencyPoint>, window: TimeWindow, now: DateTime<Utc>) -> Option<String> {
    let span = series.span()?;
    let step = TimeDelta::from_std(window.step()).ok()?;
    let length = TimeDelta::from_std(window.duration()).ok()?;
    let date = |at: DateTime<Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    if span.end > now + step {
        return Some(format!(
            "the server's slices end in the future: {} past its clock {}",
            date(span.end),
            date(now)
        ));
    }
    if span.end < now - length {
        return Some(format!(
            "the server's {window} slices end at {}, outside the {window} before its clock {}",
            date(span.end),
            date(now)
        ));
    }
    None
}

/// The end of the last slice with traces in `series`.
fn last_traced(series: &Series<LatencyPoint>) -> Option<DateTime<Utc>> {
    let step = TimeDelta::from_std(series.step()?).ok()?;
    let point = series.points().iter().rev().find(|p| p.volume > 0)?;
    point.at().checked_add_signed(step)
}

/// The stale metric on `data`: the window's series first, then the longer windows of
/// the lookback in order.
pub fn staleness(data: &CheckData, window: TimeWindow) -> Staleness {
    let Some(series) = &data.series else {
        return Staleness::Unknown("no series".into());
    };
    if series.points().is_empty() {
        return Staleness::Unknown("the server sent no slices".into());
    }
    let Some(now) = server_now(data) else {
        return Staleness::Unknown("the server sent no slices".into());
    };
    let looked =
        std::iter::once((window, series)).chain(data.lookback.iter().map(|(w, s)| (*w, s)));
    let mut reached = window;
    for (window, series) in looked {
        reached = window;
        if let Some(why) = insane(series, window, now) {
            return Staleness::Unknown(why);
        }
        if let Some(end) = last_traced(series) {
            let minutes = (now - end).num_seconds().max(0) as f64 / 60.0;
            return Staleness::Minutes(minutes);
        }
    }
    if reached == STALE_HORIZON {
        Staleness::BeyondHorizon
    } else {
        Staleness::Unknown(format!("no traces in the last {reached}"))
    }
}
