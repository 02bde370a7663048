//! What rendering refuses or passes on: CSV or Markdown without a table, a table that
//! cannot be made, a closed pipe.

use std::io::{self, Write};

use serde_json::json;

use super::tests::{Report, options, sample_report};
use super::*;

#[test]
fn csv_or_markdown_without_a_table_is_an_error() {
    let report = Report::default();
    for format in [Format::Csv, Format::Markdown] {
        let mut out = Vec::new();
        let error = render(&report, &options(format, false, None), &mut out)
            .expect_err("no table to write");
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert!(out.is_empty());
    }
}

/// An output whose tables cannot be made (a record that failed to serialize).
struct Unserializable;

impl Output for Unserializable {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(&json!({}))
    }

    fn records(&self) -> Rows<'_> {
        Box::new(std::iter::empty())
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        Err(io::Error::other(
            "cannot serialize the output: a map key that is not a string",
        ))
    }
}

#[test]
fn a_table_that_cannot_be_made_is_an_error_not_an_empty_output() {
    for format in [Format::Table, Format::Csv, Format::Markdown] {
        let mut out = Vec::new();
        let error =
            render(&Unserializable, &options(format, false, None), &mut out).expect_err("no table");
        assert_eq!(error.kind(), io::ErrorKind::Other, "{format}");
        assert!(error.to_string().contains("cannot serialize"), "{error}");
        assert!(out.is_empty(), "{format}");
    }
}

/// A writer whose reader went away.
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::BrokenPipe.into())
    }

    fn flush(&mut self) -> io::Result<()> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
}

#[test]
fn broken_pipes_stay_broken_pipes() {
    for format in [
        Format::Table,
        Format::Json,
        Format::Ndjson,
        Format::Csv,
        Format::Markdown,
    ] {
        let error = render(
            &sample_report(),
            &options(format, false, None),
            &mut ClosedPipe,
        )
        .expect_err("a closed pipe");
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe, "{format:?}");
    }
}
