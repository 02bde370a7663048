//! tv's workflows as library calls: the all-apps report (of the apps an
//! [`AppSelection`] picks by pattern, sorted, top N), the one-app report and the
//! window-over-window comparison with its CI gate; an app's error rate with its estimate
//! ([`error_history`]), its latency with its annotations ([`latency_chart`]), its
//! latency with its summary ([`latency_history`]), where its time goes per layer
//! ([`layer_report`]) and its requests ([`request_history`]), over a
//! window or a stitched range ([`Span`](crate::history::Span)). Each takes a [`TraceView`](crate::TraceView), returns a
//! typed result (`Serialize`, and `JsonSchema` with the `schemars` feature: the JSON the CLI prints) and resolves the
//! end of its window in one place, [`Now`]: the server's idea of now, never this
//! machine's clock. Where data is missing the results say why ([`Traffic`]): no
//! traffic in the window (counts 0, averages `None`) is not "not known" (no slices:
//! counts `None` too), and neither is ever a `0.0` average, a 0 % error rate or NaN.
//! The gate's verdict lists each rule as applied ([`RuleCheck`]: threshold, measured
//! value or `None`, outcome), the numbers its table shows.
//!
//! ```no_run
//! use futures::StreamExt;
//! use tv_client::{TimeWindow, TraceView};
//! use tv_client::workflow::{self, AppSelection, CompareRequest, GateRules, Now, SortKey};
//!
//! # async fn run(tv: TraceView) -> Result<(), tv_client::Error> {
//! let now = Now::server(&tv);
//! // How every app is doing over the last hour, busiest first.
//! let report = workflow::report(&tv, &now, TimeWindow::Hour, None, 8).await?;
//! for row in &report.apps {
//!     println!("{} {:?} {:?}", row.app, row.average, row.change_fraction);
//! }
//! // Only the web apps, most failing first, the worst three (unselected apps cost no call).
//! let selection = AppSelection::new().patterns(["web-*"])?.sort(SortKey::Errors).top(3);
//! let worst = workflow::report_selected(&tv, &now, TimeWindow::Hour, None, 8, &selection).await?;
//! assert!(worst.apps.len() <= 3);
//! // Or as each app completes, for progress on thousands of apps.
//! let end = now.resolve(None, None).await?;
//! let apps = tv.discovery().apps().await?;
//! let mut rows = workflow::report_stream(&tv, apps, TimeWindow::Hour, end, 8);
//! while let Some(done) = rows.next().await { let _ = done; }
//! // The CI gate: this hour against the one before.
//! let request = CompareRequest::new("web-shop").rules(GateRules::default());
//! let comparison = workflow::compare(&tv, &now, &request).await?;
//! assert!(comparison.verdict.passed() || !comparison.verdict.tripped.is_empty());
//! // Soon after a deploy: the 15 minutes before the newest annotation against the 15
//! // after it, cut from the hour window's 30-second slices, once they are over.
//! use tv_client::workflow::Baseline;
//! let deploy = CompareRequest::new("web-shop")
//!     .baseline(Baseline::AroundLatest)
//!     .span(std::time::Duration::from_secs(15 * 60))
//!     .rules(GateRules::default());
//! let windows = workflow::windows(&tv, &Now::server(&tv), &deploy).await?;
//! if windows.remaining().is_none() {
//!     let _ = workflow::compare(&tv, &now, &deploy).await?;
//! }
//! # Ok(())
//! # }
//! ```

mod annotations;
mod app_report;
mod clock;
mod compare;
mod compare_windows;
mod gate;
mod gate_checks;
mod hosts;
mod latency;
mod now;
mod report;
mod requests;
mod select;
mod series;
mod traffic;
mod trend;

pub use annotations::{NamedAnnotation, annotations_with_apps};
pub use app_report::{AppReport, app_report};
pub use clock::{Clock, FixedClock, SystemClock};
pub use compare::{Baseline, CompareRequest, CompareResult, compare};
pub(crate) use compare_windows::not_over;
pub use compare_windows::{CompareWindows, check_span, span_name, windows};
pub use gate::{
    DEFAULT_MAX_TRAFFIC_DROP, DEFAULT_SEVERE_LAYER_FACTOR, DEFAULT_SEVERE_MIN_CALLS, GateRules,
    Rule, Trip, Verdict,
};
pub use gate_checks::{Outcome, RuleCheck};
pub use hosts::{HostId, HostRef, resolve_host, resolve_host_id};
pub use latency::{LatencyFilter, LatencyHistory, LayerReport, latency_history, layer_report};
pub use now::{Now, clock_skew};
pub use report::{
    AppFailure, AppRow, AppsReport, app_row, collect, collect_reduced, report, report_selected,
    report_stream,
};
pub use requests::{RequestHistory, request_history};
pub use select::{AppSelection, SortKey};
pub use series::{ErrorHistory, LatencyChart, error_history, latency_chart};
pub use traffic::Traffic;
pub use trend::Trend;
