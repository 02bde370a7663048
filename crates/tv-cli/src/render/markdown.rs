//! Markdown: every table of a report as a GitHub-flavoured table (for job summaries
//! and issues), then its notes as a list. Charts are left out.
//!
//! Cells show what people read in table mode ([`super::Cell::human`]); numbers stay
//! right-aligned (`---:`). Server strings are cleaned of control characters and
//! escape sequences; `\`, `|`, `<` and `&` are escaped and a newline in a cell becomes
//! `<br>`, so no value can end a cell, a row or the table, or inject HTML.

use std::io::{self, Write};

use super::table::{Align, Table};
use super::text::sanitize;

/// Writes every table, then the notes.
pub(crate) fn write_markdown(
    tables: &[Table],
    notes: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut first = true;
    for table in tables {
        if !first {
            writeln!(out)?;
        }
        first = false;
        write_table(table, out)?;
    }
    if !notes.is_empty() {
        if !first {
            writeln!(out)?;
        }
        for note in notes {
            writeln!(out, "- {}", escape(note))?;
        }
    }
    Ok(())
}

fn write_table(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    if let Some(title) = &table.title {
        writeln!(out, "### {}", escape(title))?;
        writeln!(out)?;
    }
    if table.rows.is_empty() {
        return writeln!(out, "_(no rows)_");
    }
    let headers: Vec<String> = table.columns.iter().map(|c| escape(&c.header)).collect();
    writeln!(out, "| {} |", headers.join(" | "))?;
    let rule: Vec<&str> = table
        .columns
        .iter()
        .map(|c| match c.align {
            Align::Left => ":---",
            Align::Right => "---:",
        })
        .collect();
    writeln!(out, "| {} |", rule.join(" | "))?;
    for row in &table.rows {
        let cells: Vec<String> = (0..table.columns.len())
            .map(|i| {
                row.get(i)
                    .map_or_else(String::new, |cell| escape(&cell.human))
            })
            .collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// One cell's text: each line cleaned and escaped, lines joined with `<br>`.
pub(crate) fn escape(text: &str) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            let clean = sanitize(line.strip_suffix('\r').unwrap_or(line));
            let mut out = String::with_capacity(clean.len());
            for c in clean.trim_end().chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '|' => out.push_str("\\|"),
                    '<' => out.push_str("&lt;"),
                    '&' => out.push_str("&amp;"),
                    c => out.push(c),
                }
            }
            out
        })
        .collect();
    lines.join("<br>")
}
