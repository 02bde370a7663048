//! `tv report`: one row per app, fetched concurrently by tv-client's workflow.

use chrono::{DateTime, Utc};
use tv_client::workflow::{self, AppRow, AppSelection, AppsReport, Now};
use tv_client::{Concurrency, TimeWindow, TraceView};

use super::{Env, change_tone, column, emit, report_json};
use crate::cli::ReportArgs;
use crate::exit::{CliError, Exit};
use crate::filters;
use crate::render::{Align, Cell, Cut, Format, Report, Table, Tone, sparkline_width};

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
    let apps = match selection.select(known.clone()) {
        Ok(apps) => apps,
        Err(tv_client::Error::NotFound(message)) => {
            return Err(unmatched_pattern(&selection, &known, &message));
        }
        Err(error) => return Err(error.into()),
    };
    let end = now
        .resolve(apps.first().map(String::as_str), requested)
        .await?;
    let progress = progress_bar(apps.len() as u64, env);
    let concurrency = args
        .concurrency
        .map_or_else(Concurrency::adaptive, |n| Concurrency::Fixed(n.into()));
    let results = workflow::report_stream(tv, apps, window, end, concurrency);
    let mut output =
        workflow::collect(window, end, results, &selection, |_| progress.inc(1)).await?;
    progress.finish_and_clear();
    if output.apps.is_empty()
        && let Some(first) = output.failed.first()
    {
        return Err(CliError::new(
            Exit::Runtime,
            format!(
                "no app could be fetched ({} failed); first failure: {}: {}",
                output.failed.len(),
                crate::render::clean(&first.app),
                crate::render::clean(&first.error)
            ),
        ));
    }
    for failure in &output.failed {
        tracing::error!(
            "{}: {}",
            crate::render::clean(&failure.app),
            crate::render::clean(&failure.error)
        );
    }
    let exit = if output.failed.is_empty() {
        Exit::Ok
    } else {
        Exit::Runtime
    };
    // Only what the format prints is built: the JSON row by row from the compact rows,
    // the table (whose cells replace the rows as they are made) only for the formats
    // that print one (sparklines and formatted cells cost ~6 % of a 200-app report's CPU).
    let format = env.render.format;
    if let Format::Json | Format::Ndjson = format {
        let context = serde_json::json!({"window": window, "end": end, "filters": {}});
        report_json::emit(&output, &context, format)?;
        return Ok(exit);
    }
    let rows = std::mem::take(&mut output.apps);
    let mut report = Report::default().with_table(apps_table(&output, rows, format));
    report
        .notes
        .push("Δ avg: against the window before; errors are approximate (rate × volume)".into());
    for failure in &output.failed {
        report.notes.push(format!(
            "{}: not fetched: {}",
            crate::render::clean(&failure.app),
            crate::render::clean(&failure.error)
        ));
    }
    emit(&report, env)?;
    Ok(exit)
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
fn unmatched_pattern(selection: &AppSelection, known: &[String], message: &str) -> CliError {
    let unmatched = selection
        .pattern_texts()
        .into_iter()
        .find(|p| message.contains(&format!("`{p}`")));
    let hint = unmatched
        .and_then(|p| closest_app(p, known))
        .map(|app| format!("; did you mean `{}`?", crate::render::clean(app)))
        .unwrap_or_else(|| "; `tv apps` lists the apps".into());
    CliError::not_found(format!("{}{hint}", crate::render::clean(message)))
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

/// The table of the rows (of `report`, taken out of it). Only CSV writes the trend's
/// values: the other formats keep just its sparkline.
fn apps_table(report: &AppsReport, rows: Vec<AppRow>, format: Format) -> Table {
    let (window, end): (TimeWindow, DateTime<Utc>) = (report.window, report.end);
    let trend = |row: &AppRow| -> Cell {
        let micros: Vec<Option<f64>> = row
            .trend
            .iter()
            .map(|d| d.map(tv_client::wire_units::duration_to_micros))
            .collect();
        match format {
            Format::Csv => Cell::sparkline(&micros, SPARKLINE_WIDTH),
            _ => Cell::new(sparkline_width(&micros, SPARKLINE_WIDTH), ""),
        }
    };
    let body = rows
        .into_iter()
        .map(|row| {
            let change_tone = change_tone(row.change_fraction);
            let error_tone = match row.error_rate {
                Some(r) if r > 0.05 => Tone::Bad,
                Some(r) if r > 0.01 => Tone::Warn,
                _ => Tone::Plain,
            };
            let trend = trend(&row);
            vec![
                Cell::text(row.app),
                Cell::count(row.volume),
                Cell::duration(row.average),
                Cell::duration(row.latest),
                Cell::change(row.change_fraction).toned(change_tone),
                Cell::percent(row.error_rate).toned(error_tone),
                Cell::rate(row.requests_per_second),
                Cell::optional_text(row.top_layer.as_deref()),
                trend,
            ]
        })
        .collect();
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
