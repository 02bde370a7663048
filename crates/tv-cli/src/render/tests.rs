//! Snapshots of every output format of a sample report, and the rules of the renderer.

use std::io;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::json;

use super::*;

/// 2024-01-01 at `hour:minute` UTC.
pub(super) fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, hour, minute, 0)
        .single()
        .expect("a valid time")
}

fn apps_table() -> Table {
    let mut table = Table::new(vec![
        Column::text("app", "APP"),
        Column::number("calls", "CALLS"),
        Column::number("avg_latency_us", "AVG LATENCY"),
        Column::number("error_rate", "ERRORS"),
        Column::number("change", "CHANGE"),
        Column::text("last_deploy", "LAST DEPLOY"),
        Column::text("trend", "TREND"),
    ])
    .titled("Apps, last hour");
    let trend = [Some(1.0), Some(3.0), None, Some(2.0), Some(8.0), Some(5.0)];
    table.push(vec![
        Cell::text("web-shop, \"main\" storefront"),
        Cell::count(123_456),
        Cell::duration(Some(Duration::from_nanos(1_230_500))),
        Cell::percent(Some(0.0123)).toned(Tone::Warn),
        Cell::change(Some(0.25)).toned(Tone::Bad),
        Cell::time(at(11, 30)),
        Cell::sparkline(&trend, 12),
    ]);
    table.push(vec![
        Cell::text("billing"),
        Cell::count(42),
        Cell::duration(Some(Duration::from_micros(850))),
        Cell::percent(Some(0.0)).toned(Tone::Good),
        Cell::change(Some(-0.1)).toned(Tone::Good),
        Cell::optional_time(None),
        Cell::sparkline(&[Some(4.0); 6], 12),
    ]);
    table.push(vec![
        Cell::text("batch-jobs-with-a-rather-long-name"),
        Cell::count(0),
        Cell::duration(None),
        Cell::percent(None),
        Cell::change(None).toned(Tone::Dim),
        // A short row: the missing cells are empty.
    ]);
    table
}

fn layers_table() -> Table {
    let mut table = Table::new(vec![
        Column::text("layer", "LAYER"),
        Column::number("share", "SHARE"),
    ])
    .titled("Layers");
    table.push(vec![Cell::text("nginx"), Cell::percent(Some(0.62))]);
    table.push(vec![Cell::text("mysql"), Cell::percent(Some(0.38))]);
    table
}

/// Two series over an hour, with a gap and three markers (one out of range).
pub(super) fn latency_chart() -> Chart {
    let server: Vec<(DateTime<Utc>, Option<f64>)> = (0..60)
        .map(|i| {
            let t = at(12, 0) + TimeDelta::minutes(i);
            let v = if (20..26).contains(&i) {
                None
            } else {
                Some(10.0 + 5.0 * (i as f64 / 6.0).sin() + if i > 40 { 8.0 } else { 0.0 })
            };
            (t, v)
        })
        .collect();
    let client: Vec<(DateTime<Utc>, Option<f64>)> = (0..60)
        .step_by(5)
        .map(|i| {
            (
                at(12, 0) + TimeDelta::minutes(i),
                Some(20.0 + i as f64 / 4.0),
            )
        })
        .collect();
    Chart {
        title: "Latency".to_owned(),
        unit: "ms".to_owned(),
        series: vec![
            ChartSeries {
                name: "server".to_owned(),
                points: server,
            },
            ChartSeries {
                name: "client".to_owned(),
                points: client,
            },
        ],
        markers: vec![
            Marker {
                at: at(12, 40),
                label: "deploy v1.2".to_owned(),
            },
            Marker {
                at: at(12, 5),
                label: "config change".to_owned(),
            },
            // Outside the chart's time range: not drawn.
            Marker {
                at: at(9, 0),
                label: "old deploy".to_owned(),
            },
        ],
        window: None,
    }
}

#[test]
fn a_chart_ends_where_its_window_ends_and_close_markers_stay_apart() {
    // The last slice starts at 12:59; the window ends at 13:00. An annotation in the
    // last half minute is drawn, and three within a minute get letters of their own.
    let mut chart = latency_chart();
    chart.markers = ["first", "second", "third"]
        .iter()
        .enumerate()
        .map(|(i, label)| Marker {
            at: at(12, 59) + TimeDelta::seconds(20 + 10 * i as i64),
            label: (*label).to_owned(),
        })
        .collect();
    // Before: the axis ended at the last slice's start, leaving them all out.
    let mut before = chart.clone();
    before.window = None;
    assert!(before.markers_in_range().is_empty());
    chart.window = Some((at(12, 0), at(13, 0)));
    assert_eq!(chart.markers_in_range().len(), 3);
    let plain = render_chart(&chart, 72, 8, false);
    for legend in ["A 12:59 first", "B 12:59 second", "C 12:59 third"] {
        assert!(plain.contains(legend), "{plain}");
    }
    assert!(
        plain.contains("13:00 UTC"),
        "the axis ends at 13:00: {plain}"
    );
    // Each letter is drawn, on rows of its own.
    let letters: String = plain.lines().take(4).collect();
    for letter in ['A', 'B', 'C'] {
        assert!(letters.contains(letter), "{plain}");
    }
    insta::assert_snapshot!("chart_window_end_close_markers", plain);
}

/// An output built in every shape at once: what the renderer is tested with.
#[derive(Default)]
pub(super) struct Report {
    json: serde_json::Value,
    ndjson: Vec<serde_json::Value>,
    tables: Vec<Table>,
    charts: Vec<Chart>,
    notes: Vec<String>,
}

impl Output for Report {
    fn json(&self) -> io::Result<Json<'_>> {
        Ok(Json {
            document: self.json.clone(),
            streamed: None,
        })
    }

    fn records(&self) -> Rows<'_> {
        Box::new(self.ndjson.iter().cloned().map(Ok))
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        Ok(self.tables.clone())
    }

    fn charts(&self) -> Vec<Chart> {
        self.charts.clone()
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
}

pub(super) fn sample_report() -> Report {
    let apps = json!([
        {"app": "web-shop, \"main\" storefront", "calls": 123456, "avg_latency_us": 1230.5},
        {"app": "billing", "calls": 42, "avg_latency_us": 850},
    ]);
    Report {
        json: json!({"window": "hour", "apps": apps}),
        ndjson: apps.as_array().cloned().unwrap_or_default(),
        tables: vec![apps_table(), layers_table()],
        charts: vec![latency_chart()],
        notes: vec!["error counts are approximate".into()],
    }
}

pub(super) fn options(format: Format, color: bool, width: Option<usize>) -> RenderOptions {
    RenderOptions {
        format,
        color,
        width,
    }
}

/// Escape codes made visible in snapshots: `␛[1m`.
fn visible(s: &str) -> String {
    s.replace('\u{1b}', "␛")
}

/// `s` without its `ESC [ … m` sequences.
fn strip_escapes(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}

fn rendered(report: &Report, options: &RenderOptions) -> String {
    let mut out = Vec::new();
    render(report, options, &mut out).expect("rendering to memory");
    String::from_utf8(out).expect("UTF-8 output")
}

#[test]
fn table_plain() {
    let out = rendered(&sample_report(), &options(Format::Table, false, None));
    assert!(!out.contains('\u{1b}'));
    insta::assert_snapshot!(out);
}

#[test]
fn table_colored() {
    let out = rendered(&sample_report(), &options(Format::Table, true, Some(100)));
    let plain = rendered(&sample_report(), &options(Format::Table, false, Some(100)));
    assert_eq!(strip_escapes(&out), plain, "colors change nothing else");
    assert!(out.contains("\u{1b}[1mAPP\u{1b}[0m"), "bold headers");
    assert!(out.contains("\u{1b}[31m+25.0%\u{1b}[0m"), "bad in red");
    insta::assert_snapshot!(visible(&out));
}

#[test]
fn table_fits_the_width() {
    let report = Report {
        tables: vec![apps_table()],
        ..Report::default()
    };
    for width in [100, 72, 60] {
        let out = rendered(&report, &options(Format::Table, false, Some(width)));
        insta::assert_snapshot!(format!("table_width_{width}"), out);
    }
    let out = rendered(&report, &options(Format::Table, false, Some(72)));
    for line in out.lines() {
        assert!(text::width(line) <= 72, "{line:?} is wider than 72");
    }
    assert!(out.contains('…'));
}

#[test]
fn table_empty_and_sanitized() {
    let mut empty = Table::new(vec![Column::text("app", "APP")]).titled("Apps");
    let report = Report {
        tables: vec![empty.clone()],
        ..Report::default()
    };
    assert_eq!(
        rendered(&report, &options(Format::Table, false, None)),
        "Apps\n(no rows)\n"
    );
    empty.push(vec![Cell::text("evil\u{1b}[2Jname\nsecond line")]);
    let report = Report {
        tables: vec![empty],
        ..Report::default()
    };
    assert_eq!(
        rendered(&report, &options(Format::Table, true, None)),
        "\u{1b}[1mApps\u{1b}[0m\n\u{1b}[1mAPP\u{1b}[0m\nevilname second line\n"
    );
}

#[test]
fn csv_cells_hold_no_escape_sequences() {
    let mut table = Table::new(vec![Column::text("app", "APP")]);
    table.push(vec![Cell::text("a\u{1b}]0;owned\u{7}b\u{1b}[2Jc\rd")]);
    let report = Report {
        tables: vec![table],
        ..Report::default()
    };
    assert_eq!(
        rendered(&report, &options(Format::Csv, false, None)),
        "app\nabc d\n"
    );
}

#[test]
fn a_report_table_fits_80_columns_without_cutting_app_names() {
    use crate::render::Cut;
    let name = "checkout-service-eu-west-1";
    let mut table = Table::new(vec![
        Column::text("app", "App").cut(Cut::Never),
        Column::number("volume", "Traces"),
        Column::number("average_us", "Average"),
        Column::number("latest_us", "Latest").droppable(3),
        Column::number("change", "Δ avg"),
        Column::number("error_rate", "Errors"),
        Column::number("rps", "Req/s").droppable(2),
        Column::text("top_layer", "Most time in").droppable(1),
        Column::text("trend_us", "Latency trend").cut(Cut::Start),
    ]);
    let trend: Vec<Option<f64>> = (0..24).map(|i| Some(f64::from(i))).collect();
    table.push(vec![
        Cell::text(name),
        Cell::count(13_100),
        Cell::text("74.7 ms"),
        Cell::text("75.0 ms"),
        Cell::text("-40.3%"),
        Cell::text("1.79%"),
        Cell::text("6.11/s"),
        Cell::text("java_servlet"),
        Cell::sparkline(&trend, 24),
    ]);
    let report = Report {
        tables: vec![table],
        ..Report::default()
    };
    let out = rendered(&report, &options(Format::Table, false, Some(80)));
    for line in out.lines() {
        assert!(crate::render::text::width(line) <= 80, "{line}");
    }
    assert!(out.contains(name), "{out}");
    // The sparkline keeps its newest (highest) slices.
    assert!(out.trim_end().ends_with('█'), "{out}");
}

#[test]
fn csv_uses_machine_values() {
    let out = rendered(&sample_report(), &options(Format::Csv, true, Some(20)));
    assert!(out.starts_with("app,calls,avg_latency_us,error_rate,change,last_deploy,trend\n"));
    assert!(out.contains(
        "\"web-shop, \"\"main\"\" storefront\",123456,1230.5,0.0123,0.25,2024-01-01T11:30:00Z,"
    ));
    insta::assert_snapshot!(out);
}

#[test]
fn json_is_pretty_with_a_trailing_newline() {
    let out = rendered(&sample_report(), &options(Format::Json, true, None));
    assert!(out.ends_with("}\n"));
    let parsed: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(parsed, sample_report().json);
    insta::assert_snapshot!(out);
}

#[test]
fn ndjson_is_one_compact_object_per_line() {
    let out = rendered(&sample_report(), &options(Format::Ndjson, false, None));
    assert_eq!(out.lines().count(), 2);
    for line in out.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("one object per line");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn chart_with_gaps_and_markers() {
    let chart = latency_chart();
    let plain = render_chart(&chart, 72, 8, false);
    assert!(plain.starts_with("Latency (ms)\n"));
    assert!(plain.contains("B 12:40 deploy v1.2"));
    assert!(!plain.contains("old deploy"));
    assert!(plain.lines().all(|l| text::width(l) <= 72));
    insta::assert_snapshot!("chart_plain", plain);
    insta::assert_snapshot!("chart_colored", visible(&render_chart(&chart, 72, 8, true)));
}

#[test]
fn chart_edge_cases() {
    let empty = Chart {
        title: "Requests".to_owned(),
        unit: String::new(),
        series: vec![ChartSeries {
            name: "all".to_owned(),
            points: vec![(at(12, 0), None)],
        }],
        markers: Vec::new(),
        window: None,
    };
    assert_eq!(
        render_chart(&empty, 40, 5, false),
        "Requests\n  (no data)\n"
    );
    let single = Chart {
        series: vec![ChartSeries {
            name: String::new(),
            points: vec![(at(12, 0), Some(3.0))],
        }],
        ..empty.clone()
    };
    insta::assert_snapshot!("chart_single_point", render_chart(&single, 30, 3, false));
    // Absurd sizes still render without panicking.
    assert!(!render_chart(&latency_chart(), 0, 0, false).is_empty());
}

#[test]
fn options_resolve_against_the_terminal() {
    use ColorChoice::{Always, Auto, Never};
    let decide = RenderOptions::decide;
    assert_eq!(
        decide(None, Auto, true, false, Some(90)),
        options(Format::Table, true, Some(90))
    );
    assert_eq!(
        decide(None, Auto, false, false, None),
        options(Format::Json, false, None)
    );
    assert!(!decide(None, Auto, true, true, None).color, "NO_COLOR");
    assert_eq!(
        decide(Some(Format::Csv), Always, false, true, None),
        options(Format::Csv, true, None)
    );
    assert!(!decide(Some(Format::Table), Never, true, false, None).color);
}

#[test]
fn choices_print_as_their_flag_values() {
    use clap::ValueEnum;
    for format in Format::value_variants() {
        let name = format.to_possible_value().map(|v| v.get_name().to_owned());
        assert_eq!(Some(format.to_string()), name);
    }
    for color in ColorChoice::value_variants() {
        let name = color.to_possible_value().map(|v| v.get_name().to_owned());
        assert_eq!(Some(color.to_string()), name);
    }
}

#[test]
fn markdown_keeps_alignment_and_escapes_cells() {
    let out = rendered(&sample_report(), &options(Format::Markdown, true, Some(20)));
    assert!(!out.contains('\u{1b}'), "no color in Markdown: {out:?}");
    insta::assert_snapshot!(out);
    let mut table = Table::new(vec![Column::text("app", "App"), Column::number("n", "N")]);
    table.push(vec![Cell::text("a|b\nc\u{1b}[31m<x> & \\"), Cell::count(1)]);
    let out = rendered(
        &Report {
            tables: vec![table],
            ..Report::default()
        },
        &options(Format::Markdown, false, None),
    );
    assert_eq!(
        out,
        "| App | N |\n| :--- | ---: |\n| a\\|b<br>c&lt;x> &amp; \\\\ | 1 |\n"
    );
}
