//! Many annotations at once: parsing an NDJSON or CSV file into annotations (every bad
//! line named with its number and field), and posting them with bounded concurrency
//! with one outcome per line.
//!
//! Writes are never retried, so a line is posted at most once: a line whose answer was
//! lost is reported as [`LineOutcome::Unknown`], never sent again.
//!
//! Fields (NDJSON keys or CSV header names): `message` (required), `app`, `host`,
//! `user`, `layer`, `time` (RFC 3339 or epoch seconds; default: the server's now).
//!
//! ```no_run
//! use tv_client::TraceView;
//! use tv_client::batch::{self, FileFormat};
//!
//! # async fn run(tv: TraceView) -> Result<(), Box<dyn std::error::Error>> {
//! let text = "{\"message\": \"deploy 1.2\", \"app\": \"web-shop\"}\n";
//! let lines = batch::parse(text, FileFormat::Ndjson)?;
//! for report in batch::post(&tv, lines, 4).await {
//!     println!("line {}: {}", report.line, report.outcome);
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};

use crate::client::TraceView;
use crate::error::Error;
use crate::model::NewAnnotation;
use crate::wire_units::epoch_to_datetime;

mod read;

pub use read::{KEPT_ERRORS, Limits, read};

/// The fields a line may have.
pub const FIELDS: [&str; 6] = ["message", "app", "host", "user", "layer", "time"];

/// How an annotation file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// One JSON object per line.
    Ndjson,
    /// A header row naming the fields, then one annotation per row.
    Csv,
}

impl FileFormat {
    /// By extension (`.ndjson`, `.jsonl`, `.json`; `.csv`), else by content: a first
    /// non-blank character `{` is NDJSON, anything else CSV.
    pub fn detect(path: Option<&Path>, text: &str) -> FileFormat {
        let extension = path
            .and_then(Path::extension)
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("ndjson" | "jsonl" | "json") => FileFormat::Ndjson,
            Some("csv") => FileFormat::Csv,
            _ if text.trim_start().starts_with('{') => FileFormat::Ndjson,
            _ => FileFormat::Csv,
        }
    }
}

/// One annotation of a file, with its line number (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLine {
    /// Where it is in the file.
    pub line: usize,
    /// What to post.
    pub note: NewAnnotation,
}

/// A line that is not a valid annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// Its line number (1-based).
    pub line: usize,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}, field `{field}`: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// The bad lines of a file: the first [`KEPT_ERRORS`], and how many more there were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidFile {
    /// The first bad lines, in file order.
    pub errors: Vec<LineError>,
    /// Bad lines past [`KEPT_ERRORS`], counted only.
    pub omitted: usize,
}

impl fmt::Display for InvalidFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<String> = self
            .errors
            .iter()
            .take(3)
            .map(ToString::to_string)
            .collect();
        write!(f, "{}", shown.join("; "))?;
        let more = self.errors.len().saturating_sub(3) + self.omitted;
        if more > 0 {
            write!(f, "; and {more} more bad lines")?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidFile {}

/// Parses text already in memory (with the default [`Limits`]); see [`read`].
pub fn parse(text: &str, format: FileFormat) -> Result<Vec<BatchLine>, InvalidFile> {
    read(text.as_bytes(), format, &Limits::default())
}

/// Builds an annotation from named values; unknown names are errors (a typo such as
/// `mesage` would otherwise post annotations without their intended fields).
pub(crate) fn note_from_fields(
    line: usize,
    fields: impl Iterator<Item = (String, Result<Option<String>, String>)>,
) -> Result<BatchLine, LineError> {
    let fault = |field: &str, reason: String| LineError {
        line,
        field: Some(field.to_owned()),
        reason,
    };
    let mut note = NewAnnotation::default();
    let mut message = None;
    for (name, value) in fields {
        let value = value.map_err(|reason| fault(&name, reason))?;
        match name.as_str() {
            "message" => message = value,
            "app" => note.app = value,
            "host" => note.host = value,
            "user" => note.user = value,
            "layer" => note.layer = value,
            "time" => {
                note.time = value
                    .map(|v| parse_time(&v))
                    .transpose()
                    .map_err(|reason| fault("time", reason))?;
            }
            other => {
                return Err(fault(
                    other,
                    format!("unknown field (known: {})", FIELDS.join(", ")),
                ));
            }
        }
    }
    match message {
        Some(text) if !text.trim().is_empty() => {
            note.message = text;
            Ok(BatchLine { line, note })
        }
        _ => Err(fault("message", "missing or empty".into())),
    }
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    text.parse::<f64>()
        .ok()
        .and_then(epoch_to_datetime)
        .ok_or_else(|| format!("`{text}` is neither RFC 3339 nor epoch seconds"))
}

/// What became of one line.
#[derive(Debug)]
pub enum LineOutcome {
    /// The server confirmed it.
    Posted,
    /// The server (or the client, before sending) refused it: it was not recorded.
    Refused(Error),
    /// It was sent but no answer came back: it may or may not be recorded. It is not
    /// sent again.
    Unknown(Error),
}

impl LineOutcome {
    /// `posted`, `refused` or `unknown`.
    pub fn name(&self) -> &'static str {
        match self {
            LineOutcome::Posted => "posted",
            LineOutcome::Refused(_) => "refused",
            LineOutcome::Unknown(_) => "unknown",
        }
    }

    /// The error of a line that was not posted.
    pub fn error(&self) -> Option<&Error> {
        match self {
            LineOutcome::Posted => None,
            LineOutcome::Refused(error) | LineOutcome::Unknown(error) => Some(error),
        }
    }
}

impl fmt::Display for LineOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.error() {
            None => f.write_str(self.name()),
            Some(error) => write!(f, "{}: {error}", self.name()),
        }
    }
}

/// One line's report.
#[derive(Debug)]
pub struct LineReport {
    /// Its line number.
    pub line: usize,
    /// Its message.
    pub message: String,
    /// What became of it.
    pub outcome: LineOutcome,
}

/// Posts every line, at most `concurrency` at a time, each exactly once; the reports
/// come back in line order.
pub async fn post(tv: &TraceView, lines: Vec<BatchLine>, concurrency: usize) -> Vec<LineReport> {
    let mut reports: Vec<LineReport> = stream::iter(lines)
        .map(|line| async move {
            let outcome = match tv.annotations().create(&line.note).await {
                Ok(()) => LineOutcome::Posted,
                Err(error @ Error::OutcomeUnknown { .. }) => LineOutcome::Unknown(error),
                Err(error) => LineOutcome::Refused(error),
            };
            LineReport {
                line: line.line,
                message: line.note.message,
                outcome,
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    reports.sort_by_key(|report| report.line);
    reports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_lines_keep_their_numbers() {
        let text = "{\"message\": \"a\", \"app\": \"web-shop\"}\n\n{\"message\": \"b\", \"time\": 1704283200}\n";
        let lines = parse(text, FileFormat::Ndjson).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 1);
        assert_eq!(lines[0].note.app.as_deref(), Some("web-shop"));
        assert_eq!(lines[1].line, 3);
        assert_eq!(
            lines[1].note.time.map(|t| t.timestamp()),
            Some(1_704_283_200)
        );
    }

    #[test]
    fn csv_rows_are_annotations() {
        let text = "message,app,time\ndeploy 1,web-shop,2024-01-03T11:00:00Z\ndeploy 2,,\n";
        let lines = parse(text, FileFormat::Csv).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[1].line, 3);
        assert_eq!(lines[1].note.app, None);
        assert_eq!(lines[1].note.message, "deploy 2");
    }

    #[test]
    fn bad_lines_name_their_line_and_field() {
        let text = "{\"message\": \"ok\"}\n{\"mesage\": \"typo\"}\n{\"message\": \"x\", \"time\": \"soon\"}\nnot json\n{\"app\": \"a\"}\n";
        let errors = parse(text, FileFormat::Ndjson).unwrap_err().errors;
        let found: Vec<(usize, Option<&str>)> = errors
            .iter()
            .map(|e| (e.line, e.field.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, Some("mesage")),
                (3, Some("time")),
                (4, None),
                (5, Some("message"))
            ]
        );
        let csv_errors = parse("message,app\nok,a,extra\n", FileFormat::Csv)
            .unwrap_err()
            .errors;
        assert_eq!(csv_errors[0].line, 2);
    }

    #[test]
    fn formats_are_detected_by_extension_then_content() {
        let csv = Path::new("notes.csv");
        assert_eq!(FileFormat::detect(Some(csv), "{"), FileFormat::Csv);
        let jsonl = Path::new("notes.jsonl");
        assert_eq!(FileFormat::detect(Some(jsonl), "m"), FileFormat::Ndjson);
        assert_eq!(
            FileFormat::detect(None, "  {\"message\":1}"),
            FileFormat::Ndjson
        );
        assert_eq!(FileFormat::detect(None, "message,app"), FileFormat::Csv);
        assert!(parse("", FileFormat::Ndjson).is_err());
    }

    #[test]
    fn duplicate_csv_headers_are_refused() {
        let invalid = parse("message,message\na,b\n", FileFormat::Csv).unwrap_err();
        assert_eq!(invalid.errors[0].field.as_deref(), Some("message"));
        assert!(invalid.to_string().contains("named twice"), "{invalid}");
    }
}
