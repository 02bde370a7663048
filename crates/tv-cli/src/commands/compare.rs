//! `tv compare APP`: this window against an earlier one, overall and per layer, with a
//! `--fail-if-slower PCT` gate for CI.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use tv_client::math::{
    Comparison, Presence, Slowdown, WindowComparison, WindowSummary, compare_layers,
};
use tv_client::{ServerFilter, TimeWindow, TraceView};

use super::{Env, change_tone, column, emit, list_report, to_json};
use crate::cli::CompareArgs;
use crate::exit::{CliError, Exit};
use crate::filters;
use crate::render::{Align, Cell, Table, Tone};
use crate::suggest::app_error;

/// JSON of `tv compare`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CompareOutput {
    /// The app.
    pub app: String,
    /// The window size of both sides.
    pub window: TimeWindow,
    /// End of the current window.
    pub end: DateTime<Utc>,
    /// End of the window compared against.
    pub previous_end: DateTime<Utc>,
    /// The app overall and each layer.
    pub comparison: WindowComparison,
    /// The `--fail-if-slower` threshold in percent, if given.
    pub threshold_pct: Option<f64>,
    /// What got slower than the threshold (empty: the gate passes).
    pub slowdowns: Vec<Slowdown>,
}

/// One table row (overall or a layer), for NDJSON and CSV.
#[derive(Debug, Serialize)]
struct Row<'a> {
    layer: Option<&'a str>,
    presence: Presence,
    #[serde(flatten)]
    comparison: &'a Comparison,
}

/// `tv compare APP`.
pub async fn run(
    tv: &TraceView,
    args: &CompareArgs,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let app = args.app.as_str();
    let window = filters::window(args.window.window);
    let end = filters::end(&args.window, now)?.unwrap_or(now);
    let gap = args.against.unwrap_or(window.duration());
    let gap =
        chrono::Duration::from_std(gap).map_err(|_| CliError::usage("--against is too long"))?;
    let previous_end = end
        .checked_sub_signed(gap)
        .ok_or_else(|| CliError::usage("--against reaches before the epoch"))?;
    let current = ServerFilter::new().window(window).end(end);
    let previous = ServerFilter::new().window(window).end(previous_end);
    let latency = tv.latency();
    let fetched = futures::try_join!(
        latency.server_series(app, &current),
        latency.server_series(app, &previous),
        tv.errors().rate(app, &current),
        tv.errors().rate(app, &previous),
        latency.by_layer(app, &current),
        latency.by_layer(app, &previous),
    );
    let (now_series, then_series, now_rates, then_rates, now_layers, then_layers) = match fetched {
        Ok(all) => all,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    let comparison = WindowComparison {
        overall: Comparison::new(
            WindowSummary::of_app(&now_series, Some(&now_rates)),
            WindowSummary::of_app(&then_series, Some(&then_rates)),
        ),
        layers: compare_layers(&now_layers, &then_layers),
    };
    let slowdowns = args
        .fail_if_slower
        .map(|pct| comparison.slowdowns(pct))
        .unwrap_or_default();
    let table = compare_table(app, &comparison, window, end, previous_end);
    let mut rows = vec![Row {
        layer: None,
        presence: Presence::Both,
        comparison: &comparison.overall,
    }];
    rows.extend(comparison.layers.iter().map(|l| Row {
        layer: Some(&l.layer),
        presence: l.presence,
        comparison: &l.comparison,
    }));
    let output = CompareOutput {
        app: app.to_string(),
        window,
        end,
        previous_end,
        comparison: comparison.clone(),
        threshold_pct: args.fail_if_slower,
        slowdowns: slowdowns.clone(),
    };
    let mut report = list_report(to_json(&output)?, &rows, vec![table])?;
    report
        .notes
        .push("layer averages are per call; the app's is per trace".into());
    emit(&report, env)?;
    if let Some(threshold) = args.fail_if_slower
        && !slowdowns.is_empty()
    {
        let list: Vec<String> = slowdowns
            .iter()
            .map(|s| {
                format!(
                    "{} {:+.1}%",
                    s.layer.as_deref().unwrap_or(app),
                    s.average_change_pct
                )
            })
            .collect();
        eprintln!("slower than the allowed {threshold}%: {}", list.join(", "));
        return Ok(Exit::Regression);
    }
    Ok(Exit::Ok)
}

fn compare_table(
    app: &str,
    comparison: &WindowComparison,
    window: TimeWindow,
    end: DateTime<Utc>,
    previous_end: DateTime<Utc>,
) -> Table {
    let line = |name: &str, presence: Presence, c: &Comparison| {
        let change = c.average_change_pct.map(|p| p / 100.0);
        let tone = change_tone(change);
        let presence = match presence {
            Presence::Both => Cell::text(""),
            Presence::CurrentOnly => Cell::text("new").toned(Tone::Warn),
            Presence::PreviousOnly => Cell::text("gone").toned(Tone::Dim),
        };
        vec![
            Cell::text(name),
            Cell::duration(c.previous.average),
            Cell::duration(c.current.average),
            Cell::change(change).toned(tone),
            Cell::count(c.previous.volume),
            Cell::count(c.current.volume),
            Cell::change(c.volume_change_pct.map(|p| p / 100.0)),
            Cell::change(c.error_rate_delta),
            presence,
        ]
    };
    let mut rows = vec![line(
        &format!("{app} (per trace)"),
        Presence::Both,
        &comparison.overall,
    )];
    rows.extend(
        comparison
            .layers
            .iter()
            .map(|l| line(&l.layer, l.presence, &l.comparison)),
    );
    let format = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    Table {
        title: Some(format!(
            "{app}: the {window} until {} against the {window} until {} UTC",
            format(end),
            format(previous_end)
        )),
        columns: vec![
            column("layer", "Layer", Align::Left),
            column("previous_average_us", "Avg before", Align::Right),
            column("current_average_us", "Avg now", Align::Right),
            column("average_change", "Δ avg", Align::Right),
            column("previous_volume", "Volume before", Align::Right),
            column("current_volume", "Volume now", Align::Right),
            column("volume_change", "Δ volume", Align::Right),
            column("error_rate_delta", "Δ errors", Align::Right),
            column("presence", "", Align::Left),
        ],
        rows,
    }
}
