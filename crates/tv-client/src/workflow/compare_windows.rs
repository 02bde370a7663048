//! The two windows of a comparison: where they lie, whether the current one is over
//! by the server's clock, and windows shorter than the API's (`span`), cut from the
//! slices of the window they fall in.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::compare::{Baseline, CompareRequest};
use super::now::Now;
use crate::client::{AnnotationRange, TraceView};
use crate::error::{Elsewhere, Error, Missing};
use crate::model::Annotation;
use crate::points::Point;
use crate::range::{TimeRange, between};
use crate::series::{LayerSeries, Series};
use crate::window::TimeWindow;

/// How far back `--around` looks for annotations.
const ANNOTATION_DAYS: i64 = 30;

/// Where the two windows of a [`CompareRequest`] lie, as the server's clock saw them.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareWindows {
    /// The current window (with an annotation: the one after it).
    pub current: TimeRange,
    /// The window compared against (with an annotation: the one before it).
    pub previous: TimeRange,
    /// The length of each window: the API window's, or the request's span.
    pub span: Duration,
    /// The annotation compared around.
    pub around: Option<Annotation>,
    /// The server's now when the windows were resolved.
    pub server_now: DateTime<Utc>,
}

impl CompareWindows {
    /// How long, by the server's clock, until the current window is over; `None` when
    /// it is.
    pub fn remaining(&self) -> Option<Duration> {
        between(self.server_now, self.current.end).filter(|d| !d.is_zero())
    }

    /// Why the current window cannot be compared yet (an [`Error::InvalidArgument`]
    /// saying when it ends), or `None` when it is over.
    pub fn unfinished(&self, window: TimeWindow) -> Option<Error> {
        self.remaining()?;
        let Some(note) = &self.around else {
            return Some(not_over(window, self.current.end, self.server_now));
        };
        let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
        Some(Error::invalid_argument(format!(
            "the {} after annotation {} is not over yet: it ends {} (the server's now is {})",
            span_name(window, self.span),
            note.id,
            at(self.current.end),
            at(self.server_now)
        )))
    }
}

/// Why a `window` ending at `end` cannot be judged yet at the server's `now`
/// ([`Error::InvalidArgument`]): the words of `tv compare` and `tv check --end`.
pub(crate) fn not_over(window: TimeWindow, end: DateTime<Utc>, now: DateTime<Utc>) -> Error {
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    Error::invalid_argument(format!(
        "the {window} ending {} is not over yet (the server's now is {})",
        at(end),
        at(now)
    ))
}

/// A window's length for people: `hour`, `day`, `week` for the API's windows, else
/// like `15m`, `1h 30m`.
pub fn span_name(window: TimeWindow, span: Duration) -> String {
    if span == window.duration() {
        window.to_string()
    } else {
        humantime::format_duration(span).to_string()
    }
}

/// Refuses a span that is not a whole number of `window`'s slices, is zero, or is
/// longer than the window ([`Error::InvalidArgument`]).
pub fn check_span(window: TimeWindow, span: Duration) -> Result<(), Error> {
    let step = window.step();
    let name = humantime::format_duration(span);
    if span.is_zero() || !span.as_nanos().is_multiple_of(step.as_nanos()) {
        return Err(Error::invalid_argument(format!(
            "a span of {name} is not a whole number of the {window} window's {} slices",
            humantime::format_duration(step)
        )));
    }
    if span > window.duration() {
        return Err(Error::invalid_argument(format!(
            "a span of {name} is longer than the {window} window its slices come from \
             ({}); take a longer window",
            humantime::format_duration(window.duration())
        )));
    }
    Ok(())
}

fn delta(d: Duration) -> Result<TimeDelta, Error> {
    TimeDelta::from_std(d).map_err(|_| out_of_range())
}

fn out_of_range() -> Error {
    Error::invalid_argument("the windows are out of range")
}

fn ending(end: DateTime<Utc>, span: Duration) -> Result<TimeRange, Error> {
    let start = end
        .checked_sub_signed(delta(span)?)
        .ok_or_else(out_of_range)?;
    TimeRange::new(start, end).ok_or_else(out_of_range)
}

/// `at` floored to the grid of `step` (the slice it falls in starts there).
fn floor(at: DateTime<Utc>, step: Duration) -> Result<DateTime<Utc>, Error> {
    let step = step.as_secs().max(1) as i64;
    let seconds = at.timestamp();
    DateTime::from_timestamp(seconds - seconds.rem_euclid(step), 0).ok_or_else(out_of_range)
}

/// Resolves where the windows of `request` lie (asking the server's now and, around an
/// annotation, the annotation), without refusing an unfinished current window: see
/// [`CompareWindows::unfinished`]. Refuses an `Earlier` gap shorter than a window, a
/// span without an annotation and a span [`check_span`] refuses.
///
/// Around an annotation with a span, the windows meet at the start of the slice the
/// annotation falls in (that slice belongs to the window after it), each `span` long.
pub async fn windows(
    tv: &TraceView,
    now: &Now,
    request: &CompareRequest,
) -> Result<CompareWindows, Error> {
    let app = request.app.as_str();
    let window = request.window;
    if let Some(span) = request.span {
        if !matches!(
            request.baseline,
            Baseline::Around(_) | Baseline::AroundLatest
        ) {
            return Err(Error::invalid_argument(
                "a span applies only around an annotation",
            ));
        }
        check_span(window, span)?;
    }
    let span = request.span.unwrap_or(window.duration());
    let server_now = now.get(Some(app)).await?;
    let resolved = match request.baseline {
        Baseline::WindowBefore | Baseline::Earlier(_) => {
            let gap = match request.baseline {
                Baseline::Earlier(gap) => gap,
                _ => window.duration(),
            };
            if gap < window.duration() {
                return Err(Error::invalid_argument(format!(
                    "the windows overlap: compare against at least one {window} before"
                )));
            }
            let end = request.end.unwrap_or(server_now);
            let previous_end = end
                .checked_sub_signed(delta(gap)?)
                .ok_or_else(out_of_range)?;
            CompareWindows {
                current: ending(end, span)?,
                previous: ending(previous_end, span)?,
                span,
                around: None,
                server_now,
            }
        }
        Baseline::Around(_) | Baseline::AroundLatest => {
            let id = match request.baseline {
                Baseline::Around(id) => Some(id),
                _ => None,
            };
            let note = annotation(tv, app, server_now, id).await?;
            // Without a span, the API's windows ending at the annotation and one window
            // later (the server floors both to its grid); with one, the same grid.
            let boundary = match request.span {
                Some(_) => floor(note.time, window.step())?,
                None => note.time,
            };
            let end = boundary
                .checked_add_signed(delta(span)?)
                .ok_or_else(out_of_range)?;
            CompareWindows {
                current: ending(end, span)?,
                previous: ending(boundary, span)?,
                span,
                around: Some(note),
                server_now,
            }
        }
    };
    Ok(resolved)
}

/// The annotation `id` names (the newest with `None`), from the app's annotations of the
/// last [`ANNOTATION_DAYS`] before `now`. Not found, it says what was missing: an id that
/// is another app's (or no app's), an id that does not exist, or an app without any.
async fn annotation(
    tv: &TraceView,
    app: &str,
    now: DateTime<Utc>,
    id: Option<i64>,
) -> Result<Annotation, Error> {
    // The server's now is the end of its last whole slice: an annotation made since
    // (a deploy a few seconds ago) lies up to a slice after it.
    let range = AnnotationRange {
        start: now.checked_sub_signed(TimeDelta::days(ANNOTATION_DAYS)),
        end: now.checked_add_signed(TimeDelta::minutes(1)),
    };
    let notes = tv.annotations().of_app(app, range).await?;
    let Some(id) = id else {
        return notes.into_iter().max_by_key(|a| a.time).ok_or_else(|| {
            Error::NotFound(Missing::NoAnnotation {
                app: app.to_string(),
                since: range.start,
            })
        });
    };
    if let Some(found) = notes.into_iter().find(|a| a.id == id) {
        return Ok(found);
    }
    let everyone = tv.annotations().list(range).await?;
    let elsewhere = everyone
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.app_id.map_or(Elsewhere::NoApp, Elsewhere::App));
    Err(Error::NotFound(Missing::Annotation {
        app: app.to_string(),
        id,
        elsewhere,
        since: range.start,
    }))
}

/// The slices of `series` that start inside `range` (a span's window cut from the API
/// window it falls in).
pub(crate) fn cut<P: Point>(series: &Series<P>, range: TimeRange) -> Series<P> {
    let step = series.step();
    let inside = Series::from_sorted(
        series
            .iter()
            .filter(|p| range.contains(p.at()))
            .cloned()
            .collect(),
    );
    match step {
        Some(step) => inside.with_step(step),
        None => inside,
    }
}

/// Each layer's slices inside `range`; layers without a slice there are left out.
pub(crate) fn cut_layers(layers: &[LayerSeries], range: TimeRange) -> Vec<LayerSeries> {
    layers
        .iter()
        .map(|l| LayerSeries {
            layer: l.layer.clone(),
            series: cut(&l.series, range),
        })
        .filter(|l| !l.series.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_whole_slices_within_the_window() {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        assert!(check_span(TimeWindow::Hour, minutes(15)).is_ok());
        assert!(check_span(TimeWindow::Hour, minutes(60)).is_ok());
        assert!(check_span(TimeWindow::Hour, Duration::from_secs(30)).is_ok());
        let refused = |w, d| check_span(w, d).unwrap_err().to_string();
        assert!(
            refused(TimeWindow::Hour, Duration::from_secs(45))
                .contains("a span of 45s is not a whole number of the hour window's 30s slices"),
        );
        assert!(refused(TimeWindow::Hour, Duration::ZERO).contains("not a whole number"));
        assert!(
            refused(TimeWindow::Hour, minutes(90))
                .contains("a span of 1h 30m is longer than the hour window")
        );
        assert!(check_span(TimeWindow::Day, minutes(90)).is_ok());
        assert!(refused(TimeWindow::Day, minutes(20)).contains("15m slices"));
    }

    #[test]
    fn a_cut_keeps_the_slices_that_start_inside() {
        use crate::points::LatencyPoint;
        let at = |s| DateTime::from_timestamp(s, 0).unwrap();
        let points: Vec<LatencyPoint> = (0..6)
            .map(|i| LatencyPoint {
                at: at(1_000_020 + i * 30),
                volume: 1,
                average: Some(Duration::from_millis(10)),
            })
            .collect();
        let series = Series::new(points)
            .unwrap()
            .with_step(Duration::from_secs(30));
        let range = TimeRange::new(at(1_000_050), at(1_000_140)).unwrap();
        let cut = cut(&series, range);
        let starts: Vec<i64> = cut.iter().map(|p| p.at.timestamp()).collect();
        assert_eq!(starts, [1_000_050, 1_000_080, 1_000_110]);
        assert_eq!(cut.step(), Some(Duration::from_secs(30)));
        assert_eq!(
            floor(at(1_000_049), Duration::from_secs(30)).unwrap(),
            at(1_000_020)
        );
    }
}
