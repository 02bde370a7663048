//! Monitoring-plugin checks (Nagios, Icinga, Naemon, Sensu, Zabbix agents).
//!
//! A [`CheckSpec`] names an app, optionally one layer, a window and the metrics to
//! judge with their warning and critical [`ThresholdRange`]s; [`run_check`] fetches what
//! those metrics need and returns a [`CheckResult`], whose [`CheckResult::output`] is the
//! plugin's one line (`TRACEVIEW CRITICAL - … | perfdata`) and whose
//! [`Status::code`] is its exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
//!
//! A metric is CRITICAL when its value is an alert of the critical range, else WARNING
//! when it is one of the warning range, else OK; a metric whose value cannot be
//! determined (no traces in the window, no window before to compare with) is UNKNOWN:
//! an app without traffic has no error rate (not 0 %) and no latency, so `error-rate`
//! and `latency` are UNKNOWN for it, while `traffic` and `stale` are the metrics that
//! judge vanished traffic. The check's status is the worst of its metrics, in the order
//! CRITICAL > WARNING > UNKNOWN > OK, so a check that could not judge something never
//! says OK.
//!
//! [`CheckSpec::end`] checks a past moment: the window ends there and `stale` is
//! measured at it (the measurement in `tests/client/gate_measurement.rs` runs
//! [`run_check`] so, hour by hour).
//!
//! | metric | value | unit (perfdata) |
//! |---|---|---|
//! | `latency` | average request latency over the window | ms |
//! | `latest` | latency of the most recent slice the server reports | ms |
//! | `error-rate` | share of traces with an error, volume-weighted | % |
//! | `traffic` | traces in the window ÷ traces in the window before | ratio |
//! | `stale` | minutes since the last slice with traces | minutes |
//!
//! `stale` looks back as far as it takes: when the window has no traces, through each
//! longer window up to [`STALE_HORIZON`] (a week); no traces in the whole week is
//! CRITICAL, "more than 10080 min", whatever the thresholds. It is measured against
//! the server's clock (its `Date` header, else the end of its series), and a server
//! whose slices end in the future or before the window could start is UNKNOWN.

mod metric;
pub mod perfdata;
pub mod range;
pub mod staleness;

pub use metric::Metric;
pub use perfdata::{PerfDatum, Uom, format_number};
pub use range::{ParseRangeError, ThresholdRange};
pub use staleness::STALE_HORIZON;

use chrono::{DateTime, Utc};

use crate::client::TraceView;
use crate::error::Error;
use crate::filter::ServerFilter;
use crate::math;
use crate::model::LatencySummary;
use crate::points::{ErrorRatePoint, LatencyPoint};
use crate::series::Series;
use crate::window::TimeWindow;
use crate::workflow::{self, Now, Traffic};

/// A plugin state, with its exit code as the discriminant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// 0: within thresholds.
    Ok = 0,
    /// 1: beyond the warning threshold.
    Warning = 1,
    /// 2: beyond the critical threshold.
    Critical = 2,
    /// 3: the check could not tell (no data, server down, bad key, bad arguments).
    Unknown = 3,
}

impl Status {
    /// The plugin exit code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        }
    }

    fn severity(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Unknown => 1,
            Status::Warning => 2,
            Status::Critical => 3,
        }
    }

    /// The worse of two states (CRITICAL > WARNING > UNKNOWN > OK).
    pub fn worst(self, other: Status) -> Status {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }
}

/// The warning and critical ranges of one metric; either may be absent.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Thresholds {
    /// Alert as WARNING when the value is an alert of this range.
    pub warning: Option<ThresholdRange>,
    /// Alert as CRITICAL when the value is an alert of this range.
    pub critical: Option<ThresholdRange>,
}

impl Thresholds {
    /// The state of `value`: critical first, then warning; `None` is UNKNOWN.
    pub fn judge(&self, value: Option<f64>) -> Status {
        let Some(value) = value else {
            return Status::Unknown;
        };
        let hit = |range: Option<ThresholdRange>| range.is_some_and(|r| r.alerts(value));
        if hit(self.critical) {
            Status::Critical
        } else if hit(self.warning) {
            Status::Warning
        } else {
            Status::Ok
        }
    }
}

/// What to check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSpec {
    /// The app.
    pub app: String,
    /// Only traces through this layer.
    pub layer: Option<String>,
    /// The window the metrics are computed over.
    pub window: TimeWindow,
    /// The metrics, each with its thresholds, in output order.
    pub metrics: Vec<(Metric, Thresholds)>,
    /// The end of the window: `None` for the server's now; an earlier instant checks
    /// that moment (`stale` is then measured at it, as if the check ran then). An end
    /// after the server's now is refused: the window is not over yet.
    pub end: Option<DateTime<Utc>>,
}

/// One judged metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Which metric.
    pub metric: Metric,
    /// Its value in the metric's unit; `None` when it could not be determined.
    pub value: Option<f64>,
    /// Why there is no value (or a qualifier such as "at least"), for the status line.
    pub note: Option<String>,
    /// Its thresholds.
    pub thresholds: Thresholds,
    /// Its state.
    pub status: Status,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// The app checked.
    pub app: String,
    /// The layer, if the check was limited to one.
    pub layer: Option<String>,
    /// The metrics, in the order asked.
    pub measurements: Vec<Measurement>,
}

impl CheckResult {
    /// The worst state of the metrics (UNKNOWN when there are none).
    pub fn status(&self) -> Status {
        match self
            .measurements
            .iter()
            .map(|m| m.status)
            .reduce(Status::worst)
        {
            Some(status) => status,
            None => Status::Unknown,
        }
    }

    /// The plugin output: one status line, ` | `, then the performance data.
    pub fn output(&self) -> String {
        let status = self.status();
        let subject = match &self.layer {
            Some(layer) => format!("{} ({layer})", self.app),
            None => self.app.clone(),
        };
        // The metrics that decide the state come first.
        let mut ordered: Vec<&Measurement> = self.measurements.iter().collect();
        ordered.sort_by_key(|m| std::cmp::Reverse(m.status.severity()));
        let parts: Vec<String> = ordered.iter().map(|m| m.describe()).collect();
        let perfdata: Vec<String> = self
            .measurements
            .iter()
            .map(|m| m.perfdata().to_string())
            .collect();
        format!(
            "TRACEVIEW {} - {subject}: {} | {}",
            status.label(),
            parts.join(", "),
            perfdata.join(" ")
        )
    }
}

impl Measurement {
    fn describe(&self) -> String {
        let what = self.metric.description();
        let mut text = match (self.value, &self.note) {
            (Some(v), Some(note)) => format!("{what} {note} {}", self.metric.show(v)),
            (Some(v), None) => format!("{what} {}", self.metric.show(v)),
            (None, Some(note)) => format!("{what} unknown ({note})"),
            (None, None) => format!("{what} unknown"),
        };
        let range = match self.status {
            Status::Critical => self.thresholds.critical,
            Status::Warning => self.thresholds.warning,
            _ => None,
        };
        if let Some(range) = range {
            text.push_str(&format!(" {} (range {range})", self.status.label()));
        }
        text
    }

    /// The performance datum of this measurement.
    pub fn perfdata(&self) -> PerfDatum {
        let (min, max) = self.metric.bounds();
        PerfDatum {
            label: self.metric.label().to_string(),
            value: self.value,
            uom: self.metric.uom(),
            warning: self.thresholds.warning,
            critical: self.thresholds.critical,
            min,
            max,
        }
    }
}

/// What the metrics of a check are computed from; each part fetched only when a
/// metric needs it.
#[derive(Debug, Default)]
pub struct CheckData {
    /// The latency summary of the window.
    pub summary: Option<LatencySummary>,
    /// The latency series of the window.
    pub series: Option<Series<LatencyPoint>>,
    /// The error-rate series of the window.
    pub errors: Option<Series<ErrorRatePoint>>,
    /// The latency series of the window before.
    pub previous: Option<Series<LatencyPoint>>,
    /// For `stale` when the window has no traces: the longer windows' series, in
    /// order, up to the first with traces.
    pub lookback: Vec<(TimeWindow, Series<LatencyPoint>)>,
    /// The server's clock (its `Date` header), when it sent one.
    pub server_date: Option<DateTime<Utc>>,
}

/// Fetches what `spec`'s metrics need and judges them: what `tv check` runs. Any
/// failure to get data is an error (which a plugin reports as UNKNOWN), and so is an
/// [`end`](CheckSpec::end) after the server's now (`now`, asked only then):
/// [`Error::InvalidArgument`], "the hour ending … is not over yet", as `tv compare`
/// says it.
pub async fn run_check(tv: &TraceView, now: &Now, spec: &CheckSpec) -> Result<CheckResult, Error> {
    let mut filter = ServerFilter::new().window(spec.window);
    if let Some(end) = spec.end {
        let server_now = now.get(Some(&spec.app)).await?;
        if end > server_now {
            return Err(workflow::not_over(spec.window, end, server_now));
        }
        crate::range::check_end(&format!("the {}", spec.window), end)?;
        filter = filter.end(end);
    }
    if let Some(layer) = &spec.layer {
        filter = filter.layer(layer.clone());
    }
    let needs = |wanted: &[Metric]| spec.metrics.iter().any(|(m, _)| wanted.contains(m));
    let mut data = CheckData::default();
    if needs(&[Metric::Latency, Metric::Latest]) {
        data.summary = Some(tv.latency().server_summary(&spec.app, &filter).await?);
    }
    if needs(&[Metric::ErrorRate, Metric::Traffic, Metric::Stale]) {
        data.series = Some(tv.latency().server_series(&spec.app, &filter).await?);
    }
    if needs(&[Metric::ErrorRate]) {
        data.errors = Some(tv.errors().rate(&spec.app, &filter).await?);
    }
    if needs(&[Metric::Stale])
        && let Some(series) = &data.series
    {
        data.lookback = staleness::look_back(tv, &spec.app, &filter, series).await?;
    }
    if needs(&[Metric::Traffic])
        && let Some(end) = data.series.as_ref().and_then(previous_window_end)
    {
        let before = filter.clone().end(end);
        data.previous = Some(tv.latency().server_series(&spec.app, &before).await?);
    }
    // A check of a past moment measures `stale` at that moment.
    data.server_date = spec.end.or_else(|| tv.server_date());
    Ok(evaluate(spec, &data))
}

/// The end of the window before the one `series` covers: where the server's own
/// answer starts (never the local clock).
fn previous_window_end(series: &Series<LatencyPoint>) -> Option<DateTime<Utc>> {
    series.span().map(|span| span.start)
}

/// Judges `spec`'s metrics on data already fetched.
pub fn evaluate(spec: &CheckSpec, data: &CheckData) -> CheckResult {
    let measurements = spec
        .metrics
        .iter()
        .map(|(metric, thresholds)| {
            let reading = metric.reading(data, spec.window);
            Measurement {
                metric: *metric,
                value: reading.value,
                note: reading.note,
                thresholds: *thresholds,
                status: reading
                    .forced
                    .unwrap_or_else(|| thresholds.judge(reading.value)),
            }
        })
        .collect();
    CheckResult {
        app: spec.app.clone(),
        layer: spec.layer.clone(),
        measurements,
    }
}

/// The one-line UNKNOWN output for a check that could not run (`why` is cleaned of
/// line breaks).
pub fn unknown_output(why: &str) -> String {
    let why: String = why
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("TRACEVIEW UNKNOWN - {}", why.trim())
}

/// The weighted error rate of the window, for the `error-rate` metric, or why there is
/// none: without traces there is no rate to measure (UNKNOWN, never a 0 % that reads
/// as OK), and without slices nothing is known.
fn error_rate(data: &CheckData) -> Result<f64, String> {
    let (Some(rates), Some(volumes)) = (&data.errors, &data.series) else {
        return Err("no series".into());
    };
    let estimate = math::estimate_errors(rates, volumes);
    match (Traffic::of_errors(&estimate), estimate.rate) {
        (Traffic::Seen, Some(rate)) => Ok(rate),
        (Traffic::Unknown, _) => Err("the server sent no slices".into()),
        _ => Err("no traces in the window".into()),
    }
}

#[cfg(test)]
mod tests;
