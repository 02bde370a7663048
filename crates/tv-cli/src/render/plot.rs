//! File charts (`--plot FILE.svg`): a real chart with time axes (UTC), the unit, one
//! line per series with a legend, and dashed vertical lines for annotation markers.
//!
//! SVG only: `plotters`' bitmap backend draws no text without a font engine and a
//! bundled font, which costs far more build time than a PNG is worth here.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart::{Chart, axis_number, short_time, widen};
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

/// Writes `chart` to `path`, in the format its extension names (case-insensitive).
pub fn write_plot(chart: &Chart, path: &Path) -> Result<(), PlotError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("svg") => {
            let svg = draw_svg(chart)?;
            std::fs::write(path, svg).map_err(|error| PlotError::Write {
                path: path.to_owned(),
                error,
            })
        }
        _ => Err(PlotError::UnsupportedFormat {
            path: path.to_owned(),
        }),
    }
}

/// Any error of the plotting library, as text.
fn draw_error(error: impl std::fmt::Display) -> PlotError {
    PlotError::Draw {
        message: error.to_string(),
    }
}

/// The chart as an SVG document.
fn draw_svg(chart: &Chart) -> Result<String, PlotError> {
    let no_data = || PlotError::NoData {
        title: chart.title.clone(),
    };
    let (start, end) = chart.time_range().ok_or_else(no_data)?;
    let (lo, hi) = chart.value_range().ok_or_else(no_data)?;
    // A single instant gets a minute on each side; values get 5% of room.
    let (start, end) = if start == end {
        (start - TimeDelta::minutes(1), end + TimeDelta::minutes(1))
    } else {
        (start, end)
    };
    let (lo, hi) = widen(lo, hi);
    let pad = (hi - lo) * 0.05;
    let (lo, hi) = (
        if lo >= 0.0 {
            (lo - pad).max(0.0)
        } else {
            lo - pad
        },
        hi + pad,
    );
    let span = end - start;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let mut plot = ChartBuilder::on(&root)
            .caption(chart.heading(), (FONT, 26))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(start..end, lo..hi)
            .map_err(draw_error)?;
        let time_label = |t: &DateTime<Utc>| short_time(*t, span);
        let value_label = |v: &f64| axis_number(*v);
        let x_desc = format!(
            "time (UTC), {} to {}",
            start.format("%Y-%m-%d %H:%M"),
            end.format("%Y-%m-%d %H:%M")
        );
        plot.configure_mesh()
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&time_label)
            .y_label_formatter(&value_label)
            .x_desc(x_desc)
            .y_desc(text::sanitize(&chart.unit).into_owned())
            .light_line_style(RGBColor(235, 235, 235))
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, LABEL_SIZE))
            .draw()
            .map_err(draw_error)?;
        for (index, series) in chart.series.iter().enumerate() {
            draw_series(&mut plot, series, PALETTE[index % PALETTE.len()])?;
        }
        for (index, marker) in chart.markers_in_range().into_iter().enumerate() {
            let line = DashedLineSeries::new(
                [(marker.at, lo), (marker.at, hi)],
                6,
                4,
                MARKER_COLOR.stroke_width(1),
            );
            plot.draw_series(line).map_err(draw_error)?;
            // Stagger the labels so close markers do not print over each other, and end
            // them at the line in the right part of the chart so they stay inside it.
            let y = hi - (hi - lo) * (0.03 + 0.06 * (index % 3) as f64);
            let when = short_time(marker.at, span);
            let label = text::sanitize(&marker.label);
            let right_part = (marker.at - start) * 10 > span * 6;
            let (label, anchor) = if right_part {
                (format!("{label} {when} ▼"), HPos::Right)
            } else {
                (format!("▼ {when} {label}"), HPos::Left)
            };
            let style = TextStyle::from((FONT, LABEL_SIZE))
                .color(&MARKER_COLOR)
                .pos(Pos::new(anchor, VPos::Top));
            plot.draw_series(std::iter::once(Text::new(label, (marker.at, y), style)))
                .map_err(draw_error)?;
        }
        if chart.series.iter().any(|s| !s.name.is_empty()) {
            plot.configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(200, 200, 200))
                .label_font((FONT, LABEL_SIZE))
                .draw()
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

type Plot<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<
        plotters::coord::types::RangedDateTime<DateTime<Utc>>,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// Draws one series: a line for each run of finite values, a dot for a lone value, and
/// one legend entry.
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
    let mut labelled = series.name.is_empty();
    for run in runs.into_iter().filter(|r| !r.is_empty()) {
        let drawn = if run.len() == 1 {
            let dot = run.into_iter().map(|p| Circle::new(p, 3, color.filled()));
            plot.draw_series(dot).map_err(draw_error)?
        } else {
            plot.draw_series(LineSeries::new(run, color.stroke_width(2)))
                .map_err(draw_error)?
        };
        if !labelled {
            labelled = true;
            drawn
                .label(text::sanitize(&series.name).into_owned())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
                });
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
        write_plot(&latency_chart(), &path).expect("an SVG");
        let svg = std::fs::read_to_string(&path).expect("the SVG");
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);
        // plotters writes each text on its own line between the tags.
        for expected in [
            "\nLatency (ms)\n",
            "\nms\n",
            "time (UTC), 2024-01-01 12:00 to 2024-01-01 12:59",
            "\n12:00\n",
            "\n12:50\n",
            "\nserver\n",
            "\nclient\n",
            "\n▼ 12:05 config change\n",
            "\ndeploy v1.2 12:40 ▼\n",
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
        write_plot(&latency_chart(), &again).expect("an SVG");
        assert_eq!(std::fs::read_to_string(&again).expect("the SVG"), svg);
    }

    #[test]
    fn plot_errors_are_one_line() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let error = write_plot(&latency_chart(), &dir.path().join("chart.pdf")).expect_err("pdf");
        assert!(matches!(error, PlotError::UnsupportedFormat { .. }));
        let message = error.to_string();
        assert!(
            message.contains("chart.pdf") && message.contains(".svg"),
            "{message}"
        );
        let error = write_plot(&Chart::default(), &dir.path().join("x.svg")).expect_err("empty");
        assert!(matches!(error, PlotError::NoData { .. }));
        let error =
            write_plot(&latency_chart(), &dir.path().join("missing/x.svg")).expect_err("no dir");
        assert!(matches!(error, PlotError::Write { .. }));
        assert!(!error.to_string().contains('\n'), "{error}");
    }
}
