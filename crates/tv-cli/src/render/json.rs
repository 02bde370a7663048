//! JSON (one pretty document) and NDJSON (one compact object a line).

use std::io::{self, Write};

use serde_json::Value;

/// Writes `value` pretty-printed, with a trailing newline.
pub(crate) fn write_json(value: &Value, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Writes each value compactly on its own line.
pub(crate) fn write_ndjson(values: &[Value], out: &mut dyn Write) -> io::Result<()> {
    for value in values {
        serde_json::to_writer(&mut *out, value)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
