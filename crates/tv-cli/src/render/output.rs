//! The one output model: a command returns one typed result that implements [`Output`];
//! the writer of the format asked for ([`super::render`]) asks it only for what that
//! format shows, so nothing is built that is not printed (as hyperfine's exporters
//! each take the results and write their format).

use std::cell::RefCell;
use std::io;

use serde::Serialize;
use serde_json::Value;

use super::{Chart, Format, Table};

/// Items made one at a time, as they are written.
pub type Rows<'a> = Box<dyn Iterator<Item = io::Result<Value>> + 'a>;

/// A command's result, as every format shows it.
pub trait Output {
    /// `--output json`: the document.
    fn json(&self) -> io::Result<Json<'_>>;
    /// `--output ndjson`: one record a line.
    fn records(&self) -> Rows<'_>;
    /// Table and Markdown: every table, in order; CSV: the first (its rows are the
    /// records, its columns their fields). `format` is the one being written (only
    /// CSV's cells need machine values). An error (a record that cannot be serialized)
    /// is the writing's error, as for JSON.
    fn tables(&self, format: Format) -> io::Result<Vec<Table>>;
    /// Table mode only, after the tables.
    fn charts(&self) -> Vec<Chart> {
        Vec::new()
    }
    /// Table mode (dimmed) and Markdown (a list), after everything else.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A JSON document: its fields, and at most one long list among them written item by
/// item (each item a value only while it is written: `tv report` over thousands of
/// apps). Keys are sorted at every level, as `serde_json::Value` keeps them.
pub struct Json<'a> {
    /// The document (for a streamed list, without it).
    pub document: Value,
    /// The key of the streamed list and its items.
    pub streamed: Option<(&'static str, RefCell<Rows<'a>>)>,
}

impl<'a> Json<'a> {
    /// The whole document of a serializable result.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> io::Result<Json<'a>> {
        Ok(Json {
            document: value_of(value)?,
            streamed: None,
        })
    }

    /// The document `document` with the list `key` made of `rows` as it is written.
    pub fn streaming(document: Value, key: &'static str, rows: Rows<'a>) -> Json<'a> {
        Json {
            document,
            streamed: Some((key, RefCell::new(rows))),
        }
    }
}

/// The JSON value of a serializable result; its failure as the writing's error.
pub fn value_of<T: Serialize + ?Sized>(value: &T) -> io::Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| io::Error::other(format!("cannot serialize the output: {e}")))
}

/// Records: each of `rows` with `context`'s fields in front, made as written.
pub fn records_with<'a, T: Serialize>(context: Value, rows: &'a [T]) -> Rows<'a> {
    Box::new(
        rows.iter()
            .map(move |row| with_fields(&context, value_of(row)?)),
    )
}

/// `value`'s fields after `context`'s (a value that is no object goes under `value`).
pub fn with_fields(context: &Value, value: Value) -> io::Result<Value> {
    let mut out = match context {
        Value::Object(fields) => fields.clone(),
        _ => serde_json::Map::new(),
    };
    match value {
        Value::Object(fields) => out.extend(fields),
        other => {
            out.insert("value".into(), other);
        }
    }
    Ok(Value::Object(out))
}

/// A result shown as one JSON object (also its only NDJSON record) and one table.
pub struct Single<T> {
    /// The result.
    pub value: T,
    /// Its table.
    pub table: fn(&T) -> Table,
}

impl<T: Serialize> Output for Single<T> {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(&self.value)
    }

    fn records(&self) -> Rows<'_> {
        Box::new(std::iter::once(value_of(&self.value)))
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        Ok(vec![(self.table)(&self.value)])
    }
}

/// A list: its JSON document, one record per item, and one table made only for the
/// formats that print it.
pub struct Listed<'a, D: ?Sized, T> {
    /// The JSON document (the list itself, or an object holding it).
    pub document: &'a D,
    /// The items, one NDJSON record each.
    pub rows: &'a [T],
    /// Makes the table.
    pub table: &'a dyn Fn() -> Table,
}

impl<D: Serialize + ?Sized, T: Serialize> Output for Listed<'_, D, T> {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(self.document)
    }

    fn records(&self) -> Rows<'_> {
        Box::new(self.rows.iter().map(value_of))
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        Ok(vec![(self.table)()])
    }
}
