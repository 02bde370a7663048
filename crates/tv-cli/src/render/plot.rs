//! File charts (`--plot FILE.svg`): a real chart with time axes (UTC), the unit, one
//! line per series with a legend, and dashed vertical lines for annotation markers.
//!
//! SVG only: `plotters`' bitmap backend draws no text without a font engine and a
//! bundled font, which costs far more build time than a PNG is worth here.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart::{Chart, axis_number, letter_rows, marker_letter, short_time, widen};
use super::text;

/// The file extensions [`write_plot`] understands.
pub const SUPPORTED_PLOT_EXTENSIONS: &[&str] = &["svg"];

/// Size of the drawing, in pixels.
const SIZE: (u32, u32) = (1000, 500);
/// Line colors of the series, in order (repeating after the last).
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];
/// Color of the annotation markers.
const MARKER_COLOR: RGBColor = RGBColor(110, 110, 110);
const FONT: &str = "sans-serif";
/// Font size of labels (plotters draws text at about 80% of this).
const LABEL_SIZE: f64 = 16.0;

/// Why a chart could not be written to a file.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The file name does not end in a supported extension.
    #[error("cannot plot to {}: unsupported file type, use a file ending in {}", .path.display(), supported())]
    UnsupportedFormat {
        /// The file asked for.
        path: PathBuf,
    },
    /// The chart has no finite value to draw.
    #[error("nothing to plot: \"{title}\" has no data points in this window")]
    NoData {
        /// The chart's title.
        title: String,
    },
    /// The plotting library failed.
    #[error("cannot draw the chart: {message}")]
    Draw {
        /// What went wrong.
        message: String,
    },
    /// The file could not be written.
    #[error("cannot write the plot to {}: {error}", .path.display())]
    Write {
        /// The file asked for.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
}

/// `.svg` (and more when supported), for messages.
fn supported() -> String {
    let names: Vec<String> = SUPPORTED_PLOT_EXTENSIONS
        .iter()
        .map(|e| format!(".{e}"))
        .collect();
    names.join(" or ")
}

/// Refuses a file name whose extension [`write_plot`] cannot write, so that a command
/// can say so before it fetches anything.
pub fn check_plot_path(path: &Path) -> Result<(), PlotError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension {
        Some(e) if SUPPORTED_PLOT_EXTENSIONS.contains(&e.as_str()) => Ok(()),
        _ => Err(PlotError::UnsupportedFormat {
            path: path.to_owned(),
        }),
    }
}

/// Writes `charts` to `path`, one panel each from top to bottom (latency above volume),
/// in the format its extension names (case-insensitive).
pub fn write_plot(charts: &[Chart], path: &Path) -> Result<(), PlotError> {
    check_plot_path(path)?;
    let svg = draw_svg(charts)?;
    std::fs::write(path, svg).map_err(|error| PlotError::Write {
        path: path.to_owned(),
        error,
    })
}

/// Any error of the plotting library, as text.
fn draw_error(error: impl std::fmt::Display) -> PlotError {
    PlotError::Draw {
        message: error.to_string(),
    }
}

/// Height of a panel's title, in pixels.
const CAPTION_HEIGHT: u32 = 30;
/// Height of one chart's panel, in pixels.
const PANEL_HEIGHT: u32 = 340;
/// Height of one line of the legend below the charts, in pixels.
const LEGEND_LINE: u32 = 22;
/// Height of one row of marker letters above a panel's plot area, in pixels.
const LETTER_ROW: u32 = 16;
/// Letters closer than this, in pixels, go on different rows.
const LETTER_GAP: f64 = 14.0;
/// The longest annotation text the legend shows.
const MAX_LEGEND_TEXT: usize = 100;

/// The charts as one SVG document: a panel per chart, lettered annotation markers
/// above each plot area (never over the lines), and one legend below every panel that
/// names the series (with their colors) and each marker (letter, time, message).
fn draw_svg(charts: &[Chart]) -> Result<String, PlotError> {
    let first = charts.first().ok_or_else(|| PlotError::NoData {
        title: String::new(),
    })?;
    let no_data = |chart: &Chart| PlotError::NoData {
        title: chart.title.clone(),
    };
    let (start, end) = first.time_range().ok_or_else(|| no_data(first))?;
    for chart in charts {
        chart.value_range().ok_or_else(|| no_data(chart))?;
    }
    // A single instant gets a minute on each side.
    let (start, end) = if start == end {
        (start - TimeDelta::minutes(1), end + TimeDelta::minutes(1))
    } else {
        (start, end)
    };
    let span = end - start;
    let markers = first.markers_in_range();
    let plot_width = f64::from(SIZE.0 - 72 - 32);
    let seconds = span.num_milliseconds().max(1) as f64;
    let positions: Vec<f64> = markers
        .iter()
        .map(|m| (m.at - start).num_milliseconds() as f64 / seconds * plot_width)
        .collect();
    let rows = letter_rows(&positions, LETTER_GAP);
    let letter_rows_used = rows.iter().max().map_or(0, |r| r + 1) as u32;
    let series_count: usize = charts.iter().map(|c| c.series.len()).sum();
    let legend_lines = (series_count + markers.len()) as u32;
    let panel_height = PANEL_HEIGHT + LETTER_ROW * letter_rows_used;
    let height = panel_height * charts.len() as u32 + LEGEND_LINE * legend_lines + 16;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let (panels, legend) = root.split_vertically(panel_height * charts.len() as u32);
        let panels = panels.split_evenly((charts.len(), 1));
        let mut color_index = 0;
        let mut legend_entries: Vec<(String, Option<RGBColor>)> = Vec::new();
        for (chart, panel) in charts.iter().zip(&panels) {
            let (lo, hi) = padded(chart.value_range().ok_or_else(|| no_data(chart))?);
            // The title first, then the rows of marker letters, then the plot area.
            let caption = TextStyle::from((FONT, 22)).pos(Pos::new(HPos::Center, VPos::Top));
            let heading = text::sanitize(&chart.heading()).into_owned();
            panel
                .draw(&Text::new(heading, ((SIZE.0 / 2) as i32, 8), caption))
                .map_err(draw_error)?;
            let mut plot = ChartBuilder::on(panel)
                .margin(16)
                .margin_top(CAPTION_HEIGHT + 6 + LETTER_ROW * letter_rows_used)
                .x_label_area_size(44)
                .y_label_area_size(72)
                .build_cartesian_2d(start..end, lo..hi)
                .map_err(draw_error)?;
            let time_label = |t: &DateTime<Utc>| short_time(*t, span);
            let value_label = |v: &f64| axis_number(*v);
            plot.configure_mesh()
                .x_labels(8)
                .y_labels(6)
                .x_label_formatter(&time_label)
                .y_label_formatter(&value_label)
                .x_desc("time (UTC)")
                .y_desc(text::sanitize(&chart.unit).into_owned())
                .light_line_style(RGBColor(235, 235, 235))
                .label_style((FONT, LABEL_SIZE))
                .axis_desc_style((FONT, LABEL_SIZE))
                .draw()
                .map_err(draw_error)?;
            for series in &chart.series {
                let color = PALETTE[color_index % PALETTE.len()];
                color_index += 1;
                draw_series(&mut plot, series, color)?;
                legend_entries.push((format!("━━ {}", text::sanitize(&series.name)), Some(color)));
            }
            for ((index, marker), row) in markers.iter().enumerate().zip(&rows) {
                let line = DashedLineSeries::new(
                    [(marker.at, lo), (marker.at, hi)],
                    6,
                    4,
                    MARKER_COLOR.stroke_width(1),
                );
                plot.draw_series(line).map_err(draw_error)?;
                // The letter sits above the plot area, in its own row when another
                // letter is close: it never covers a line, a label or another letter.
                let (x, top) = plot.backend_coord(&(marker.at, hi));
                let (panel_x, panel_y) = panel.get_base_pixel();
                let y = top - panel_y - 4 - (LETTER_ROW as i32) * (*row as i32);
                let style = TextStyle::from((FONT, LABEL_SIZE))
                    .color(&MARKER_COLOR)
                    .pos(Pos::new(HPos::Center, VPos::Bottom));
                let letter = marker_letter(index).to_string();
                panel
                    .draw(&Text::new(letter, (x - panel_x, y), style))
                    .map_err(draw_error)?;
            }
        }
        for (index, marker) in markers.iter().enumerate() {
            let label = text::clean_line(&marker.label, MAX_LEGEND_TEXT);
            let when = short_time(marker.at, span);
            legend_entries.push((format!("{}  {when}  {label}", marker_letter(index)), None));
        }
        for (line, (entry, color)) in legend_entries.iter().enumerate() {
            let color = color.unwrap_or(MARKER_COLOR);
            let style = TextStyle::from((FONT, LABEL_SIZE))
                .color(&color)
                .pos(Pos::new(HPos::Left, VPos::Top));
            let y = 4 + (LEGEND_LINE as i32) * line as i32;
            legend
                .draw(&Text::new(entry.clone(), (88, y), style))
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

/// The value range with room: a flat series widened, 5 % more on each side, never
/// below zero for values that are not.
fn padded((lo, hi): (f64, f64)) -> (f64, f64) {
    let (lo, hi) = widen(lo, hi);
    let pad = (hi - lo) * 0.05;
    let lo = if lo >= 0.0 {
        (lo - pad).max(0.0)
    } else {
        lo - pad
    };
    (lo, hi + pad)
}

type Plot<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<
        plotters::coord::types::RangedDateTime<DateTime<Utc>>,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// Draws one series: a line for each run of finite values, a dot for a lone value.
fn draw_series(
    plot: &mut Plot<'_, '_>,
    series: &super::ChartSeries,
    color: RGBColor,
) -> Result<(), PlotError> {
    let mut points: Vec<_> = series.points.iter().collect();
    points.sort_by_key(|(t, _)| *t);
    let mut runs: Vec<Vec<(DateTime<Utc>, f64)>> = vec![Vec::new()];
    for (t, v) in points {
        match (v.filter(|v| v.is_finite()), runs.last_mut()) {
            (Some(v), Some(run)) => run.push((*t, v)),
            (None, Some(run)) if !run.is_empty() => runs.push(Vec::new()),
            _ => {}
        }
    }
    for run in runs.into_iter().filter(|r| !r.is_empty()) {
        if run.len() == 1 {
            let dot = run.into_iter().map(|p| Circle::new(p, 3, color.filled()));
            plot.draw_series(dot).map_err(draw_error)?;
        } else {
            plot.draw_series(LineSeries::new(run, color.stroke_width(2)))
                .map_err(draw_error)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::latency_chart;

    #[test]
    fn svg_plot_has_axes_legend_and_markers() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("latency.SVG");
        let mut volume = latency_chart();
        volume.title = "Traces".into();
        volume.series.truncate(1);
        volume.series[0].name = "traces".into();
        let charts = [latency_chart(), volume];
        write_plot(&charts, &path).expect("an SVG");
        let svg = std::fs::read_to_string(&path).expect("the SVG");
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);
        // plotters writes each text on its own line between the tags.
        for expected in [
            "\nLatency (ms)\n",
            "\nTraces (ms)\n",
            "\nms\n",
            "\n12:00\n",
            "\n12:50\n",
            "\n━━ server\n",
            "\n━━ client\n",
            "\n━━ traces\n",
            "\nA  12:05  config change\n",
            "\nB  12:40  deploy v1.2\n",
            "\nA\n",
            "\nB\n",
        ] {
            assert!(svg.contains(expected), "missing {expected:?}");
        }
        assert!(!svg.contains("old deploy"));
        for color in ["#1F77B4", "#FF7F0E"] {
            assert!(
                svg.contains(&format!("stroke=\"{color}\"")),
                "a {color} line"
            );
        }
        // Deterministic.
        let again = dir.path().join("again.svg");
        write_plot(&charts, &again).expect("an SVG");
        assert_eq!(std::fs::read_to_string(&again).expect("the SVG"), svg);
    }

    #[test]
    fn close_marker_letters_take_separate_rows() {
        let rows = |p: &[f64]| letter_rows(p, LETTER_GAP);
        assert_eq!(rows(&[0.0, 100.0, 200.0]), [0, 0, 0]);
        assert_eq!(rows(&[100.0, 105.0, 110.0, 200.0]), [0, 1, 2, 0]);
        // Rows are given in time order, whatever the input order.
        assert_eq!(rows(&[105.0, 100.0]), [1, 0]);
    }

    #[test]
    fn plot_errors_are_one_line() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let error = write_plot(&[latency_chart()], &dir.path().join("chart.pdf")).expect_err("pdf");
        assert!(check_plot_path(Path::new("chart.pdf")).is_err());
        assert!(check_plot_path(Path::new("chart.Svg")).is_ok());
        assert!(matches!(error, PlotError::UnsupportedFormat { .. }));
        let message = error.to_string();
        assert!(
            message.contains("chart.pdf") && message.contains(".svg"),
            "{message}"
        );
        let error = write_plot(&[Chart::default()], &dir.path().join("x.svg")).expect_err("empty");
        assert!(matches!(error, PlotError::NoData { .. }));
        let error =
            write_plot(&[latency_chart()], &dir.path().join("missing/x.svg")).expect_err("no dir");
        assert!(matches!(error, PlotError::Write { .. }));
        assert!(!error.to_string().contains('\n'), "{error}");
    }
}
