//! `tv report`: one row per app, fetched concurrently by tv-client's workflow.

use chrono::{DateTime, Utc};
use std::io;
use tv_client::error::Missing;

use tv_client::workflow::{self, AppFailure, AppRow, AppSelection, AppsReport, Now, Trend};
use tv_client::{AppResult, Concurrency, TimeWindow, TraceView};

use super::{Env, change_tone, column, emit};
use crate::cli::ReportArgs;
use crate::exit::{CliError, Exit};
use crate::filters;
use crate::render::{
    Align, Cell, Cut, Format, Json, Output, Rows, Table, Tone, sparkline_width, value_of,
    with_fields,
};

/// `tv report` without an app.
pub async fn run(
    tv: &TraceView,
    args: &ReportArgs,
    env: &Env,
    now: &Now,
    reference: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let window = args.window.window;
    let requested = filters::end(&args.window, reference)?;
    let selection = selection(args)?;
    let known = tv.discovery().apps().await?;
    let apps = if args.apps.is_empty() {
        known
    } else {
        match selection.select(known.clone()) {
            Ok(apps) => apps,
            Err(tv_client::Error::NotFound(Missing::Pattern(pattern))) => {
                return Err(unmatched_pattern(&pattern, &known));
            }
            Err(error) => return Err(error.into()),
        }
    };
    let end = now
        .resolve(apps.first().map(String::as_str), requested)
        .await?;
    let progress = progress_bar(apps.len() as u64, env);
    let tick = |_: &AppResult<AppRow>| progress.inc(1);
    let concurrency = args
        .concurrency
        .map_or_else(Concurrency::adaptive, |n| Concurrency::Fixed(n.into()));
    let results = workflow::report_stream(tv, apps, window, end, concurrency);
    // Each format holds only what it prints: JSON and NDJSON the compact rows (written
    // row by row), tables each row's cells' inputs, with the trend's sparkline instead
    // of the trend (sparklines and formatted cells cost ~6 % of a 200-app report's CPU:
    // they are made only for the formats that print them).
    let format = env.render.format;
    let reduce = |row| TableRow::new(row, format);
    let (rows, failed) = workflow::collect_reduced(results, &selection, reduce, tick).await;
    progress.finish_and_clear();
    // A table's notes name each failure; the machine formats log them on stderr.
    let log = matches!(format, Format::Json | Format::Ndjson);
    let exit = failures(rows.is_empty(), &failed, log)?;
    let output = AppsOutput {
        window,
        end,
        rows,
        failed,
    };
    emit(&output, env)?;
    Ok(exit)
}

/// `tv report`'s output: the rows as each format needs them, and the failures.
struct AppsOutput {
    window: TimeWindow,
    end: DateTime<Utc>,
    rows: Vec<TableRow>,
    failed: Vec<AppFailure>,
}

impl Output for AppsOutput {
    /// The document of [`tv_client::workflow::AppsReport`], its apps written one by one.
    fn json(&self) -> io::Result<Json<'_>> {
        let skeleton = AppsReport {
            window: self.window,
            end: self.end,
            apps: Vec::new(),
            failed: self.failed.clone(),
        };
        let rows = self.rows.iter().map(|r| value_of(&r.row));
        Ok(Json::streaming(
            value_of(&skeleton)?,
            "apps",
            Box::new(rows),
        ))
    }

    fn records(&self) -> Rows<'_> {
        let context = serde_json::json!({"window": self.window, "end": self.end, "filters": {}});
        Box::new(
            self.rows
                .iter()
                .map(move |r| with_fields(&context, value_of(&r.row)?)),
        )
    }

    fn tables(&self, format: Format) -> io::Result<Vec<Table>> {
        Ok(vec![apps_table(self.window, self.end, &self.rows, format)])
    }

    fn notes(&self) -> Vec<String> {
        let mut notes =
            vec!["Δ avg: against the window before; errors are approximate (rate × volume)".into()];
        for failure in &self.failed {
            notes.push(format!(
                "{}: not fetched: {}",
                crate::render::clean(&failure.app),
                crate::render::clean(&failure.error.to_string())
            ));
        }
        notes
    }
}

/// The exit code of a report with these failures, or the error when no app could be
/// fetched at all (with the kind of the first failure: a refused key stays exit 3).
/// `log`: each failure is also an error line on stderr (the formats without notes).
fn failures(no_rows: bool, failed: &[AppFailure], log: bool) -> Result<Exit, CliError> {
    if no_rows && let Some(first) = failed.first() {
        let kind = CliError::from(first.error.clone()).exit;
        return Err(CliError::new(
            kind,
            format!(
                "no app could be fetched ({} failed); first failure: {}: {}",
                failed.len(),
                crate::render::clean(&first.app),
                crate::render::clean(&first.error.to_string())
            ),
        ));
    }
    deadline_note(failed);
    if log {
        for failure in failed {
            tracing::error!(
                "{}: {}",
                crate::render::clean(&failure.app),
                crate::render::clean(&failure.error.to_string())
            );
        }
    }
    Ok(if failed.is_empty() {
        Exit::Ok
    } else {
        Exit::Runtime
    })
}

/// Says so when the run's `--deadline` stopped the report: how many apps it left out
/// (each is named among the failures).
fn deadline_note(failed: &[AppFailure]) {
    let stopped: Vec<&AppFailure> = failed.iter().filter(|f| f.error.is_deadline()).collect();
    let budget = stopped.iter().find_map(|f| match &f.error {
        tv_client::Error::DeadlineExceeded { budget, .. } => Some(*budget),
        _ => None,
    });
    if let Some(budget) = budget {
        tracing::warn!(
            "stopped at --deadline {}: a partial report, {} app(s) not fetched in time (listed as failed)",
            humantime::format_duration(budget),
            stopped.len()
        );
    }
}

/// The apps, order and count the flags ask for.
fn selection(args: &ReportArgs) -> Result<AppSelection, CliError> {
    let mut selection = AppSelection::new()
        .patterns(&args.apps)?
        .sort(args.sort.unwrap_or_default())
        .ascending(args.ascending);
    if let Some(top) = args.top {
        selection = selection.top(top as usize);
    }
    Ok(selection)
}

/// `no app matches `wbe-*`; did you mean `web-shop`?` (exit 4).
fn unmatched_pattern(pattern: &str, known: &[String]) -> CliError {
    let hint = closest_app(pattern, known)
        .map(|app| format!("; did you mean `{}`?", crate::render::clean(app)))
        .unwrap_or_else(|| "; `tv apps` lists the apps".into());
    let missing = Missing::Pattern(pattern.to_string());
    CliError::not_found(format!("{missing}{hint}"))
}

/// The app closest to a pattern: to its literal start (before the first `*`, `?` or
/// `[`) compared with as many characters of each app, or to the whole pattern.
fn closest_app<'a>(pattern: &str, known: &'a [String]) -> Option<&'a str> {
    let literal: String = pattern
        .chars()
        .take_while(|c| !matches!(c, '*' | '?' | '['))
        .collect();
    let length = literal.chars().count();
    if length > 0 && length < pattern.chars().count() {
        let starts: Vec<String> = known
            .iter()
            .map(|app| app.chars().take(length).collect())
            .collect();
        let start = crate::suggest::closest(&literal, starts.iter().map(String::as_str))?;
        return known
            .iter()
            .map(String::as_str)
            .find(|app| app.starts_with(start));
    }
    crate::suggest::closest(pattern, known.iter().map(String::as_str))
}

/// What the report keeps of a row while the others arrive: the row, and for the
/// formats that show a sparkline (table, Markdown) the sparkline in the trend's place
/// (CSV, JSON and NDJSON write every value of the trend).
struct TableRow {
    row: AppRow,
    sparkline: Option<Cell>,
}

impl TableRow {
    fn new(mut row: AppRow, format: Format) -> TableRow {
        let sparkline = matches!(format, Format::Table | Format::Markdown).then(|| {
            let cell = Cell::new(sparkline_width(&micros(&row.trend), SPARKLINE_WIDTH), "");
            row.trend = Trend::default();
            cell
        });
        TableRow { row, sparkline }
    }
}

impl AsRef<AppRow> for TableRow {
    fn as_ref(&self) -> &AppRow {
        &self.row
    }
}

fn micros(trend: &Trend) -> Vec<Option<f64>> {
    trend
        .iter()
        .map(|d| d.map(tv_client::wire_units::duration_to_micros))
        .collect()
}

/// The table of the rows. Only CSV writes machine values: the other formats' cells
/// keep what people read.
fn apps_table(window: TimeWindow, end: DateTime<Utc>, rows: &[TableRow], format: Format) -> Table {
    let shown = |cell: Cell| match format {
        Format::Csv => cell,
        _ => Cell {
            machine: String::new(),
            ..cell
        },
    };
    let mut body = Vec::with_capacity(rows.len());
    for TableRow { row, sparkline } in rows {
        let sparkline = sparkline.clone();
        let change_tone = change_tone(row.change_fraction);
        let error_tone = match row.error_rate {
            Some(r) if r > 0.05 => Tone::Bad,
            Some(r) if r > 0.01 => Tone::Warn,
            _ => Tone::Plain,
        };
        let trend =
            sparkline.unwrap_or_else(|| Cell::sparkline(&micros(&row.trend), SPARKLINE_WIDTH));
        body.push(vec![
            shown(Cell::text(&row.app)),
            shown(Cell::count(row.volume)),
            shown(Cell::duration(row.average)),
            shown(Cell::duration(row.latest)),
            shown(Cell::change(row.change_fraction).toned(change_tone)),
            shown(Cell::percent(row.error_rate).toned(error_tone)),
            shown(Cell::rate(row.requests_per_second)),
            shown(Cell::optional_text(row.top_layer.as_deref())),
            trend,
        ]);
    }
    Table {
        title: Some(format!(
            "Apps, last {window} until {}",
            end.format("%Y-%m-%d %H:%M UTC")
        )),
        columns: vec![
            column("app", "App", Align::Left).cut(Cut::Never),
            column("volume", "Traces", Align::Right),
            column("average_us", "Average", Align::Right),
            column("latest_us", "Latest", Align::Right).droppable(3),
            column("change_fraction", "Δ avg", Align::Right),
            column("error_rate", "Errors", Align::Right),
            column("requests_per_second", "Req/s", Align::Right).droppable(2),
            column("top_layer", "Most time in", Align::Left).droppable(1),
            column("trend_us", "Latency trend", Align::Left).cut(Cut::Start),
        ],
        rows: body,
    }
}

/// The sparkline's most characters.
const SPARKLINE_WIDTH: usize = 24;

fn progress_bar(total: u64, env: &Env) -> indicatif::ProgressBar {
    if !env.interactive {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} fetching apps {pos}/{len} {wide_bar}")
    {
        bar.set_style(style);
    }
    bar
}
