//! CSV says what the JSON says: every command's CSV header is the path of a field of
//! its NDJSON records (serde's names, `.` between nested ones), and every CSV field is
//! that record's value. A header typed differently from the serde name, a column the
//! JSON does not have, or a cell CSV writes differently from the JSON fails here.
//!
//! Value rules (`render`'s CSV rules): `null` or a missing field is an empty field,
//! a string is written as is, `true`/`false` and numbers as JSON writes them (numbers
//! compare as the same `f64`, give or take the last bit of serde_json's parse), an array's items are joined by `;`. A column never names
//! an object.
use std::collections::BTreeSet;
use std::io::Write;

use serde_json::Value;
use tv_cli::Exit;

use crate::common::{END, run, shared, tv};

/// One command: its arguments, the exit code it ends with, and which of its NDJSON
/// records are the rows of its CSV.
struct Case {
    args: &'static [&'static str],
    exit: Exit,
    rows: fn(&Value) -> bool,
}

fn every(_: &Value) -> bool {
    true
}

const fn case(args: &'static [&'static str]) -> Case {
    Case {
        args,
        exit: Exit::Ok,
        rows: every,
    }
}

/// Every command that prints a table, with arguments that give each of its columns a
/// value in at least one row.
const CASES: &[Case] = &[
    case(&["report", "--end", END]),
    // Every record (summary, layers, slices, annotations) is a row.
    case(&["report", "web-shop", "--end", END]),
    case(&["apps"]),
    case(&["layers", "web-shop"]),
    case(&["hosts"]),
    case(&["hosts", "--app", "web-shop"]),
    case(&["host", "versions", "100051"]),
    case(&["annotations"]),
    case(&["org"]),
    case(&["org", "users"]),
    case(&["org", "licenses"]),
    case(&["discover", "browsers"]),
    case(&["discover", "domains"]),
    case(&["errors", "web-shop", "--end", END]),
    case(&["requests", "web-shop", "--end", END]),
    case(&["requests", "web-shop", "--summary"]),
    case(&["latency", "series", "web-shop", "--end", END]),
    case(&["latency", "summary", "web-shop"]),
    case(&["latency", "summary", "web-shop", "--client"]),
    case(&["latency", "by-layer", "web-shop", "--end", END]),
    case(&["compare", "web-shop", "--end", END]),
    case(&["doctor"]),
    case(&["annotate", "--app", "web-shop", "--dry-run", "deployed v1"]),
    case(&["annotate", "--app", "web-shop", "deployed v2"]),
];

#[test]
fn every_csv_column_is_a_json_field_with_the_same_value() {
    let mut headers = BTreeSet::new();
    for case in CASES {
        headers.extend(check(case.args, case.exit, case.rows));
    }
    headers.extend(a_file_of_annotations());
    headers.extend(the_settings_of_a_config_file());
    // Every column a command names is among the headers checked above: a new table,
    // or a column only a second table has, needs a case here.
    for name in column_names_in_the_source() {
        assert!(
            headers.contains(&name),
            "column `{name}` of crates/tv-cli/src/commands is in no CSV checked here: add a case"
        );
    }
}

/// `tv annotate --from-file`: one line posted, one refused with a reason (exit 1).
fn a_file_of_annotations() -> Vec<String> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, r#"{{"message":"first","app":"web-shop"}}"#).unwrap();
    writeln!(file, r#"{{"message":"second","app":"no-such-app"}}"#).unwrap();
    let path = file.path().to_str().unwrap();
    check(&["annotate", "--from-file", path], Exit::Runtime, every)
}

/// `tv config list` of a config file with a profile.
fn the_settings_of_a_config_file() -> Vec<String> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        file,
        "[profiles.prod]\nbase_url = \"https://prod.example/api-v2\"\noutput = \"csv\""
    )
    .unwrap();
    let config = file.path().to_str().unwrap().to_owned();
    let run_as = |format: &str| {
        let mut command = tv(shared());
        command
            .env("TV_CONFIG", &config)
            .args(["--output", format, "config", "list"]);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, Exit::Ok.code(), "config list: {stderr}");
        stdout
    };
    compare("config list", &run_as("csv"), &run_as("ndjson"), every)
}

/// The names given to `column("…"` in the command modules.
fn column_names_in_the_source() -> BTreeSet<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/commands");
    let mut names = BTreeSet::new();
    let mut pending = vec![std::path::PathBuf::from(dir)];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for piece in source.split("column(\"").skip(1) {
            names.insert(piece.split('"').next().unwrap().to_owned());
        }
    }
    assert!(names.len() > 40, "found only {names:?} in {dir}");
    names
}

/// Runs `tv ARGS` as CSV and as NDJSON, expecting `exit`, compares them, and returns
/// the CSV's headers.
fn check(args: &[&str], exit: Exit, rows: fn(&Value) -> bool) -> Vec<String> {
    let name = args.join(" ");
    let output = |format: &str| {
        let mut command = tv(shared());
        command.args(["--output", format]).args(args);
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, exit.code(), "tv {name} --output {format}: {stderr}");
        stdout
    };
    compare(&name, &output("csv"), &output("ndjson"), rows)
}

fn compare(name: &str, csv: &str, ndjson: &str, rows: fn(&Value) -> bool) -> Vec<String> {
    let records: Vec<Value> = ndjson
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(rows)
        .collect();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let csv_rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(!csv_rows.is_empty(), "tv {name}: no CSV rows to compare");
    assert_eq!(
        csv_rows.len(),
        records.len(),
        "tv {name}: CSV rows and NDJSON records differ in number"
    );
    for header in &headers {
        assert!(
            records.iter().any(|r| field(r, header).is_some()),
            "tv {name}: CSV column `{header}` names no field of the JSON records; the first is {}",
            records[0]
        );
    }
    for (row, record) in csv_rows.iter().zip(&records) {
        for (header, cell) in headers.iter().zip(row.iter()) {
            let value = field(record, header).unwrap_or(&Value::Null);
            assert!(
                same(cell, value),
                "tv {name}: CSV `{header}` is {cell:?}, the JSON has {value}"
            );
        }
    }
    headers
}

/// The value at a `.`-separated path of serde names.
fn field<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(record, |value, name| value.as_object()?.get(name))
}

/// serde_json's default parser (no `float_roundtrip`) may read a 17-digit number one
/// unit in the last place off what the text says; CSV's text is read exactly.
fn within_an_ulp(a: f64, b: f64) -> bool {
    a.is_finite() && a.signum() == b.signum() && a.to_bits().abs_diff(b.to_bits()) <= 1
}

/// Whether a CSV field writes this JSON value.
fn same(cell: &str, value: &Value) -> bool {
    match value {
        Value::Null => cell.is_empty(),
        Value::String(s) => cell == s,
        Value::Bool(b) => cell == b.to_string(),
        Value::Number(n) => match (cell.parse::<f64>(), n.as_f64()) {
            (Ok(a), Some(b)) => a == b || within_an_ulp(a, b),
            _ => false,
        },
        Value::Array(items) => {
            let parts: Vec<&str> = if cell.is_empty() {
                Vec::new()
            } else {
                cell.split(';').collect()
            };
            parts.len() == items.len() && parts.iter().zip(items).all(|(c, v)| same(c, v))
        }
        Value::Object(_) => false,
    }
}
