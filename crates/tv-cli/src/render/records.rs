//! A table of NDJSON records, for CSV: one row per record, one column per field path
//! that any record has (`record` first, then in order of first appearance), each cell
//! the field's value as JSON writes it (the CSV rules of [`super`]).

use std::io;

use serde_json::Value;

use super::cell::Cell;
use super::output::Rows;
use super::table::{Column, Table};

/// The records as a table: nested objects become `.`-joined paths, an array of plain
/// values one `;`-joined cell, `null` or a missing field an empty cell; arrays that hold
/// objects or arrays are left out (a column never names an object). A record that
/// failed to serialize is the table's error, never a row left out.
pub fn records_table(records: Rows<'_>) -> io::Result<Table> {
    let flat = records
        .map(|record| {
            let mut fields = Vec::new();
            flatten("", &record?, &mut fields);
            Ok(fields)
        })
        .collect::<io::Result<Vec<Vec<(String, String)>>>>()?;
    let mut names: Vec<String> = Vec::new();
    for (name, _) in flat.iter().flatten() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    if let Some(i) = names.iter().position(|n| n == "record") {
        let record = names.remove(i);
        names.insert(0, record);
    }
    let mut table = Table::new(names.iter().map(|n| Column::text(n, n)).collect());
    for fields in flat {
        table.push(
            names
                .iter()
                .map(|name| {
                    fields
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or_else(|| Cell::new("", ""), |(_, v)| Cell::text(v))
                })
                .collect(),
        );
    }
    Ok(table)
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let path = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    match value {
        Value::Object(fields) => {
            for (name, value) in fields {
                flatten(&path(name), value, out);
            }
        }
        Value::Array(items) => {
            let plain: Option<Vec<String>> = items.iter().map(scalar).collect();
            if let Some(parts) = plain {
                out.push((prefix.to_string(), parts.join(";")));
            }
        }
        other => {
            if let Some(text) = scalar(other) {
                out.push((prefix.to_string(), text));
            }
        }
    }
}

/// A plain value as CSV writes it; `None` for an object or an array.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(_) | Value::Array(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_is_a_row() {
        let records = [
            serde_json::json!({"record": "summary", "app": "a", "summary": {"count": 3},
                "filters": {}, "gaps": [1, 2]}),
            serde_json::json!({"record": "layer", "app": "a", "layer": "nginx", "share": null}),
        ];
        let table = records_table(Box::new(records.into_iter().map(Ok))).unwrap();
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["record", "app", "gaps", "summary.count", "layer", "share"]
        );
        let machine =
            |r: usize| -> Vec<&str> { table.rows[r].iter().map(|c| c.machine.as_str()).collect() };
        assert_eq!(machine(0), ["summary", "a", "1;2", "3", "", ""]);
        assert_eq!(machine(1), ["layer", "a", "", "", "nginx", ""]);
    }

    #[test]
    fn a_record_that_failed_is_an_error_not_a_missing_row() {
        let rows = vec![
            Ok(serde_json::json!({"record": "summary"})),
            Err(io::Error::other(
                "cannot serialize the output: key must be a string",
            )),
        ];
        let error = records_table(Box::new(rows.into_iter())).expect_err("no table");
        assert!(error.to_string().contains("cannot serialize"), "{error}");
    }
}
