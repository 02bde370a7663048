//! Terminal line charts drawn with braille dots (2×4 dots a character), with min/max
//! labels, start/end times, a series legend and annotation markers.
//!
//! Hand-rolled rather than `textplots`: the chart needs time axes, gaps, vertical
//! markers and per-series colors, which is less code here than around a plotting crate,
//! and it keeps the output byte-for-byte deterministic for snapshots.

use chrono::{DateTime, TimeDelta, Utc};

use super::style;
use super::text;

/// A line chart over time, shown in the terminal ([`render_chart`]) or written to a file
/// ([`super::write_plot`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chart {
    /// What the chart shows (`Latency`).
    pub title: String,
    /// The unit of the y axis (`ms`); empty for none.
    pub unit: String,
    /// The lines, drawn in order (later lines on top).
    pub series: Vec<ChartSeries>,
    /// Annotations (deploys) shown as vertical marks with a legend line.
    pub markers: Vec<Marker>,
    /// The window shown (start, end): the time axis spans it, so it ends where the
    /// window ends (not at the last slice's start) and an annotation anywhere in it is
    /// drawn. `None`: the points' times.
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// One line of a [`Chart`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartSeries {
    /// The legend entry.
    pub name: String,
    /// The points; `None` (or a non-finite value) is a gap that breaks the line.
    pub points: Vec<(DateTime<Utc>, Option<f64>)>,
}

/// An annotation on a [`Chart`]: a vertical mark at `at` and a legend line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened (`deploy v1.2`).
    pub label: String,
}

impl Chart {
    /// The time axis: from the first point (or the window's start, when earlier) to
    /// the last point (or the window's end, when later), gaps included; `None` without
    /// points.
    pub fn time_range(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let times = || {
            self.series
                .iter()
                .flat_map(|s| s.points.iter().map(|(t, _)| *t))
        };
        let (first, last) = (times().min()?, times().max()?);
        Some(match self.window {
            Some((start, end)) => (first.min(start), last.max(end)),
            None => (first, last),
        })
    }

    /// The smallest and largest finite value, or `None` when there is none.
    pub fn value_range(&self) -> Option<(f64, f64)> {
        let values = self.series.iter().flat_map(|s| {
            s.points
                .iter()
                .filter_map(|(_, v)| v.filter(|v| v.is_finite()))
        });
        values.fold(None, |range, v| match range {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
    }

    /// The markers within [`Chart::time_range`], oldest first (lettered `A`, `B`, …
    /// from the left).
    pub fn markers_in_range(&self) -> Vec<&Marker> {
        let mut markers: Vec<&Marker> = match self.time_range() {
            Some((start, end)) => self
                .markers
                .iter()
                .filter(|m| start <= m.at && m.at <= end)
                .collect(),
            None => Vec::new(),
        };
        markers.sort_by_key(|m| m.at);
        markers
    }

    /// The title with the unit: `Latency (ms)`.
    pub(crate) fn heading(&self) -> String {
        let title = text::sanitize(&self.title);
        if self.unit.is_empty() {
            title.into_owned()
        } else {
            format!("{title} ({})", text::sanitize(&self.unit))
        }
    }
}

/// A value range that is never empty: a constant series gets `0..2v` (or `0..1`).
pub(crate) fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        (lo, hi)
    } else if lo > 0.0 {
        (0.0, lo * 2.0)
    } else if lo < 0.0 {
        (lo * 2.0, 0.0)
    } else {
        (0.0, 1.0)
    }
}

/// An axis number with three significant digits, without trailing zeros: `12.4`,
/// `0.523`, `1234`.
pub(crate) fn axis_number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".to_owned();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 9) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// The letter that tells the `index`th marker of a chart apart (`A`…`Z`, then `*`),
/// on the chart and in its legend.
pub(crate) fn marker_letter(index: usize) -> char {
    u8::try_from(index)
        .ok()
        .filter(|i| *i < 26)
        .map_or('*', |i| char::from(b'A' + i))
}

/// Assigns each marker letter at `positions` (in time order) the first row where it
/// keeps `gap` from the letter before it in that row, so close markers' letters never
/// cover each other: row 0 sits just above the plot, further rows above it.
pub(crate) fn letter_rows(positions: &[f64], gap: f64) -> Vec<usize> {
    let mut last_in_row: Vec<f64> = Vec::new();
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_by(|&a, &b| positions[a].total_cmp(&positions[b]));
    let mut rows = vec![0; positions.len()];
    for i in order {
        let x = positions[i];
        let row = match last_in_row.iter().position(|&last| x - last >= gap) {
            Some(row) => row,
            None => {
                last_in_row.push(f64::NEG_INFINITY);
                last_in_row.len() - 1
            }
        };
        last_in_row[row] = x;
        rows[i] = row;
    }
    rows
}

/// A time on an axis or in a legend: `12:30` within a day, `01-02 12:30` beyond.
pub(crate) fn short_time(t: DateTime<Utc>, span: TimeDelta) -> String {
    if span <= TimeDelta::days(1) {
        t.format("%H:%M").to_string()
    } else {
        t.format("%m-%d %H:%M").to_string()
    }
}

/// Narrowest plot area, in characters.
const MIN_PLOT_WIDTH: usize = 10;
/// Dot bits of a braille cell, by column (0..2) then row from the top (0..4).
const BRAILLE_BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
/// An empty cell in a marker's column.
const MARKER_GUIDE: char = '┊';

/// A canvas of braille dots; each cell remembers the last series that drew in it.
struct Grid {
    cols: usize,
    rows: usize,
    bits: Vec<u8>,
    owner: Vec<usize>,
}

impl Grid {
    fn new(cols: usize, rows: usize) -> Grid {
        Grid {
            cols,
            rows,
            bits: vec![0; cols * rows],
            owner: vec![0; cols * rows],
        }
    }

    fn dots_x(&self) -> i64 {
        (self.cols * 2) as i64
    }

    fn dots_y(&self) -> i64 {
        (self.rows * 4) as i64
    }

    /// Sets the dot at `x` (from the left) and `y` (from the bottom); outside is ignored.
    fn dot(&mut self, (x, y): (i64, i64), series: usize) {
        if x < 0 || y < 0 || x >= self.dots_x() || y >= self.dots_y() {
            return;
        }
        let from_top = (self.dots_y() - 1 - y) as usize;
        let (x, row) = (x as usize, from_top / 4);
        let index = row * self.cols + x / 2;
        self.bits[index] |= BRAILLE_BITS[x % 2][from_top % 4];
        self.owner[index] = series;
    }

    /// Draws a straight line of dots (Bresenham).
    fn line(&mut self, (x0, y0): (i64, i64), (x1, y1): (i64, i64), series: usize) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = ((x1 - x0).signum(), (y1 - y0).signum());
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        loop {
            self.dot((x, y), series);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// The character and series of a cell, `None` when it is empty.
    fn cell(&self, row: usize, col: usize) -> Option<(char, usize)> {
        let index = row * self.cols + col;
        let bits = self.bits[index];
        (bits != 0).then(|| {
            let c = char::from_u32(0x2800 + u32::from(bits)).unwrap_or('⣿');
            (c, self.owner[index])
        })
    }
}

/// Renders `chart` in `width` columns with a plot area `height` rows tall (at least 2),
/// ending in a newline. Colors (series, markers, title) only when `color` is on.
pub fn render_chart(chart: &Chart, width: usize, height: usize, color: bool) -> String {
    let mut lines = vec![style::paint(&chart.heading(), style::BOLD, color)];
    let (Some((start, end)), Some((lo, hi))) = (chart.time_range(), chart.value_range()) else {
        lines.push(style::paint("  (no data)", style::DIM, color));
        return lines.join("\n") + "\n";
    };
    let (lo, hi) = widen(lo, hi);
    let (top, bottom) = (axis_number(hi), axis_number(lo));
    let label_width = text::width(&top).max(text::width(&bottom));
    let indent = " ".repeat(label_width + 2);
    let cols = width.saturating_sub(label_width + 2).max(MIN_PLOT_WIDTH);
    let rows = height.max(2);
    let mut grid = Grid::new(cols, rows);
    let span = end - start;
    let span_ms = span.num_milliseconds() as f64;
    let x_of = |t: DateTime<Utc>, dots: i64| -> i64 {
        if span_ms <= 0.0 {
            (dots - 1) / 2
        } else {
            ((t - start).num_milliseconds() as f64 / span_ms * (dots - 1) as f64).round() as i64
        }
    };
    let (dots_x, dots_y) = (grid.dots_x(), grid.dots_y());
    let y_of = |v: f64| ((v - lo) / (hi - lo) * (dots_y - 1) as f64).round() as i64;
    for (index, series) in chart.series.iter().enumerate() {
        let mut points: Vec<_> = series.points.iter().collect();
        points.sort_by_key(|(t, _)| *t);
        let mut previous = None;
        for (t, v) in points {
            match v.filter(|v| v.is_finite()) {
                Some(v) => {
                    let here = (x_of(*t, dots_x), y_of(v));
                    match previous {
                        Some(from) => grid.line(from, here, index),
                        None => grid.dot(here, index),
                    }
                    previous = Some(here);
                }
                None => previous = None,
            }
        }
    }
    let markers = chart.markers_in_range();
    let marker_cols: Vec<usize> = markers
        .iter()
        .map(|m| (x_of(m.at, dots_x) / 2).clamp(0, cols as i64 - 1) as usize)
        .collect();
    // A letter and a space apart; closer markers' letters go on rows above.
    let positions: Vec<f64> = marker_cols.iter().map(|&c| c as f64).collect();
    let letter_row = letter_rows(&positions, 2.0);
    let letter_row_count = letter_row.iter().max().map_or(0, |r| r + 1);
    for r in (0..letter_row_count).rev() {
        let mut row = vec![' '; cols];
        for (index, &col) in marker_cols.iter().enumerate() {
            if letter_row[index] == r {
                row[col] = marker_letter(index);
            }
        }
        let row: String = row.into_iter().collect();
        lines.push(format!(
            "{indent}{}",
            style::paint(row.trim_end(), style::MARKER, color)
        ));
    }
    for row in 0..rows {
        let (label, axis) = match row {
            0 => (top.as_str(), '┤'),
            r if r == rows - 1 => (bottom.as_str(), '┤'),
            _ => ("", '│'),
        };
        let mut line = format!("{label:>label_width$} {axis}");
        let cells = (0..cols).map(|col| match grid.cell(row, col) {
            Some((c, series)) => (c, Some(style::series(series))),
            None if marker_cols.contains(&col) => (MARKER_GUIDE, Some(style::DIM)),
            None => (' ', None),
        });
        push_runs(&mut line, cells, color);
        lines.push(line.trim_end().to_owned());
    }
    lines.push(format!("{:label_width$} └{}", "", "─".repeat(cols)));
    let first = start.format("%Y-%m-%d %H:%M").to_string();
    let last = if start.date_naive() == end.date_naive() {
        end.format("%H:%M UTC").to_string()
    } else {
        end.format("%Y-%m-%d %H:%M UTC").to_string()
    };
    if text::width(&first) + 1 + text::width(&last) <= cols && span > TimeDelta::zero() {
        let gap = cols - text::width(&first) - text::width(&last);
        lines.push(format!("{indent}{first}{}{last}", " ".repeat(gap)));
    } else {
        lines.push(format!("{indent}{first} UTC"));
    }
    let legend: Vec<String> = chart
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.name.is_empty())
        .map(|(i, s)| {
            style::paint(
                &format!("━ {}", text::sanitize(&s.name)),
                style::series(i),
                color,
            )
        })
        .collect();
    if !legend.is_empty() {
        lines.push(format!("{indent}{}", legend.join("  ")));
    }
    for (index, marker) in markers.iter().enumerate() {
        let mark = format!("{} {}", marker_letter(index), short_time(marker.at, span));
        let mark = style::paint(&mark, style::MARKER, color);
        lines.push(format!("{indent}{mark} {}", text::sanitize(&marker.label)));
    }
    lines.join("\n") + "\n"
}

/// Appends characters, wrapping each run of the same style in one pair of escape codes.
fn push_runs(
    line: &mut String,
    cells: impl Iterator<Item = (char, Option<anstyle::Style>)>,
    color: bool,
) {
    let mut run = String::new();
    let mut run_style = None;
    for (c, cell_style) in cells {
        if cell_style != run_style && !run.is_empty() {
            line.push_str(&style::paint(&run, run_style.unwrap_or_default(), color));
            run.clear();
        }
        run_style = cell_style;
        run.push(c);
    }
    line.push_str(&style::paint(&run, run_style.unwrap_or_default(), color));
}
