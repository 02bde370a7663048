//! `compare`: a window against an earlier one (or the window before an annotation
//! against the one after it), overall and per layer, judged by the gate.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::compare_windows::{cut, cut_layers, windows};
use super::gate::{GateRules, Verdict};
use super::now::Now;
use crate::client::TraceView;
use crate::error::Error;
use crate::filter::ServerFilter;
use crate::json_shape::ser_secs;
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
    /// Around an annotation: windows this long (a whole number of `window`'s slices, at
    /// most the window), cut from the API window's slices; `None`: the whole window.
    pub span: Option<Duration>,
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
            span: None,
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

    /// Around an annotation, windows of `span` instead of the whole window.
    pub fn span(mut self, span: Duration) -> Self {
        self.span = Some(span);
        self
    }
}

/// The comparison and the gate's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CompareResult {
    /// The app.
    pub app: String,
    /// The API window the slices come from.
    pub window: TimeWindow,
    /// The length of both windows: the window's, or the span around an annotation.
    #[serde(rename = "span_s", serialize_with = "ser_secs")]
    #[cfg_attr(feature = "schemars", schemars(with = "f64"))]
    pub span: Duration,
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

/// Runs a comparison: both windows' latency series, error rates and layers (six calls,
/// concurrently), the per-layer comparison and the gate's verdict. Refuses invalid
/// rules, an `Earlier` gap shorter than a window (overlapping windows), a window that
/// ends after the server's now, an annotation whose window after is not over yet and a
/// span [`check_span`](super::check_span) refuses ([`Error::InvalidArgument`]).
///
/// With a span, each window is cut from the slices of the API window ending where it
/// ends ([`CompareWindows`](super::CompareWindows)): `--span 15m` around a deploy
/// compares the 30 slices before it with the 30 after it.
pub async fn compare(
    tv: &TraceView,
    now: &Now,
    request: &CompareRequest,
) -> Result<CompareResult, Error> {
    request.rules.validate()?;
    let app = request.app.as_str();
    let window = request.window;
    let windows = windows(tv, now, request).await?;
    if let Some(unfinished) = windows.unfinished(window) {
        return Err(unfinished);
    }
    let (end, previous_end) = (windows.current.end, windows.previous.end);
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
    let comparison = match request.span {
        None => WindowComparison {
            overall: Comparison::new(
                WindowSummary::of_app(&now_series, Some(&now_rates)),
                WindowSummary::of_app(&then_series, Some(&then_rates)),
            ),
            layers: compare_layers(&now_layers, &then_layers),
        },
        Some(_) => {
            let (c, p) = (windows.current, windows.previous);
            WindowComparison {
                overall: Comparison::new(
                    WindowSummary::of_app(&cut(&now_series, c), Some(&cut(&now_rates, c))),
                    WindowSummary::of_app(&cut(&then_series, p), Some(&cut(&then_rates, p))),
                ),
                layers: compare_layers(&cut_layers(&now_layers, c), &cut_layers(&then_layers, p)),
            }
        }
    };
    let verdict = request.rules.judge(&comparison);
    Ok(CompareResult {
        app: app.to_string(),
        window,
        span: windows.span,
        end,
        previous_end,
        around: windows.around,
        comparison,
        verdict,
    })
}
