//! `tv export openmetrics`: history for `promtool tsdb create-blocks-from openmetrics`.

use std::io::Write;

use chrono::{DateTime, Utc};
use tv_client::export::history::{self, AppHistory};
use tv_client::{TimeRange, TraceView};

use crate::cli::{ExportArgs, ExportCommand};
use crate::exit::{CliError, Exit};

/// Runs `tv export …`.
pub async fn run(tv: &TraceView, command: ExportCommand) -> Result<Exit, CliError> {
    match command {
        ExportCommand::Openmetrics(args) => openmetrics(tv, &args).await,
    }
}

/// The range `--since`/`--until` name: `--since` is a span back from `--until`
/// (`30d`) or a time; `now` and relative times are the server's.
fn range(args: &ExportArgs, now: DateTime<Utc>) -> Result<TimeRange, CliError> {
    let until = args.until.at(now)?;
    let since = args.since.since(until, now)?;
    TimeRange::new(since, until)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| CliError::usage("--since must be before --until"))
}

async fn openmetrics(tv: &TraceView, args: &ExportArgs) -> Result<Exit, CliError> {
    let Some(first) = args.apps.first() else {
        return Err(CliError::usage("name at least one app"));
    };
    // The server's now (the one resolver every command uses), never the local clock.
    let now = crate::context::now_resolver(tv).get(Some(first)).await?;
    let range = range(args, now)?;
    let mut histories: Vec<AppHistory> = Vec::with_capacity(args.apps.len());
    // An app named twice is exported once: a series twice is invalid OpenMetrics.
    let mut seen = std::collections::HashSet::new();
    for app in args.apps.iter().filter(|app| seen.insert(app.as_str())) {
        histories.push(history::fetch(tv, app, range).await?);
    }
    let mut text = Vec::new();
    history::write_openmetrics(&histories, &mut text)?;
    match &args.out {
        Some(path) => std::fs::write(path, &text).map_err(|e| {
            CliError::new(
                Exit::Runtime,
                format!("cannot write {}: {e}", path.display()),
            )
        })?,
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(&text).and_then(|()| out.flush()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(Exit::Ok),
                Err(e) => return Err(e.into()),
            }
        }
    }
    let samples: usize = histories.iter().map(AppHistory::len).sum();
    tracing::info!(
        "exported {samples} samples of {} apps from {} to {}",
        histories.len(),
        range.start.to_rfc3339(),
        range.end.to_rfc3339()
    );
    Ok(Exit::Ok)
}
