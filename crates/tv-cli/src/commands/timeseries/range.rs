//! `--since/--until/--step/--resample`: a range of any length, fetched window by window
//! by tv-client's history and stitched, its coverage reported, then resampled.

use std::future::Future;

use chrono::{DateTime, Utc};
use tv_client::filter::Windowed;
use tv_client::math::{Coverage, Resample};
use tv_client::{Error, Point, Series, TimeRange, TimeWindow};

use crate::cli::HistoryArgs;
use crate::exit::CliError;
use crate::render::Format;
use crate::timearg::parse_time;

/// What the history flags ask for: the range (with `--since`), the window it is fetched
/// with, and the step to resample to.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// The range, when `--since` is given.
    pub range: Option<TimeRange>,
    /// The window each call covers.
    pub window: TimeWindow,
    /// `--resample`.
    pub resample: Option<std::time::Duration>,
}

impl Span {
    /// Reads the flags; `window` is `--window`'s, `now` the server's now (relative
    /// times and the default `--until`).
    pub fn of(
        args: &HistoryArgs,
        window: TimeWindow,
        now: DateTime<Utc>,
    ) -> Result<Span, CliError> {
        let Some(since) = &args.since else {
            return Ok(Span {
                range: None,
                window,
                resample: args.resample,
            });
        };
        let start = parse_time(since, now)?;
        let end = match &args.until {
            Some(until) => parse_time(until, now)?,
            None => now,
        };
        let range = TimeRange::new(start, end).ok_or_else(|| {
            CliError::usage(format!(
                "--until ({}) is before --since ({})",
                end.format("%Y-%m-%d %H:%M:%S UTC"),
                start.format("%Y-%m-%d %H:%M:%S UTC")
            ))
        })?;
        let window = tv_client::history::plan_window(range, args.step)?;
        // Without --until the range ends at the last whole slice of the chosen step (the
        // server does not serve the slice still filling up).
        let range = match args.until {
            Some(_) => range,
            None => TimeRange::new(range.start, floor(range.end, window.step())).unwrap_or(range),
        };
        Ok(Span {
            range: Some(range),
            window,
            resample: args.resample,
        })
    }

    /// Refuses the flags on a command that shows no series (a summary).
    pub fn refuse(args: &HistoryArgs, command: &str) -> Result<(), CliError> {
        if args.any() {
            return Err(CliError::usage(format!(
                "--since, --step and --resample apply to series; `{command}` shows a summary"
            )));
        }
        Ok(())
    }

    /// Fetches with `fetch`: one call over the filter's window, or every window of the
    /// range stitched (with its coverage).
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
                let stitched = tv_client::history::history(&filter, range, fetch).await?;
                Ok((stitched.series, Some(stitched.coverage)))
            }
        }
    }

    /// `series` resampled to `--resample`, or as it is.
    pub fn resampled<P: Resample>(&self, series: Series<P>) -> Result<Series<P>, CliError> {
        match self.resample {
            Some(step) => Ok(tv_client::math::resample(&series, step)?),
            None => Ok(series),
        }
    }

    /// The end of what is shown: the range's, else `requested`.
    pub fn end(&self, requested: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        self.range.map(|r| r.end).or(requested)
    }

    /// How a title names the time: `last hour`, or `2024-01-01 00:00 – 2024-01-31 00:00 UTC`.
    pub fn describe(&self) -> String {
        match self.range {
            None => format!("last {}", self.window),
            Some(r) => format!(
                "{} – {} UTC",
                r.start.format("%Y-%m-%d %H:%M"),
                r.end.format("%Y-%m-%d %H:%M")
            ),
        }
    }
}

/// `at` floored to a multiple of `step` since the epoch.
fn floor(at: DateTime<Utc>, step: std::time::Duration) -> DateTime<Utc> {
    let step = i64::try_from(step.as_secs()).unwrap_or(1).max(1);
    DateTime::from_timestamp(at.timestamp().div_euclid(step) * step, 0).unwrap_or(at)
}

/// Prints the coverage of a stitched range on stderr for the formats people read
/// (JSON and NDJSON carry it as data).
pub fn report_coverage(coverage: Option<&Coverage>, format: Format) {
    let Some(coverage) = coverage else { return };
    if matches!(format, Format::Json | Format::Ndjson) {
        return;
    }
    eprintln!("{}", coverage_line(coverage));
}

/// `coverage: 2024-01-01 00:00 – 2024-01-31 00:00 UTC, complete` or `…, missing
/// 2024-01-02 00:00 – 2024-01-02 06:00 (+1 more)`.
pub fn coverage_line(coverage: &Coverage) -> String {
    let minute = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    let covered = match coverage.covered {
        Some(r) => format!("{} – {} UTC", minute(r.start), minute(r.end)),
        None => "nothing".into(),
    };
    let missing = match coverage.missing.as_slice() {
        [] => "complete".to_string(),
        [first, rest @ ..] => {
            let more = if rest.is_empty() {
                String::new()
            } else {
                format!(" (+{} more)", rest.len())
            };
            format!(
                "missing {} – {} UTC{more}",
                minute(first.start),
                minute(first.end)
            )
        }
    };
    format!("coverage: {covered}, {missing}")
}
