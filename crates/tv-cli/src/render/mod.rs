//! The one rendering layer of `tv`: every command returns one typed result that
//! implements [`Output`] and hands it to [`render`], whose one writer per format (table
//! with charts and notes, JSON, NDJSON, CSV, Markdown) asks it only for what that format
//! shows.
//!
//! Rules kept here so no command has to think about them:
//! - only the given writer is written to (data goes to stdout, never to stderr);
//! - JSON is pretty-printed with a trailing newline, NDJSON is one compact object a line;
//! - CSV writes the first table, headed by [`Column::name`], with [`Cell::machine`]
//!   values (exact numbers, durations in microseconds, times in RFC 3339): the first
//!   table's rows are the command's NDJSON records, a column's name is the path of its
//!   field there (serde's names, `.` between nested ones) and its machine values are what
//!   the JSON writes (`tests/cli/csv_is_json.rs` holds every command to it);
//! - Markdown writes every table as a GitHub-flavoured table (alignment kept, `|` and
//!   newlines in cells escaped) and the notes as a list, without charts;
//! - tables right-align numbers, fit the terminal width by truncating text with `…`,
//!   and are colored only when asked to;
//! - everything is deterministic: no clock, no locale, no environment is read while
//!   rendering (only [`RenderOptions::resolve`] looks at the terminal and `NO_COLOR`).

mod cell;
mod chart;
mod csv;
mod json;
mod markdown;
mod output;
mod plot;
mod records;
mod sparkline;
mod style;
mod table;
pub(crate) mod text;

#[cfg(test)]
mod failure_tests;
#[cfg(test)]
mod tests;

use std::fmt;
use std::io::{self, BufWriter, IsTerminal, Write};

pub use cell::{ABSENT, Cell, Tone};
pub use chart::{Chart, ChartSeries, Marker, render_chart};
pub use output::{Json, Listed, Output, Rows, Single, records_with, value_of, with_fields};
pub use plot::{PlotError, SUPPORTED_PLOT_EXTENSIONS, check_plot_path, write_plot};
pub use records::records_table;
pub use sparkline::{sparkline, sparkline_width};
pub use table::{Align, Column, Cut, Table};
pub(crate) use text::sanitize;

/// The longest server string an error line on stderr shows.
pub const MAX_ERROR_TEXT: usize = 200;

/// A server string for stderr: without control characters or escape sequences, at
/// most [`MAX_ERROR_TEXT`] characters.
pub fn clean(s: &str) -> String {
    text::clean_line(s, MAX_ERROR_TEXT)
}

/// Height in rows of the terminal charts printed in table mode.
pub const CHART_HEIGHT: usize = 10;
/// Width used for terminal charts when the terminal width is unknown.
pub const DEFAULT_CHART_WIDTH: usize = 80;
/// Terminal charts never grow wider than this, however wide the terminal.
pub const MAX_CHART_WIDTH: usize = 120;

/// The output format of a command (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people, with charts and notes.
    Table,
    /// One pretty-printed JSON document.
    Json,
    /// Newline-delimited JSON: one compact object per line.
    Ndjson,
    /// Comma-separated values of the main table, with exact machine values.
    Csv,
    /// GitHub-flavoured Markdown tables of every table, with the notes (job summaries).
    Markdown,
}

/// When to color the output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Color when stdout is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

impl fmt::Display for Format {
    /// The `--output` value: `table`, `json`, `ndjson`, `csv`, `markdown`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
        })
    }
}

impl fmt::Display for ColorChoice {
    /// The `--color` value: `auto`, `always`, `never`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColorChoice::Auto => "auto",
            ColorChoice::Always => "always",
            ColorChoice::Never => "never",
        })
    }
}

/// How [`render`] writes an [`Output`]: everything is resolved, nothing is detected later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// The output format.
    pub format: Format,
    /// Whether to emit ANSI colors (table mode only).
    pub color: bool,
    /// The terminal width tables and charts fit into; `None` means unlimited tables and
    /// [`DEFAULT_CHART_WIDTH`] for charts.
    pub width: Option<usize>,
}

impl RenderOptions {
    /// Resolves the user's choices against the environment.
    ///
    /// `format`: `None` means [`Format::Table`] when stdout is a terminal, else
    /// [`Format::Json`]. `color`: [`ColorChoice::Auto`] colors when stdout is a terminal
    /// and `NO_COLOR` is unset or empty. `width` is the terminal's width (`COLUMNS` when
    /// set to a number, else the size the terminal reports) when stdout is a terminal,
    /// else `None`.
    pub fn resolve(format: Option<Format>, color: ColorChoice) -> RenderOptions {
        let terminal = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = if terminal { terminal_width() } else { None };
        Self::decide(format, color, terminal, no_color, width)
    }

    /// The pure part of [`RenderOptions::resolve`], with the environment passed in.
    fn decide(
        format: Option<Format>,
        color: ColorChoice,
        terminal: bool,
        no_color: bool,
        width: Option<usize>,
    ) -> RenderOptions {
        let format = format.unwrap_or(if terminal {
            Format::Table
        } else {
            Format::Json
        });
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        RenderOptions {
            format,
            color,
            width,
        }
    }
}

/// The width of the terminal on stdout: `COLUMNS` if it holds a positive number, else
/// what the terminal reports.
fn terminal_width() -> Option<usize> {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&w| w > 0);
    from_env
        .or_else(|| terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| usize::from(w.0)))
}

/// Writes `output` to `out` in the format of `options`, asking it only for what that
/// format shows.
///
/// CSV or Markdown of an output without any table is an [`io::ErrorKind::InvalidInput`]
/// error (the command has nothing tabular to offer, e.g. `tv chart`). I/O errors keep their kind, so a closed pipe
/// shows up as [`io::ErrorKind::BrokenPipe`].
pub fn render(output: &dyn Output, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    match options.format {
        Format::Json => json::write_json(output.json()?, &mut out)?,
        Format::Ndjson => json::write_ndjson(output.records(), &mut out)?,
        Format::Csv => match output.tables(Format::Csv)?.first() {
            Some(table) => csv::write_csv(table, &mut out)?,
            None => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "this command has no table to write as CSV; use --output json",
                ));
            }
        },
        Format::Markdown => {
            let tables = output.tables(Format::Markdown)?;
            if tables.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "this command has no table to write as Markdown; use --output json",
                ));
            }
            markdown::write_markdown(&tables, &output.notes(), &mut out)?;
        }
        Format::Table => write_human(output, options, &mut out)?,
    }
    out.flush()
}

/// Table mode: tables, then charts, then notes, separated by blank lines.
fn write_human(
    output: &dyn Output,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut first = true;
    let mut separate = |out: &mut dyn Write| -> io::Result<()> {
        if !first {
            writeln!(out)?;
        }
        first = false;
        Ok(())
    };
    for table in &output.tables(Format::Table)? {
        separate(out)?;
        table::write_table(table, options.color, options.width, out)?;
    }
    let chart_width = options
        .width
        .unwrap_or(DEFAULT_CHART_WIDTH)
        .min(MAX_CHART_WIDTH);
    for chart in &output.charts() {
        separate(out)?;
        out.write_all(render_chart(chart, chart_width, CHART_HEIGHT, options.color).as_bytes())?;
    }
    let notes = output.notes();
    if !notes.is_empty() {
        separate(out)?;
        for note in &notes {
            let note = text::sanitize(note);
            let lines = match options.width {
                Some(max) => text::wrap(&note, max),
                None => vec![note.into_owned()],
            };
            for line in lines {
                writeln!(out, "{}", style::paint(&line, style::DIM, options.color))?;
            }
        }
    }
    Ok(())
}
