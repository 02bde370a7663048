//! `tv export openmetrics` (history for `promtool tsdb create-blocks-from openmetrics`),
//! `tv export graphite` (the same history as carbon plaintext) and `tv export otlp` (the
//! same history, and the annotations, to an OpenTelemetry receiver): one collection,
//! three writers.

use std::io::Write;

use chrono::{DateTime, Utc};
use tv_client::export::graphite;
use tv_client::export::history::{self, AppHistory};
use tv_client::{TimeRange, TraceView};

use super::carbon;
use crate::cli::{ExportArgs, ExportCommand, GraphiteArgs, OtlpArgs};
use crate::exit::{CliError, Exit};

/// Runs `tv export …`.
pub async fn run(tv: &TraceView, command: ExportCommand) -> Result<Exit, CliError> {
    match command {
        ExportCommand::Openmetrics(args) => openmetrics(tv, &args).await,
        ExportCommand::Graphite(args) => graphite(tv, &args).await,
        ExportCommand::Otlp(args) => otlp(tv, &args).await,
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

/// The history of every app over the range the arguments name.
async fn histories(
    tv: &TraceView,
    args: &ExportArgs,
) -> Result<(Vec<AppHistory>, TimeRange), CliError> {
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
    Ok((histories, range))
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes).map_err(|e| {
        CliError::new(
            Exit::Runtime,
            format!("cannot write {}: {e}", path.display()),
        )
    })
}

/// Writes `text` to `--out` or stdout.
fn write_out(args: &ExportArgs, text: &[u8]) -> Result<(), CliError> {
    match &args.out {
        Some(path) => write_file(path, text),
        None => {
            let mut out = std::io::stdout().lock();
            Ok(out.write_all(text).and_then(|()| out.flush())?)
        }
    }
}

fn log_exported(histories: &[AppHistory], range: TimeRange) {
    let samples: usize = histories.iter().map(AppHistory::len).sum();
    if samples == 0 {
        tracing::warn!(
            "no samples from {} to {}: the apps had no traffic then",
            range.start.to_rfc3339(),
            range.end.to_rfc3339()
        );
        return;
    }
    tracing::info!(
        "exported {samples} samples of {} apps from {} to {}",
        histories.len(),
        range.start.to_rfc3339(),
        range.end.to_rfc3339()
    );
}

async fn otlp(tv: &TraceView, args: &OtlpArgs) -> Result<Exit, CliError> {
    use tv_client::export::otlp::{self, Message as _, Note, Sender, Signal};
    let (histories, range) = histories(tv, &args.export).await?;
    let metrics = otlp::history_metrics(&histories);
    let Some(endpoint) = &args.endpoint else {
        let Some(path) = &args.export.out else {
            return Err(CliError::usage("give --endpoint URL or --out FILE"));
        };
        write_file(path, &metrics.encode_to_vec())?;
        return Ok(Exit::Ok);
    };
    let failed = |e: otlp::SendError| {
        let exit = match e {
            otlp::SendError::Endpoint(_) => Exit::Usage,
            _ => Exit::Runtime,
        };
        CliError::new(exit, e.to_string())
    };
    let sender = Sender::new(endpoint).map_err(failed)?;
    let mut notes = Vec::new();
    let window = tv_client::AnnotationRange {
        start: Some(range.start),
        end: Some(range.end),
    };
    for app in &args.export.apps {
        for note in tv.annotations().of_app(app, window).await? {
            notes.push(Note {
                app: app.clone(),
                time: note.time,
                message: note.message,
            });
        }
    }
    sender
        .send(Signal::Metrics, &metrics)
        .await
        .map_err(failed)?;
    if !notes.is_empty() {
        sender
            .send(Signal::Logs, &otlp::annotation_logs(&notes))
            .await
            .map_err(failed)?;
    }
    let samples: usize = histories.iter().map(AppHistory::len).sum();
    tracing::info!(
        "sent {samples} points and {} annotations of {} apps",
        notes.len(),
        histories.len()
    );
    Ok(Exit::Ok)
}

async fn openmetrics(tv: &TraceView, args: &ExportArgs) -> Result<Exit, CliError> {
    let (histories, range) = histories(tv, args).await?;
    let mut text = Vec::new();
    history::write_openmetrics(&histories, &mut text)?;
    write_out(args, &text)?;
    log_exported(&histories, range);
    Ok(Exit::Ok)
}

async fn graphite(tv: &TraceView, args: &GraphiteArgs) -> Result<Exit, CliError> {
    // Refuse colliding names before asking the server for anything.
    let (_, collisions) = graphite::components(args.range.apps.iter().map(String::as_str));
    if let Some(collision) = collisions.first() {
        return Err(CliError::usage(format!(
            "{collision}; export them in separate runs with different --prefix"
        )));
    }
    let (histories, range) = histories(tv, &args.range).await?;
    let text = graphite::plaintext(&histories, &args.prefix)
        .map_err(|collision| CliError::usage(collision.to_string()))?;
    match &args.to {
        Some(to) => carbon::send(to, &text).await?,
        None => write_out(&args.range, &text)?,
    }
    log_exported(&histories, range);
    Ok(Exit::Ok)
}
