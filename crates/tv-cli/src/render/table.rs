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

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Column {
    /// The machine name, `snake_case`: the CSV header.
    pub name: String,
    /// The header people see in tables.
    pub header: String,
    /// How the column's values line up.
    pub align: Align,
}

impl Column {
    /// A column with every field given.
    pub fn new(name: impl Into<String>, header: impl Into<String>, align: Align) -> Column {
        Column {
            name: name.into(),
            header: header.into(),
            align,
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

/// Writes `table` as aligned columns, fitted to `width` when given.
pub(crate) fn write_table(
    table: &Table,
    color: bool,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let Some(title) = &table.title {
        writeln!(
            out,
            "{}",
            style::paint(&text::sanitize(title), style::BOLD, color)
        )?;
    }
    if table.rows.is_empty() {
        return writeln!(out, "{}", style::paint("(no rows)", style::DIM, color));
    }
    let headers: Vec<String> = table
        .columns
        .iter()
        .map(|c| text::sanitize(&c.header).into_owned())
        .collect();
    let rows: Vec<Vec<(String, super::Tone)>> = table
        .rows
        .iter()
        .map(|row| {
            (0..table.columns.len())
                .map(|i| match row.get(i) {
                    Some(cell) => (text::sanitize(&cell.human).into_owned(), cell.tone),
                    None => (String::new(), super::Tone::Plain),
                })
                .collect()
        })
        .collect();
    let aligns: Vec<Align> = table.columns.iter().map(|c| c.align).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| text::width(h)).collect();
    for row in &rows {
        for (w, (cell, _)) in widths.iter_mut().zip(row) {
            *w = (*w).max(text::width(cell));
        }
    }
    if let Some(max) = width {
        fit(&mut widths, &aligns, max);
    }
    let header_line: Vec<(&str, super::Tone)> = headers
        .iter()
        .map(|h| (h.as_str(), super::Tone::Plain))
        .collect();
    write_line(
        &header_line,
        &widths,
        &aligns,
        Some(style::BOLD),
        color,
        out,
    )?;
    for row in &rows {
        let line: Vec<(&str, super::Tone)> = row.iter().map(|(s, t)| (s.as_str(), *t)).collect();
        write_line(&line, &widths, &aligns, None, color, out)?;
    }
    Ok(())
}

/// Narrows the widest text columns, one column at a time, until the table fits `max`
/// columns or no text column can shrink further. Number columns never shrink.
fn fit(widths: &mut [usize], aligns: &[Align], max: usize) {
    let natural: Vec<usize> = widths.to_vec();
    let total = |widths: &[usize]| -> usize {
        widths.iter().sum::<usize>() + GAP.len() * widths.len().saturating_sub(1)
    };
    while total(widths) > max {
        let widest = widths
            .iter()
            .enumerate()
            .filter(|&(i, &w)| aligns[i] == Align::Left && w > MIN_TEXT_WIDTH.min(natural[i]))
            .max_by_key(|&(i, &w)| (w, std::cmp::Reverse(i)))
            .map(|(i, _)| i);
        match widest {
            Some(i) => widths[i] -= 1,
            None => break,
        }
    }
}

/// Writes one line: every cell truncated or padded to its column's width. The last
/// column gets no trailing spaces; colors wrap the text, never the padding.
fn write_line(
    cells: &[(&str, super::Tone)],
    widths: &[usize],
    aligns: &[Align],
    header: Option<anstyle::Style>,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut line = String::new();
    let last = cells.len().saturating_sub(1);
    for (i, ((cell, tone), (&width, &align))) in
        cells.iter().zip(widths.iter().zip(aligns)).enumerate()
    {
        if i > 0 {
            line.push_str(GAP);
        }
        let shown = text::truncate(cell, width);
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
        let mut widths = widths.to_vec();
        fit(&mut widths, aligns, max);
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
}
