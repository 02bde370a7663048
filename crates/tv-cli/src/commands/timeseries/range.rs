//! `--since/--until/--step/--resample`: a range of any length, fetched window by window
//! by tv-client's history and stitched, its coverage reported, then resampled.

use chrono::{DateTime, Utc};
pub use tv_client::history::Span;
use tv_client::math::Coverage;
use tv_client::{TimeRange, TimeWindow};

use crate::cli::HistoryArgs;
use crate::exit::CliError;
use crate::render::Format;

/// `tv_client::history::Span` from the history flags, and as titles name it.
pub trait SpanFlags: Sized {
    /// Reads the flags; `window` is `--window`'s, `now` the server's now (relative
    /// times and the default `--until`).
    fn of(args: &HistoryArgs, window: TimeWindow, now: DateTime<Utc>) -> Result<Self, CliError>;
    /// Refuses the flags on a command that shows no series (a summary).
    fn refuse(args: &HistoryArgs, command: &str) -> Result<(), CliError>;
    /// How a title names the time: `last hour`, or `2024-01-01 00:00 – 2024-01-31 00:00 UTC`.
    fn describe(&self) -> String;
}

impl SpanFlags for Span {
    fn of(args: &HistoryArgs, window: TimeWindow, now: DateTime<Utc>) -> Result<Span, CliError> {
        let Some(since) = args.since else {
            return Ok(Span {
                resample: args.resample,
                ..Span::window(window)
            });
        };
        let end = match args.until {
            Some(until) => until.at(now)?,
            None => now,
        };
        let start = since.since(end, now)?;
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

    fn refuse(args: &HistoryArgs, command: &str) -> Result<(), CliError> {
        if args.any() {
            return Err(CliError::usage(format!(
                "--since, --step and --resample apply to series; `{command}` shows a summary"
            )));
        }
        Ok(())
    }

    fn describe(&self) -> String {
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
