//! [`Table`]: the unit every command renders, and its aligned-columns form for people.

use std::io::{self, Write};

use super::cell::Cell;
use super::style;
use super::text;

/// How a column's values line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Align {
    /// Text: flush left, truncated with `…` when the table is too wide.
    #[default]
    Left,
    /// Numbers: flush right, never truncated.
    Right,
}

/// How a text column may be narrowed to fit the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Cut {
    /// Cut the end, with `…`.
    #[default]
    End,
    /// Cut the start (a sparkline keeps its newest slices), narrowed before any other.
    Start,
    /// Cut last (names people look for: apps): only when nothing else is left to
    /// narrow or leave out, with `…`, and never below `MIN_NAME_WIDTH` (16) columns.
    Never,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Column {
    /// The CSV header: the path of the column's field in the command's NDJSON record,
    /// serde's names with `.` between nested ones (`summary.average_us`).
    pub name: String,
    /// The header people see in tables.
    pub header: String,
    /// How the column's values line up.
    pub align: Align,
    /// How a text column may be narrowed.
    pub cut: Cut,
    /// When the table is too wide even with text narrowed, columns with the highest
    /// rank are left out first; 0 is never left out.
    pub drop_rank: u8,
}

impl Column {
    /// A column with every field given.
    pub fn new(name: impl Into<String>, header: impl Into<String>, align: Align) -> Column {
        Column {
            name: name.into(),
            header: header.into(),
            align,
            cut: Cut::End,
            drop_rank: 0,
        }
    }

    /// The same column, narrowed as `cut` says.
    pub fn cut(self, cut: Cut) -> Column {
        Column { cut, ..self }
    }

    /// The same column, left out of a too-wide table before those of a lower rank.
    pub fn droppable(self, rank: u8) -> Column {
        Column {
            drop_rank: rank,
            ..self
        }
    }

    /// A left-aligned text column.
    pub fn text(name: impl Into<String>, header: impl Into<String>) -> Column {
        Column::new(name, header, Align::Left)
    }

    /// A right-aligned number column.
    pub fn number(name: impl Into<String>, header: impl Into<String>) -> Column {
        Column::new(name, header, Align::Right)
    }
}

/// A table of rows. Rows shorter than the columns are padded with empty cells; cells
/// beyond the last column are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Printed above the table in table mode.
    pub title: Option<String>,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: Vec<Column>) -> Table {
        Table {
            title: None,
            columns,
            rows: Vec::new(),
        }
    }

    /// The same table with a title.
    pub fn titled(self, title: impl Into<String>) -> Table {
        Table {
            title: Some(title.into()),
            ..self
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

/// Space between two columns.
const GAP: &str = "  ";
/// Text columns are never truncated below this many columns (or their natural width).
const MIN_TEXT_WIDTH: usize = 6;
/// Nor sparklines below this many slices.
const MIN_SPARKLINE_WIDTH: usize = 8;
/// Nor names ([`Cut::Never`]) below this many columns.
pub const MIN_NAME_WIDTH: usize = 16;

/// Writes `table` as aligned columns, fitted to `width` when given.
pub(crate) fn write_table(
    table: &Table,
    color: bool,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let Some(title) = &table.title {
        let title = text::sanitize(title);
        let lines = match width {
            Some(max) => text::wrap(&title, max),
            None => vec![title.into_owned()],
        };
        for line in lines {
            writeln!(out, "{}", style::paint(&line, style::BOLD, color))?;
        }
    }
    if table.rows.is_empty() {
        return writeln!(out, "{}", style::paint("(no rows)", style::DIM, color));
    }
    let headers: Vec<String> = table
        .columns
        .iter()
        .map(|c| text::sanitize(&c.header).into_owned())
        .collect();
    // Borrowed unless sanitizing changed a cell: a table of thousands of rows is not
    // copied to be printed.
    let rows: Vec<Vec<(std::borrow::Cow<'_, str>, super::Tone)>> = table
        .rows
        .iter()
        .map(|row| {
            (0..table.columns.len())
                .map(|i| match row.get(i) {
                    Some(cell) => (text::sanitize(&cell.human), cell.tone),
                    None => (std::borrow::Cow::Borrowed(""), super::Tone::Plain),
                })
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| text::width(h)).collect();
    for row in &rows {
        for (w, (cell, _)) in widths.iter_mut().zip(row) {
            *w = (*w).max(text::width(cell));
        }
    }
    let shown: Vec<usize> = match width {
        Some(max) => fit(&mut widths, &table.columns, max),
        None => (0..widths.len()).collect(),
    };
    let pick = |all: &[usize]| shown.iter().map(|&i| all[i]).collect::<Vec<_>>();
    let widths = pick(&widths);
    let columns: Vec<&Column> = shown.iter().map(|&i| &table.columns[i]).collect();
    let header_line: Vec<(&str, super::Tone)> = shown
        .iter()
        .map(|&i| (headers[i].as_str(), super::Tone::Plain))
        .collect();
    write_line(
        &header_line,
        &widths,
        &columns,
        Some(style::BOLD),
        color,
        out,
    )?;
    for row in &rows {
        let line: Vec<(&str, super::Tone)> = shown
            .iter()
            .map(|&i| (row[i].0.as_ref(), row[i].1))
            .collect();
        write_line(&line, &widths, &columns, None, color, out)?;
    }
    Ok(())
}

/// Fits the table into `max` terminal columns and returns the columns to show: first
/// the [`Cut::Start`] columns (sparklines) narrow down to the minimum, then columns are
/// left out by [`Column::drop_rank`] (highest first), then the widest [`Cut::End`]
/// columns narrow, one column at a time, and last the [`Cut::Never`] columns (names),
/// down to [`MIN_NAME_WIDTH`]. Number columns never shrink; a table that still does not
/// fit is printed as it is.
fn fit(widths: &mut [usize], columns: &[Column], max: usize) -> Vec<usize> {
    let natural: Vec<usize> = widths.to_vec();
    let mut shown: Vec<usize> = (0..widths.len()).collect();
    let total = |widths: &[usize], shown: &[usize]| -> usize {
        shown.iter().map(|&i| widths[i]).sum::<usize>() + GAP.len() * shown.len().saturating_sub(1)
    };
    let shrinkable = |i: usize, w: usize, cut: Cut| {
        let min = match cut {
            Cut::Start => MIN_SPARKLINE_WIDTH,
            Cut::End => MIN_TEXT_WIDTH,
            Cut::Never => MIN_NAME_WIDTH,
        };
        columns[i].align == Align::Left && columns[i].cut == cut && w > min.min(natural[i])
    };
    let narrow = |widths: &mut [usize], shown: &[usize], cut: Cut| {
        while total(widths, shown) > max {
            let widest = shown
                .iter()
                .map(|&i| (i, widths[i]))
                .filter(|&(i, w)| shrinkable(i, w, cut))
                .max_by_key(|&(i, w)| (w, std::cmp::Reverse(i)))
                .map(|(i, _)| i);
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    };
    narrow(widths, &shown, Cut::Start);
    while total(widths, &shown) > max {
        let least = shown
            .iter()
            .enumerate()
            .filter(|&(_, &i)| columns[i].drop_rank > 0)
            .max_by_key(|&(_, &i)| (columns[i].drop_rank, i))
            .map(|(at, _)| at);
        match least {
            Some(at) => {
                shown.remove(at);
            }
            None => break,
        }
    }
    narrow(widths, &shown, Cut::End);
    narrow(widths, &shown, Cut::Never);
    shown
}

/// Writes one line: every cell truncated or padded to its column's width. The last
/// column gets no trailing spaces; colors wrap the text, never the padding.
fn write_line(
    cells: &[(&str, super::Tone)],
    widths: &[usize],
    columns: &[&Column],
    header: Option<anstyle::Style>,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut line = String::new();
    let last = cells.len().saturating_sub(1);
    for (i, ((cell, tone), (&width, column))) in
        cells.iter().zip(widths.iter().zip(columns)).enumerate()
    {
        if i > 0 {
            line.push_str(GAP);
        }
        let align = column.align;
        // A header always reads from its start.
        let shown = match column.cut {
            Cut::Start if header.is_none() => text::keep_end(cell, width),
            _ => text::truncate(cell, width),
        };
        let pad = text::padding(&shown, width);
        let painted = style::paint(&shown, header.unwrap_or_else(|| style::tone(*tone)), color);
        match align {
            Align::Right => {
                line.push_str(&pad);
                line.push_str(&painted);
            }
            Align::Left => {
                line.push_str(&painted);
                if i != last {
                    line.push_str(&pad);
                }
            }
        }
    }
    writeln!(out, "{}", line.trim_end_matches(' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fitted(widths: &[usize], aligns: &[Align], max: usize) -> Vec<usize> {
        let columns: Vec<Column> = aligns.iter().map(|&a| Column::new("c", "C", a)).collect();
        let mut widths = widths.to_vec();
        fit(&mut widths, &columns, max);
        widths
    }

    #[test]
    fn fit_shrinks_the_widest_text_column_first() {
        use Align::{Left, Right};
        // 20 + 2 + 10 + 2 + 5 = 39 columns.
        assert_eq!(fitted(&[20, 10, 5], &[Left, Left, Right], 39), [20, 10, 5]);
        assert_eq!(fitted(&[20, 10, 5], &[Left, Left, Right], 30), [11, 10, 5]);
        assert_eq!(fitted(&[20, 10, 5], &[Left, Left, Right], 24), [7, 8, 5]);
        // Never below the minimum; numbers never shrink.
        assert_eq!(fitted(&[20, 10, 5], &[Left, Left, Right], 5), [6, 6, 5]);
        assert_eq!(fitted(&[3, 9], &[Left, Right], 5), [3, 9]);
    }

    #[test]
    fn fit_narrows_sparklines_then_drops_then_cuts_but_never_names() {
        let columns = [
            Column::text("app", "App").cut(Cut::Never),
            Column::number("n", "N"),
            Column::number("extra", "Extra").droppable(2),
            Column::text("layer", "Layer").droppable(1),
            Column::text("trend", "Trend").cut(Cut::Start),
        ];
        // 30 + 5 + 5 + 12 + 24 + 4 gaps × 2 = 84.
        let mut widths = vec![30, 5, 5, 12, 24];
        assert_eq!(fit(&mut widths, &columns, 80), [0, 1, 2, 3, 4]);
        assert_eq!(widths[4], 20, "the sparkline narrows first");
        let mut widths = vec![30, 5, 5, 12, 24];
        assert_eq!(fit(&mut widths, &columns, 62), [0, 1, 3, 4]);
        assert_eq!(widths, [30, 5, 5, 12, 8]);
        let mut widths = vec![30, 5, 5, 12, 24];
        assert_eq!(fit(&mut widths, &columns, 50), [0, 1, 4]);
        assert_eq!(widths[0], 30, "app names are cut last");
        // Then they are, down to their minimum.
        let mut widths = vec![30, 5, 5, 12, 24];
        assert_eq!(fit(&mut widths, &columns, 40), [0, 1, 4]);
        assert_eq!(widths, [23, 5, 5, 12, 8]);
        let mut widths = vec![30, 5, 5, 12, 24];
        fit(&mut widths, &columns, 20);
        assert_eq!(widths[0], MIN_NAME_WIDTH);
    }

    #[test]
    fn a_long_app_name_is_cut_so_the_report_fits_80_columns() {
        use std::time::Duration;
        // `tv report`'s columns, with a 39-character app name (the API allows 40).
        let name = "checkout-service-eu-west-production-v2x";
        let mut table = Table::new(vec![
            Column::text("app", "App").cut(Cut::Never),
            Column::number("volume", "Traces"),
            Column::number("average_us", "Average"),
            Column::number("latest_us", "Latest").droppable(3),
            Column::number("change_fraction", "Δ avg"),
            Column::number("error_rate", "Errors"),
            Column::number("requests_per_second", "Req/s").droppable(2),
            Column::text("top_layer", "Most time in").droppable(1),
            Column::text("trend_us", "Latency trend").cut(Cut::Start),
        ]);
        for app in [name, "web-shop"] {
            table.push(vec![
                Cell::text(app),
                Cell::count(13_100),
                Cell::duration(Some(Duration::from_micros(74_700))),
                Cell::duration(Some(Duration::from_micros(75_000))),
                Cell::change(Some(-0.403)),
                Cell::percent(Some(0.0179)),
                Cell::rate(Some(6.11)),
                Cell::text("java_servlet"),
                Cell::text("▁▂▁▁▁▂▁▁▂█▂▁▂▁▂▁▂▁▂▁▁▁▂▁"),
            ]);
        }
        table.title = Some(format!(
            "{name}: the hour until 2024-01-03 12:00 against the hour until 11:00 UTC"
        ));
        let written = |width| {
            let mut out = Vec::new();
            write_table(&table, false, width, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let out = written(Some(80));
        for line in out.lines() {
            assert!(text::width(line) <= 80, "{line:?}\n{out}");
        }
        assert!(
            out.contains("\ncheckout-service-eu-west-production-…  "),
            "{out}"
        );
        assert!(
            out.contains("\nthe hour until 11:00 UTC\n"),
            "the title wraps: {out}"
        );
        // Nothing is cut where it fits.
        assert!(written(Some(200)).contains(&format!("\n{name}  ")));
    }
}
