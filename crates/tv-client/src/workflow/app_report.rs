//! `report APP`: one app in depth over one window.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::now::Now;
use crate::client::{AnnotationRange, TraceView};
use crate::error::Error;
use crate::filter::{RequestsFilter, ServerFilter};
use crate::json_shape::{ser_opt_num, ser_opt_us};
use crate::math::{self, ErrorEstimate, LayerBreakdown};
use crate::model::{Annotation, LatencySummary, RequestsSummary};
use crate::points::LatencyPoint;
use crate::series::Series;
use crate::window::TimeWindow;

/// Everything about one app over one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct AppReport {
    /// The app.
    pub app: String,
    /// The window.
    pub window: TimeWindow,
    /// Its end.
    pub end: DateTime<Utc>,
    /// Traces, average and latest latency (server's summary).
    pub summary: LatencySummary,
    /// The average of the window before.
    #[serde(rename = "previous_average_us", serialize_with = "ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub previous_average: Option<Duration>,
    /// Change of the average against the window before, a fraction (`0.1` = 10 % slower).
    #[serde(serialize_with = "ser_opt_num")]
    pub change_fraction: Option<f64>,
    /// Error rate and approximate failed traces.
    pub errors: ErrorEstimate,
    /// All requests (traced or not) over the window.
    pub requests: RequestsSummary,
    /// Where the time goes, per layer.
    pub layers: Vec<LayerBreakdown>,
    /// Volume and average latency per slice.
    pub series: Series<LatencyPoint>,
    /// Annotations within the window, newest first.
    pub annotations: Vec<Annotation>,
}

/// Fetches everything about `app` over `window` ending at `end` (the server's now when
/// `None`): seven calls, concurrently, after the server's now when it is needed.
pub async fn app_report(
    tv: &TraceView,
    now: &Now,
    app: &str,
    window: TimeWindow,
    end: Option<DateTime<Utc>>,
) -> Result<AppReport, Error> {
    let end = now.resolve(Some(app), end).await?;
    let current = ServerFilter::new().window(window).end(end);
    let start = window.previous_end(end).unwrap_or(end);
    let previous = ServerFilter::new().window(window).end(start);
    let latency = tv.latency();
    let range = AnnotationRange {
        start: Some(start),
        end: Some(end),
    };
    let requests_filter = RequestsFilter::new().window(window).end(end);
    let (summary, before, series, rates, requests, layers, annotations) = futures::try_join!(
        latency.server_summary(app, &current),
        latency.server_summary(app, &previous),
        latency.server_series(app, &current),
        tv.errors().rate(app, &current),
        tv.requests().summary(app, &requests_filter),
        latency.by_layer(app, &current),
        tv.annotations().of_app(app, range),
    )?;
    Ok(AppReport {
        app: app.to_string(),
        window,
        end,
        previous_average: before.average,
        change_fraction: math::change_fraction(summary.average, before.average),
        errors: math::estimate_errors(&rates, &series),
        requests,
        layers: math::layer_breakdown(&layers, Some(&series)),
        summary,
        series,
        annotations,
    })
}
