//! CSV: one table, headed by the columns' machine names, with exact machine values.

use std::io::{self, Write};

use super::table::Table;
use super::text::sanitize;

/// Writes `table` as CSV (RFC 4180 quoting, `\n` line ends).
pub(crate) fn write_csv(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer
        .write_record(table.columns.iter().map(|c| sanitize(&c.name).into_owned()))
        .map_err(into_io)?;
    for row in &table.rows {
        // Server strings (app names, messages) go into cells: no escape sequence,
        // BEL or carriage return reaches a terminal that shows the CSV.
        let record = (0..table.columns.len())
            .map(|i| sanitize(row.get(i).map_or("", |cell| cell.machine.as_str())).into_owned());
        writer.write_record(record).map_err(into_io)?;
    }
    writer.flush()
}

/// The I/O error inside a CSV error, with its kind kept (a broken pipe stays one).
fn into_io(error: ::csv::Error) -> io::Error {
    let message = error.to_string();
    match error.into_kind() {
        ::csv::ErrorKind::Io(error) => error,
        _ => io::Error::other(message),
    }
}
