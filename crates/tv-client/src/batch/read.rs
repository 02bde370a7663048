//! Reading an annotation file as a stream, within [`Limits`]: a line, the file and the
//! count of annotations are capped, and at most [`KEPT_ERRORS`] bad lines are kept (the
//! rest are counted), so memory stays bounded whatever the input: `/dev/zero` and
//! `/dev/urandom` end at the line or the file cap, a huge file at the file cap.

use std::io::{self, BufRead, Read};
use std::path::Path;

use super::{BatchLine, FileFormat, InvalidFile, LineError, note_from_fields};

/// Bad lines kept for the report; past that they are only counted.
pub const KEPT_ERRORS: usize = 100;

/// The bounds of one annotation file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest line (NDJSON) or record (CSV), in bytes, newline excluded.
    pub max_line_bytes: usize,
    /// The largest file, in bytes.
    pub max_file_bytes: u64,
    /// The most annotations in one file.
    pub max_annotations: usize,
}

impl Default for Limits {
    /// 64 KiB a line, 16 MiB a file, 100,000 annotations.
    fn default() -> Self {
        Limits {
            max_line_bytes: 64 * 1024,
            max_file_bytes: 16 * 1024 * 1024,
            max_annotations: 100_000,
        }
    }
}

impl FileFormat {
    /// [`FileFormat::detect`] on the first buffered bytes of `reader` (nothing is
    /// consumed).
    pub fn sniff(path: Option<&Path>, reader: &mut impl BufRead) -> io::Result<FileFormat> {
        let start = reader.fill_buf()?;
        Ok(FileFormat::detect(path, &String::from_utf8_lossy(start)))
    }
}

/// Parses a whole file from `reader`, line by line; any bad line makes it an
/// [`InvalidFile`] (so that nothing of a broken file is posted). Reading stops at the
/// first bound crossed. A file without annotations is invalid.
pub fn read(
    reader: impl BufRead,
    format: FileFormat,
    limits: &Limits,
) -> Result<Vec<BatchLine>, InvalidFile> {
    let mut collected = Collected::default();
    let stopped = match format {
        FileFormat::Ndjson => read_ndjson(reader, limits, &mut collected),
        FileFormat::Csv => read_csv(reader, limits, &mut collected),
    };
    if let Err(fatal) = stopped {
        // Why reading stopped comes first, whatever was kept before it.
        collected.lines = Vec::new();
        if collected.errors.len() == KEPT_ERRORS {
            collected.errors.pop();
            collected.omitted += 1;
        }
        collected.errors.insert(0, fatal);
    }
    if collected.errors.is_empty() && collected.omitted == 0 && collected.lines.is_empty() {
        collected.fail(LineError {
            line: 1,
            field: None,
            reason: "no annotations in the file".into(),
        });
    }
    if collected.errors.is_empty() {
        Ok(collected.lines)
    } else {
        Err(InvalidFile {
            errors: collected.errors,
            omitted: collected.omitted,
        })
    }
}

#[derive(Default)]
struct Collected {
    lines: Vec<BatchLine>,
    errors: Vec<LineError>,
    omitted: usize,
}

impl Collected {
    /// Keeps a line; errors stop keeping lines (the file will not be posted).
    fn take(
        &mut self,
        result: Result<BatchLine, LineError>,
        limits: &Limits,
    ) -> Result<(), LineError> {
        match result {
            Ok(_) if !self.errors.is_empty() => Ok(()),
            Ok(line) if self.lines.len() >= limits.max_annotations => Err(LineError {
                line: line.line,
                field: None,
                reason: format!(
                    "more than {} annotations in one file (--max-annotations)",
                    limits.max_annotations
                ),
            }),
            Ok(line) => {
                self.lines.push(line);
                Ok(())
            }
            Err(error) => {
                self.fail(error);
                Ok(())
            }
        }
    }

    fn fail(&mut self, error: LineError) {
        self.lines = Vec::new();
        if self.errors.len() < KEPT_ERRORS {
            self.errors.push(error);
        } else {
            self.omitted += 1;
        }
    }
}

fn too_long(line: usize, limits: &Limits) -> LineError {
    LineError {
        line,
        field: None,
        reason: format!(
            "longer than {} bytes (--max-line-bytes); reading stopped",
            limits.max_line_bytes
        ),
    }
}

fn too_big(line: usize, limits: &Limits) -> LineError {
    LineError {
        line,
        field: None,
        reason: format!(
            "the file is larger than {} bytes (--max-file-bytes); reading stopped",
            limits.max_file_bytes
        ),
    }
}

fn unreadable(line: usize, error: &io::Error) -> LineError {
    LineError {
        line,
        field: None,
        reason: format!("cannot read: {error}"),
    }
}

fn read_ndjson(
    mut reader: impl BufRead,
    limits: &Limits,
    collected: &mut Collected,
) -> Result<(), LineError> {
    let mut raw = Vec::new();
    let mut total: u64 = 0;
    for line in 1.. {
        raw.clear();
        let cap = limits.max_line_bytes as u64 + 1;
        let read = (&mut reader)
            .take(cap)
            .read_until(b'\n', &mut raw)
            .map_err(|e| unreadable(line, &e))?;
        if read == 0 {
            return Ok(());
        }
        total += read as u64;
        if total > limits.max_file_bytes {
            return Err(too_big(line, limits));
        }
        if raw.last() == Some(&b'\n') {
            raw.pop();
        } else if read as u64 == cap {
            return Err(too_long(line, limits));
        }
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        collected.take(ndjson_line(line, &raw), limits)?;
    }
    Ok(())
}

fn ndjson_line(line: usize, raw: &[u8]) -> Result<BatchLine, LineError> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(raw).map_err(|e| LineError {
            line,
            field: None,
            reason: format!("not a JSON object: {e}"),
        })?;
    let fields = object.into_iter().map(|(name, value)| {
        let value = match value {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::String(s) => Ok(Some(s)),
            serde_json::Value::Number(n) if name == "time" => Ok(Some(n.to_string())),
            other => Err(format!("expected a string, found `{other}`")),
        };
        (name, value)
    });
    note_from_fields(line, fields)
}

/// A reader that fails once more than `left` bytes have been read.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self
            .left
            .checked_sub(n as u64)
            .ok_or_else(|| io::Error::new(io::ErrorKind::FileTooLarge, "over the file cap"))?;
        Ok(n)
    }
}

fn read_csv(
    reader: impl BufRead,
    limits: &Limits,
    collected: &mut Collected,
) -> Result<(), LineError> {
    let capped = Capped {
        inner: reader,
        left: limits.max_file_bytes,
    };
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(capped);
    let headers = csv.headers().map_err(|e| csv_error(1, &e, limits))?.clone();
    for (index, name) in headers.iter().enumerate() {
        if headers.iter().take(index).any(|earlier| earlier == name) {
            return Err(LineError {
                line: 1,
                field: Some(name.to_owned()),
                reason: "named twice in the header".into(),
            });
        }
    }
    let mut record = csv::StringRecord::new();
    loop {
        let line = csv.position().line() as usize;
        match csv.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            // A bad record is one bad line; a read failure (or the file cap) ends it.
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                return Err(csv_error(line, &e, limits));
            }
            Err(e) => {
                collected.take(Err(csv_error(line, &e, limits)), limits)?;
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line() as usize);
        if record.as_slice().len() > limits.max_line_bytes {
            return Err(too_long(line, limits));
        }
        let fields = headers.iter().zip(record.iter()).map(|(name, value)| {
            let value = (!value.is_empty()).then(|| value.to_owned());
            (name.to_owned(), Ok(value))
        });
        collected.take(note_from_fields(line, fields), limits)?;
    }
}

fn csv_error(line: usize, error: &csv::Error, limits: &Limits) -> LineError {
    let line = error.position().map_or(line, |p| p.line() as usize);
    if let csv::ErrorKind::Io(io) = error.kind()
        && io.kind() == io::ErrorKind::FileTooLarge
    {
        return too_big(line, limits);
    }
    LineError {
        line,
        field: None,
        reason: format!("not valid CSV: {error}"),
    }
}
