//! `tv report`'s JSON and NDJSON, written row by row.
//!
//! Other commands hand the renderer the whole document as one `serde_json::Value`;
//! over thousands of apps that tree (and its NDJSON copy) was most of `tv report`'s
//! memory. Here each row becomes a `Value` only while it is written, so the output is
//! byte for byte what the renderer writes for the whole tree (keys sorted, the same
//! number formatting) while only the compact rows are held.

use std::io::{self, BufWriter, Write};

use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;
use tv_client::workflow::{AppRow, AppsReport};

use super::{to_json, with_context};
use crate::exit::{CliError, Exit};
use crate::render::Format;

/// The key of the rows in the JSON document.
const ROWS: &str = "apps";

/// Writes `report` to stdout as `format` (JSON or NDJSON); NDJSON lines carry
/// `context`. A closed pipe is not an error.
pub fn emit(report: &AppsReport, context: &Value, format: Format) -> Result<Exit, CliError> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match format {
        Format::Ndjson => write_ndjson(report, context, &mut out),
        _ => write_json(report, &mut out),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Ok(Exit::Ok),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Exit::Ok),
        Err(e) => Err(e.into()),
    }
}

/// The pretty JSON document, as the renderer writes it, with a trailing newline.
pub fn write_json(report: &AppsReport, out: &mut dyn Write) -> io::Result<()> {
    // Everything but the rows (small), in the order the renderer's tree has it.
    let skeleton = AppsReport {
        window: report.window,
        end: report.end,
        apps: Vec::new(),
        failed: report.failed.clone(),
    };
    let Value::Object(fields) = to_json(&skeleton).map_err(unwritable)? else {
        return Err(io::Error::other("the report is not a JSON object"));
    };
    let document = Document {
        fields: &fields,
        rows: &report.apps,
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")
}

/// One compact line per row, each with `context`'s fields.
pub fn write_ndjson(report: &AppsReport, context: &Value, out: &mut dyn Write) -> io::Result<()> {
    for row in &report.apps {
        let line = with_context(context, std::slice::from_ref(row)).map_err(unwritable)?;
        for value in &line {
            serde_json::to_writer(&mut *out, value)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// A row that cannot be made JSON, as the error of the writing.
fn unwritable(error: CliError) -> io::Error {
    io::Error::other(error.message)
}

/// The document's fields, with the rows spliced in where [`ROWS`] is.
struct Document<'a> {
    fields: &'a serde_json::Map<String, Value>,
    rows: &'a [AppRow],
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.len()))?;
        for (key, value) in self.fields {
            if key == ROWS {
                map.serialize_entry(key, &Rows(self.rows))?;
            } else {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// The rows, each turned into a `Value` (sorted keys) only while it is written.
struct Rows<'a>(&'a [AppRow]);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for row in self.0 {
            let value = serde_json::to_value(row).map_err(S::Error::custom)?;
            seq.serialize_element(&value)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;
    use tv_client::TimeWindow;
    use tv_client::workflow::{AppFailure, Trend};

    use super::*;

    fn row(app: &str, volume: u64) -> AppRow {
        let trend: Trend = [Some(Duration::from_nanos(1_022_766_667)), None]
            .into_iter()
            .collect();
        AppRow {
            app: app.into(),
            volume,
            average: Some(Duration::from_micros(1500)),
            latest: None,
            previous_average: Some(Duration::from_nanos(1_000_001)),
            change_fraction: Some(0.5),
            error_rate: Some(0.0),
            errors_approx: 3,
            requests_per_second: Some(2.44),
            top_layer: Some("django".into()),
            top_layer_share: None,
            trend,
        }
    }

    fn report(apps: Vec<AppRow>) -> AppsReport {
        AppsReport {
            window: TimeWindow::Hour,
            end: chrono::Utc.with_ymd_and_hms(2024, 1, 3, 12, 0, 0).unwrap(),
            apps,
            failed: vec![AppFailure {
                app: "broken".into(),
                error: tv_client::Error::Server { status: 500 },
            }],
        }
    }

    fn written(f: impl Fn(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn row_by_row_is_the_renderers_json_of_the_whole_tree() {
        for rows in [vec![], vec![row("web-shop", 9), row("billing", 2)]] {
            let report = report(rows);
            let whole = to_json(&report).unwrap();
            let mut expected = serde_json::to_string_pretty(&whole).unwrap();
            expected.push('\n');
            assert_eq!(written(|out| write_json(&report, out)), expected);
        }
    }

    #[test]
    fn ndjson_lines_are_the_rows_with_their_context() {
        let report = report(vec![row("web-shop", 9), row("billing", 2)]);
        let context = serde_json::json!({"window": "hour", "end": report.end, "filters": {}});
        let expected: String = with_context(&context, &report.apps)
            .unwrap()
            .iter()
            .map(|v| format!("{}\n", serde_json::to_string(v).unwrap()))
            .collect();
        assert_eq!(
            written(|out| write_ndjson(&report, &context, out)),
            expected
        );
    }
}
