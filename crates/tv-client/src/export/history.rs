//! History in the OpenMetrics text format, with timestamps, for
//! `promtool tsdb create-blocks-from openmetrics`.
//!
//! A range is cut into tiers at the finest step each allows: its newest hour at 30 s
//! steps (hour windows), the rest of its newest day at 15 min (day windows), anything
//! older at 2 h (week windows); each tier is stitched from consecutive windows
//! ([`crate::history::history`]). Rates are per second, so samples of different steps
//! line up. Samples carry the start of their slice as timestamp (seconds).

use std::io::{self, Write};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::names::{self, Family};
use super::printable;
use crate::client::TraceView;
use crate::error::Error;
use crate::filter::{RequestsFilter, ServerFilter};
use crate::history::history;
use crate::points::{ErrorRatePoint, LatencyPoint, Point, RequestsPoint};
use crate::range::TimeRange;
use crate::window::TimeWindow;

/// The tiers of `range`, oldest first: (window whose step it uses, sub-range).
pub fn plan(range: TimeRange) -> Vec<(TimeWindow, TimeRange)> {
    let mut tiers = Vec::new();
    let hour_start = TimeWindow::Hour
        .previous_end(range.end)
        .unwrap_or(range.start);
    let day_start = TimeWindow::Day
        .previous_end(range.end)
        .unwrap_or(range.start);
    let week_part = TimeRange::new(range.start, day_start.max(range.start));
    let day_part = TimeRange::new(day_start.max(range.start), hour_start.max(range.start));
    let hour_part = TimeRange::new(hour_start.max(range.start), range.end);
    for (window, part) in [
        (TimeWindow::Week, week_part),
        (TimeWindow::Day, day_part),
        (TimeWindow::Hour, hour_part),
    ] {
        if let Some(part) = part.filter(|p| !p.is_empty()) {
            tiers.push((window, part));
        }
    }
    tiers
}

/// A sample: when, and the value.
pub type Sample = (DateTime<Utc>, f64);

/// One app's history, each metric's samples in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppHistory {
    /// The app.
    pub app: String,
    /// Average latency of the slice's traces, seconds (slices with traces only).
    pub latency_average: Vec<Sample>,
    /// Traced requests per second in the slice.
    pub traced_rate: Vec<Sample>,
    /// Share of traces with an error (slices where the server sent a rate).
    pub error_ratio: Vec<Sample>,
    /// All requests per second in the slice.
    pub request_rate: Vec<Sample>,
}

impl AppHistory {
    /// Every sample of every metric.
    pub fn len(&self) -> usize {
        self.latency_average.len()
            + self.traced_rate.len()
            + self.error_ratio.len()
            + self.request_rate.len()
    }

    /// Whether there is no sample at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Appends samples keeping timestamps strictly increasing (tiers may overlap by a slice).
fn extend(samples: &mut Vec<Sample>, more: impl IntoIterator<Item = Sample>) {
    for sample in more {
        if samples.last().is_none_or(|last| last.0 < sample.0) {
            samples.push(sample);
        }
    }
}

fn per_second(count: u64, step: Duration) -> Option<f64> {
    let secs = step.as_secs_f64();
    (secs > 0.0).then(|| count as f64 / secs)
}

/// Fetches `app`'s history over `range` (latency, error rate, total requests; one call
/// per window and metric).
pub async fn fetch(tv: &TraceView, app: &str, range: TimeRange) -> Result<AppHistory, Error> {
    let mut out = AppHistory {
        app: app.to_string(),
        ..AppHistory::default()
    };
    for (window, part) in plan(range) {
        let server = ServerFilter::new().window(window).end(part.end);
        let requests = RequestsFilter::new().window(window).end(part.end);
        let latency = tv.latency().server_history(app, &server, part).await?;
        let errors = history(
            &server,
            part,
            |f| async move { tv.errors().rate(app, &f).await },
        )
        .await?;
        let totals = history(&requests, part, |f: RequestsFilter| async move {
            tv.requests().series(app, &f).await
        })
        .await?;
        let step = latency.series.step().unwrap_or(window.step());
        let latency: &[LatencyPoint] = latency.series.points();
        extend(
            &mut out.latency_average,
            latency
                .iter()
                .filter_map(|p| Some((p.at, p.average.filter(|_| p.has_data())?.as_secs_f64()))),
        );
        extend(
            &mut out.traced_rate,
            latency
                .iter()
                .filter_map(|p| Some((p.at, per_second(p.volume, step)?))),
        );
        let errors: &[ErrorRatePoint] = errors.series.points();
        extend(
            &mut out.error_ratio,
            errors.iter().filter_map(|p| Some((p.at, p.rate?))),
        );
        let step = totals.series.step().unwrap_or(window.step());
        let totals: &[RequestsPoint] = totals.series.points();
        extend(
            &mut out.request_rate,
            totals
                .iter()
                .filter_map(|p| Some((p.at(), per_second(p.requests, step)?))),
        );
    }
    Ok(out)
}

fn escape_label(value: &str) -> String {
    printable(value)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Where an [`AppHistory`] keeps one family's samples.
pub type SamplesOf = fn(&AppHistory) -> &[Sample];

/// The families of a history, each with its samples in an [`AppHistory`]: the one list
/// every history writer (OpenMetrics, Graphite) goes through.
pub const FAMILIES: [(Family, SamplesOf); 4] = [
    (names::LATENCY_AVERAGE, |a| &a.latency_average),
    (names::TRACED_RATE, |a| &a.traced_rate),
    (names::ERROR_RATIO, |a| &a.error_ratio),
    (names::REQUEST_RATE, |a| &a.request_rate),
];

fn write_family(
    out: &mut impl Write,
    family: Family,
    apps: &[AppHistory],
    samples: SamplesOf,
) -> io::Result<()> {
    // The same text as the exporter's (prometheus-client ends help with a period).
    writeln!(out, "# HELP {} {}.", family.name, family.help)?;
    writeln!(out, "# TYPE {} gauge", family.name)?;
    if let Some(unit) = family.unit {
        writeln!(out, "# UNIT {} {unit}", family.name)?;
    }
    for app in apps {
        let label = escape_label(&app.app);
        for (at, value) in samples(app) {
            if value.is_finite() {
                writeln!(
                    out,
                    "{}{{app=\"{label}\"}} {value} {}",
                    family.name,
                    at.timestamp()
                )?;
            }
        }
    }
    Ok(())
}

/// Writes the histories as one OpenMetrics exposition ending in `# EOF`: one gauge
/// family per metric, one series per app, samples in time order.
pub fn write_openmetrics(apps: &[AppHistory], out: &mut impl Write) -> io::Result<()> {
    for (family, samples) in FAMILIES {
        write_family(out, family, apps, samples)?;
    }
    writeln!(out, "# EOF")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t(hours: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_704_283_200 + hours * 3600, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn a_month_is_cut_into_week_day_and_hour_tiers() {
        let Some(range) = TimeRange::new(t(-30 * 24), t(0)) else {
            panic!("range")
        };
        let tiers = plan(range);
        let shape: Vec<(TimeWindow, i64, i64)> = tiers
            .iter()
            .map(|(w, r)| (*w, (r.start - t(0)).num_hours(), (r.end - t(0)).num_hours()))
            .collect();
        assert_eq!(
            shape,
            [
                (TimeWindow::Week, -720, -24),
                (TimeWindow::Day, -24, -1),
                (TimeWindow::Hour, -1, 0)
            ]
        );
        // A range within the last hour is one tier at the finest step.
        let Some(short) = TimeRange::new(t(0) - chrono::Duration::minutes(20), t(0)) else {
            panic!("range")
        };
        assert_eq!(plan(short), [(TimeWindow::Hour, short)]);
    }

    #[test]
    fn openmetrics_with_timestamps_units_and_escaped_labels() {
        let apps = [AppHistory {
            app: "we\"b\\shop\n".into(),
            latency_average: vec![(t(0), 0.25), (t(1), 0.5)],
            error_ratio: vec![(t(0), f64::NAN)],
            ..AppHistory::default()
        }];
        let mut out = Vec::new();
        if let Err(e) = write_openmetrics(&apps, &mut out) {
            panic!("{e}");
        }
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains(
            "# TYPE traceview_request_latency_average_seconds gauge\n\
             # UNIT traceview_request_latency_average_seconds seconds\n\
             traceview_request_latency_average_seconds{app=\"we\\\"b\\\\shop\u{FFFD}\"} 0.25 1704283200\n"
        ), "{text}");
        assert!(!text.contains("NaN"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn overlapping_tiers_keep_timestamps_increasing() {
        let mut samples = vec![(t(0), 1.0)];
        extend(&mut samples, [(t(0), 2.0), (t(-1), 3.0), (t(1), 4.0)]);
        assert_eq!(samples, [(t(0), 1.0), (t(1), 4.0)]);
    }
}
