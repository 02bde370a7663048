//! What `tv watch` shows: one refresh as a [`WatchFrame`] (also its NDJSON record), and
//! the frame drawn as lines that fit the terminal, what changed since the refresh
//! before marked.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use tv_client::workflow::{AppReport, AppsReport};

use crate::render::{clean, sparkline_width};

/// One refresh of `tv watch`: the apps (or one app and its layers) over the hour
/// ending at the server's now.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WatchFrame {
    /// The end of the hour shown (the server's now).
    pub end: DateTime<Utc>,
    /// The app shown in depth, or none for one row per app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// The rows: apps, or the app then its layers.
    pub rows: Vec<WatchRow>,
    /// Apps that could not be fetched this time, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
}

/// A row: an app, or a layer of the app shown.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WatchRow {
    /// The app's or the layer's name.
    pub name: String,
    /// `app` or `layer`.
    pub kind: RowKind,
    /// Traces of an app, calls of a layer, over the hour.
    pub volume: u64,
    /// Average latency per trace (app) or per call (layer), microseconds; `null` when
    /// there was no traffic.
    pub average_us: Option<f64>,
    /// An app's error rate, a fraction 0..1 (`null`: not known or no traffic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    /// A layer's share of the request time, a fraction 0..1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// An app's average latency per 30 s slice, oldest first (`null`: no traffic).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trend_us: Vec<Option<f64>>,
}

/// What a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// An app.
    App,
    /// A layer of the app shown.
    Layer,
}

fn micros(duration: Option<std::time::Duration>) -> Option<f64> {
    duration.map(|d| d.as_secs_f64() * 1e6)
}

impl WatchFrame {
    /// One row per app, as `tv report` has them.
    pub fn of_apps(report: AppsReport) -> WatchFrame {
        WatchFrame {
            end: report.end,
            app: None,
            rows: report
                .apps
                .into_iter()
                .map(|row| WatchRow {
                    kind: RowKind::App,
                    volume: row.volume,
                    average_us: micros(row.average),
                    error_rate: row.error_rate,
                    share: None,
                    trend_us: row.trend.iter().map(micros).collect(),
                    name: row.app,
                })
                .collect(),
            failed: report
                .failed
                .into_iter()
                .map(|f| format!("{}: {}", f.app, f.error))
                .collect(),
        }
    }

    /// One app, then its layers (most time first).
    pub fn of_app(report: AppReport) -> WatchFrame {
        let app = WatchRow {
            name: report.app.clone(),
            kind: RowKind::App,
            volume: report.summary.count,
            average_us: micros(report.summary.average),
            error_rate: report.errors.rate,
            share: None,
            trend_us: report.series.iter().map(|p| micros(p.average)).collect(),
        };
        let layers = report.layers.into_iter().map(|layer| WatchRow {
            name: layer.layer,
            kind: RowKind::Layer,
            volume: layer.calls,
            average_us: micros(layer.per_call),
            error_rate: None,
            share: layer.share,
            trend_us: Vec::new(),
        });
        WatchFrame {
            end: report.end,
            app: Some(report.app),
            rows: std::iter::once(app).chain(layers).collect(),
            failed: Vec::new(),
        }
    }
}

/// How the frame is drawn.
#[derive(Debug, Clone, Copy)]
pub struct ViewOptions {
    /// The terminal's width in columns.
    pub width: usize,
    /// Whether to highlight with ANSI styles (else the arrows alone mark changes).
    pub color: bool,
}

const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// A cell: its text and whether it changed since the refresh before.
struct Cell {
    text: String,
    changed: bool,
}

fn cell(text: String, changed: bool) -> Cell {
    Cell { text, changed }
}

/// `value` against `before`: an arrow when it went up or down.
fn arrow(value: Option<f64>, before: Option<Option<f64>>) -> (&'static str, bool) {
    match (value, before) {
        (Some(now), Some(Some(then))) if now > then => ("↑", true),
        (Some(now), Some(Some(then))) if now < then => ("↓", true),
        (now, Some(then)) if now.is_some() != then.is_some() => ("•", true),
        _ => (" ", false),
    }
}

fn duration_text(us: Option<f64>) -> String {
    match us {
        Some(us) if us.is_finite() && us >= 0.0 => {
            tv_client::units::format_duration(std::time::Duration::from_secs_f64(us / 1e6))
        }
        _ => "no traffic".to_owned(),
    }
}

fn percent_text(fraction: Option<f64>) -> String {
    fraction.map_or_else(
        || "—".to_owned(),
        |f| tv_client::units::format_percent(f * 100.0),
    )
}

/// `text` cut or padded to exactly `width` characters (left- or right-aligned).
fn fit(text: &str, width: usize, right: bool) -> String {
    let count = text.chars().count();
    if count > width {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        return cut;
    }
    let pad = " ".repeat(width - count);
    if right {
        format!("{pad}{text}")
    } else {
        format!("{text}{pad}")
    }
}

/// The frame as lines of at most `options.width` columns (styles aside): a title, a
/// header, one line per row, then the apps that failed; `status` is the last line
/// (when the next refresh is, or the error being retried).
pub fn draw(
    frame: &WatchFrame,
    before: Option<&WatchFrame>,
    status: &str,
    options: ViewOptions,
) -> Vec<String> {
    let width = options.width.max(40);
    let what = match &frame.app {
        Some(app) => format!("{} and its layers", clean(app)),
        None => "all apps".to_owned(),
    };
    let title = format!(
        "tv watch · {what} · the hour to {} · q quits",
        frame.end.format("%H:%M:%SZ")
    );
    let mut lines = vec![fit(&title, width, false).trim_end().to_owned()];
    let name_width = frame
        .rows
        .iter()
        .map(|row| clean(&row.name).chars().count() + 2)
        .max()
        .unwrap_or(8)
        .clamp(8, 28);
    // name, volume 9, average 11, rate 9, trend: the rest.
    let fixed = name_width + 1 + 9 + 1 + 11 + 1 + 9 + 1;
    let trend_width = width.saturating_sub(fixed).min(60);
    let show_trend = trend_width >= 8;
    let mut header = format!(
        "{}{}{}{}",
        fit("Name", name_width, false),
        fit("Volume", 10, true),
        fit("Average", 12, true),
        fit("Err/Share", 10, true),
    );
    if show_trend {
        header.push(' ');
        header.push_str("Trend (last hour)");
    }
    lines.push(fit(&header, width, false).trim_end().to_owned());
    for row in &frame.rows {
        let old = before.and_then(|b| {
            b.rows
                .iter()
                .find(|r| r.name == row.name && r.kind == row.kind)
        });
        lines.push(draw_row(
            row,
            old,
            name_width,
            show_trend.then_some(trend_width),
            options,
        ));
    }
    if frame.rows.is_empty() {
        lines.push("no apps".to_owned());
    }
    for failure in &frame.failed {
        lines.push(fit(
            &format!("not fetched: {}", clean(failure)),
            width,
            false,
        ));
    }
    lines.push(String::new());
    lines.push(fit(&clean(status), width, false).trim_end().to_owned());
    lines
}

fn draw_row(
    row: &WatchRow,
    old: Option<&WatchRow>,
    name_width: usize,
    trend_width: Option<usize>,
    options: ViewOptions,
) -> String {
    let indent = match row.kind {
        RowKind::App => "",
        RowKind::Layer => "  ",
    };
    let name = cell(
        fit(&format!("{indent}{}", clean(&row.name)), name_width, false),
        false,
    );
    let volume_changed = old.is_some_and(|o| o.volume != row.volume);
    let volume = cell(
        fit(&tv_client::units::format_count(row.volume), 9, true),
        volume_changed,
    );
    let (average_arrow, average_changed) = arrow(row.average_us, old.map(|o| o.average_us));
    let average = cell(
        fit(
            &format!("{}{average_arrow}", duration_text(row.average_us)),
            11,
            true,
        ),
        average_changed,
    );
    let (rate, rate_old) = match row.kind {
        RowKind::App => (row.error_rate, old.map(|o| o.error_rate)),
        RowKind::Layer => (row.share, old.map(|o| o.share)),
    };
    let (rate_arrow, rate_changed) = arrow(rate, rate_old);
    let rate = cell(
        fit(&format!("{}{rate_arrow}", percent_text(rate)), 9, true),
        rate_changed,
    );
    let mut cells = vec![name, volume, average, rate];
    if let Some(width) = trend_width {
        cells.push(cell(sparkline_width(&row.trend_us, width), false));
    }
    cells
        .into_iter()
        .map(|c| match (c.changed, options.color) {
            (true, true) => format!("{BOLD}{}{RESET}", c.text),
            _ => c.text,
        })
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end()
        .to_owned()
}

#[cfg(test)]
#[path = "watch_view_tests.rs"]
mod tests;
