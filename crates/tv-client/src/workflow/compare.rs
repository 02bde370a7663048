//! `compare`: a window against an earlier one (or the window before an annotation
//! against the one after it), overall and per layer, judged by the gate.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::gate::{GateRules, Verdict};
use super::now::Now;
use crate::client::{AnnotationRange, TraceView};
use crate::error::{Elsewhere, Error, Missing};
use crate::filter::ServerFilter;
use crate::math::{Comparison, WindowComparison, WindowSummary, compare_layers};
use crate::model::Annotation;
use crate::window::TimeWindow;

/// What the current window is compared against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Baseline {
    /// The window just before (`end − window`).
    #[default]
    WindowBefore,
    /// The window this long before (`1w`: the same hour last week); at least one window,
    /// so the two do not overlap.
    Earlier(Duration),
    /// The window before an annotation (by id) against the window after it.
    Around(i64),
    /// Like [`Baseline::Around`] with the app's newest annotation.
    AroundLatest,
}

/// A comparison to run: [`CompareRequest::new`] then the setters.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRequest {
    /// The app.
    pub app: String,
    /// The size of both windows.
    pub window: TimeWindow,
    /// The end of the current window; `None`: the server's now.
    pub end: Option<DateTime<Utc>>,
    /// What to compare against.
    pub baseline: Baseline,
    /// The gate; [`GateRules::OFF`] compares without judging.
    pub rules: GateRules,
}

impl CompareRequest {
    /// This hour of `app` against the hour before, without a gate.
    pub fn new(app: impl Into<String>) -> Self {
        CompareRequest {
            app: app.into(),
            window: TimeWindow::Hour,
            end: None,
            baseline: Baseline::WindowBefore,
            rules: GateRules::OFF,
        }
    }

    /// The window size.
    pub fn window(mut self, window: TimeWindow) -> Self {
        self.window = window;
        self
    }

    /// The end of the current window.
    pub fn end(mut self, end: DateTime<Utc>) -> Self {
        self.end = Some(end);
        self
    }

    /// What to compare against.
    pub fn baseline(mut self, baseline: Baseline) -> Self {
        self.baseline = baseline;
        self
    }

    /// The gate.
    pub fn rules(mut self, rules: GateRules) -> Self {
        self.rules = rules;
        self
    }
}

/// The comparison and the gate's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CompareResult {
    /// The app.
    pub app: String,
    /// The size of both windows.
    pub window: TimeWindow,
    /// End of the current window.
    pub end: DateTime<Utc>,
    /// End of the window compared against.
    pub previous_end: DateTime<Utc>,
    /// The annotation compared around, with `--around`.
    pub around: Option<Annotation>,
    /// The app overall and each layer.
    pub comparison: WindowComparison,
    /// The gate's rules and what tripped.
    pub verdict: Verdict,
}

fn span(window: TimeWindow) -> Result<TimeDelta, Error> {
    TimeDelta::from_std(window.duration()).map_err(|e| Error::invalid_argument(e.to_string()))
}

/// How far back `--around` looks for annotations.
const ANNOTATION_DAYS: i64 = 30;

/// The annotation `baseline` names, from the app's annotations of the last
/// [`ANNOTATION_DAYS`] before `now`. Not found, it says what was missing: an id that is
/// another app's (or no app's), an id that does not exist, or an app without any.
async fn annotation(
    tv: &TraceView,
    app: &str,
    now: DateTime<Utc>,
    id: Option<i64>,
) -> Result<Annotation, Error> {
    let range = AnnotationRange {
        start: now.checked_sub_signed(TimeDelta::days(ANNOTATION_DAYS)),
        end: Some(now),
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

/// Runs a comparison: both windows' latency series, error rates and layers (six calls,
/// concurrently), the per-layer comparison and the gate's verdict. Refuses invalid
/// rules, an `Earlier` gap shorter than a window (overlapping windows), a window that
/// ends after the server's now and an annotation whose window after is not over yet
/// ([`Error::InvalidArgument`]).
pub async fn compare(
    tv: &TraceView,
    now: &Now,
    request: &CompareRequest,
) -> Result<CompareResult, Error> {
    request.rules.validate()?;
    let app = request.app.as_str();
    let window = request.window;
    let length = span(window)?;
    let out_of_range = || Error::invalid_argument("the windows are out of range");
    let mut around = None;
    let (end, previous_end) = match request.baseline {
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
            let gap = TimeDelta::from_std(gap).map_err(|_| out_of_range())?;
            let server_now = now.get(Some(app)).await?;
            let end = request.end.unwrap_or(server_now);
            if end > server_now {
                return Err(Error::invalid_argument(format!(
                    "the {window} ending {} is not over yet (the server's now is {})",
                    end.format("%Y-%m-%d %H:%M:%S UTC"),
                    server_now.format("%Y-%m-%d %H:%M:%S UTC")
                )));
            }
            (end, end.checked_sub_signed(gap).ok_or_else(out_of_range)?)
        }
        Baseline::Around(_) | Baseline::AroundLatest => {
            let server_now = now.get(Some(app)).await?;
            let id = match request.baseline {
                Baseline::Around(id) => Some(id),
                _ => None,
            };
            let note = annotation(tv, app, server_now, id).await?;
            let end = note
                .time
                .checked_add_signed(length)
                .ok_or_else(out_of_range)?;
            if end > server_now {
                return Err(Error::invalid_argument(format!(
                    "the {window} after annotation {} is not over yet: it ends {} (the \
                     server's now is {})",
                    note.id,
                    end.format("%Y-%m-%d %H:%M:%S UTC"),
                    server_now.format("%Y-%m-%d %H:%M:%S UTC")
                )));
            }
            let previous_end = note.time;
            around = Some(note);
            (end, previous_end)
        }
    };
    crate::range::check_end(&format!("the {window}"), end)?;
    crate::range::check_end(&format!("the {window} compared against"), previous_end)?;
    let current = ServerFilter::new().window(window).end(end);
    let previous = ServerFilter::new().window(window).end(previous_end);
    let latency = tv.latency();
    let (now_series, then_series, now_rates, then_rates, now_layers, then_layers) = futures::try_join!(
        latency.server_series(app, &current),
        latency.server_series(app, &previous),
        tv.errors().rate(app, &current),
        tv.errors().rate(app, &previous),
        latency.by_layer(app, &current),
        latency.by_layer(app, &previous),
    )?;
    let comparison = WindowComparison {
        overall: Comparison::new(
            WindowSummary::of_app(&now_series, Some(&now_rates)),
            WindowSummary::of_app(&then_series, Some(&then_rates)),
        ),
        layers: compare_layers(&now_layers, &then_layers),
    };
    let verdict = request.rules.judge(&comparison);
    Ok(CompareResult {
        app: app.to_string(),
        window,
        end,
        previous_end,
        around,
        comparison,
        verdict,
    })
}
