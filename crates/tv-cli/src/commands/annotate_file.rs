//! `tv annotate --from-file FILE`: many annotations, one report line each.
//!
//! Parsing and posting are tv-client's ([`tv_client::batch`]); this file reads the
//! file (or stdin), prints the per-line report and picks the exit code: 0 when every
//! line was posted, 1 when one was refused or its outcome is unknown, 2 for a bad file.

use std::io::{BufReader, Read};
use std::path::Path;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use tv_client::batch::{self, FileFormat, LineOutcome};
use tv_client::{NewAnnotation, TraceView};

use super::github_output::{GithubOutput, write_annotation_id};
use super::{Env, column, dry_run, emit};
use crate::cli::AnnotateArgs;
use crate::exit::{CliError, Exit};
use crate::render::{Align, Cell, Listed, Table, Tone};

/// One line of the report (`--output json` prints a list of them).
#[derive(Debug, Serialize, JsonSchema)]
pub struct LineResult {
    /// The line number in the file.
    pub line: usize,
    /// `posted`, `refused` (not recorded) or `unknown` (may or may not be recorded;
    /// not sent again).
    pub outcome: String,
    /// The annotation's message.
    pub message: String,
    /// Why it was not posted (absent when it was).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Reads, parses, posts (or, with --dry-run, describes) and reports; in a GitHub Actions
/// step, the id of the last line posted (in file order) goes to `$GITHUB_OUTPUT`.
pub async fn run(
    tv: &TraceView,
    args: &AnnotateArgs,
    path: &Path,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let lines = read(path, &args.limits())?;
    if args.dry_run {
        // One at a time, so that the requests are listed in line order.
        let dry = tv.dry_run();
        let _ = batch::post(dry.client(), lines, 1).await;
        return emit(&dry_run::output(&dry.requests(), Vec::new()), env);
    }
    // The notes are kept only when an id is to be written (a file may hold 100,000).
    let notes: Vec<NewAnnotation> = match GithubOutput::from_env() {
        Some(_) => lines.iter().map(|l| l.note.clone()).collect(),
        None => Vec::new(),
    };
    let reports = batch::post(tv, lines, usize::from(args.concurrency)).await;
    let last_posted = reports
        .iter()
        .zip(&notes)
        .rfind(|(report, _)| matches!(report.outcome, LineOutcome::Posted))
        .map(|(_, note)| note);
    let results: Vec<LineResult> = reports
        .iter()
        .map(|report| LineResult {
            line: report.line,
            outcome: report.outcome.name().to_string(),
            message: report.message.clone(),
            reason: report
                .outcome
                .error()
                .map(|e| tv_client::redact(&e.to_string()).into_owned()),
        })
        .collect();
    let missed = results.iter().filter(|r| r.outcome != "posted").count();
    let listed = Listed {
        document: &results,
        rows: &results,
        table: &|| line_table(&results, missed),
    };
    let exit = emit(&listed, env)?;
    let id = match last_posted {
        Some(note) => write_annotation_id(tv, note, now).await,
        None => Ok(()),
    };
    if missed > 0 {
        if let Err(error) = &id {
            crate::exit::report(error, None);
        }
        let unknown = reports
            .iter()
            .filter(|r| matches!(r.outcome, LineOutcome::Unknown(_)))
            .count();
        return Err(CliError::new(
            Exit::Runtime,
            format!(
                "{missed} of {} annotations not posted ({unknown} with an unknown outcome: check `tv annotations` before sending those again)",
                results.len()
            ),
        ));
    }
    id.map(|()| exit)
}

/// Streams and parses the file (or stdin) within `limits`; a bad file is a usage error.
fn read(path: &Path, limits: &batch::Limits) -> Result<Vec<batch::BatchLine>, CliError> {
    let (source, name, shown_path): (Box<dyn Read>, String, Option<&Path>) =
        if path == Path::new("-") {
            (Box::new(std::io::stdin().lock()), "stdin".into(), None)
        } else {
            let name = path.display().to_string();
            let file = std::fs::File::open(path)
                .map_err(|e| CliError::usage(format!("cannot read {name}: {e}")))?;
            (Box::new(file), name, Some(path))
        };
    let mut reader = BufReader::with_capacity(64 * 1024, source);
    let format = FileFormat::sniff(shown_path, &mut reader)
        .map_err(|e| CliError::usage(format!("cannot read {name}: {e}")))?;
    batch::read(reader, format, limits)
        .map_err(|invalid| CliError::usage(format!("{name}: {invalid}; nothing was sent")))
}

fn line_table(results: &[LineResult], missed: usize) -> Table {
    Table {
        title: Some(format!(
            "Annotations: {} posted, {missed} not",
            results.len() - missed
        )),
        columns: vec![
            column("line", "Line", Align::Right),
            column("outcome", "Outcome", Align::Left),
            column("message", "Message", Align::Left),
            column("reason", "Reason", Align::Left),
        ],
        rows: results
            .iter()
            .map(|r| {
                let tone = match r.outcome.as_str() {
                    "posted" => Tone::Good,
                    "unknown" => Tone::Warn,
                    _ => Tone::Bad,
                };
                vec![
                    Cell::text(r.line.to_string()),
                    Cell::text(&r.outcome).toned(tone),
                    Cell::text(&r.message),
                    Cell::text(r.reason.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    }
}
