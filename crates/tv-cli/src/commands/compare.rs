//! `tv compare APP`: this window against an earlier one (or around an annotation),
//! overall and per layer, with the CI gate of tv-client's workflow.

use std::io;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tv_client::TraceView;
use tv_client::math::{Comparison, Presence};
use tv_client::units::format_duration;
use tv_client::workflow::{self, Baseline, CompareRequest, CompareResult, GateRules, Now};

use super::{Env, change_tone, column, emit};
use crate::cli::CompareArgs;
use crate::exit::{CliError, Exit};
use crate::filters;
use crate::render::{Align, Cell, Format, Json, Output, Rows, Table, Tone, value_of, with_fields};
use crate::suggest::app_error;

/// One table row (overall or a layer), for NDJSON and CSV.
#[derive(Debug, Serialize)]
struct Row<'a> {
    layer: Option<&'a str>,
    presence: Presence,
    #[serde(flatten)]
    comparison: &'a Comparison,
}

/// The gate's rules from the flags; refused (exit 2) before anything is fetched when a
/// threshold is NaN, infinite, negative or absurd.
pub fn rules(args: &CompareArgs) -> Result<GateRules, CliError> {
    let slower = args
        .fail_if_slower
        .map(|v| PERCENT.fraction("--fail-if-slower", v, 10_000.0));
    let errors = args
        .fail_if_errors
        .map(|v| POINTS.fraction("--fail-if-errors", v, 100.0));
    let traffic = args
        .fail_if_traffic_drops
        .map(|v| PERCENT.fraction("--fail-if-traffic-drops", v, 100.0));
    let rules = GateRules {
        max_slowdown_fraction: slower.transpose()?,
        min_delta: args.min_delta,
        min_share_fraction: PERCENT.fraction("--min-share", args.min_share, 100.0)?,
        min_calls: args.min_calls,
        severe_layer_factor: severe_factor(args.severe_layer_factor)?,
        severe_min_calls: args.severe_min_calls,
        max_error_increase_fraction: errors.transpose()?,
        max_traffic_drop_fraction: match traffic.transpose()? {
            Some(fraction) => Some(fraction),
            None => traffic_drop(args),
        },
    };
    rules
        .validate()
        .map_err(|e| CliError::usage(e.to_string()))?;
    Ok(rules)
}

/// `--severe-layer-factor X`: 0 turns the rule off; otherwise a factor of 1..=1000.
fn severe_factor(value: f64) -> Result<Option<f64>, CliError> {
    match value {
        0.0 => Ok(None),
        v if v.is_finite() && (1.0..=1000.0).contains(&v) => Ok(Some(v)),
        v => Err(CliError::usage(format!(
            "--severe-layer-factor takes a factor from 1 to 1000, or 0 for off (got {v})"
        ))),
    }
}

/// The default traffic rule when another gate flag is given without
/// `--fail-if-traffic-drops` (a gate must not pass when the traffic vanishes).
fn traffic_drop(args: &CompareArgs) -> Option<f64> {
    (args.fail_if_slower.is_some() || args.fail_if_errors.is_some())
        .then_some(tv_client::workflow::DEFAULT_MAX_TRAFFIC_DROP)
}

/// The unit a threshold flag is given in (the library takes fractions).
struct FlagUnit(&'static str);

const PERCENT: FlagUnit = FlagUnit("a percentage");
const POINTS: FlagUnit = FlagUnit("percentage points");

impl FlagUnit {
    /// `value` (in this unit, 0..=`max`) as a fraction; otherwise a usage error in the
    /// flag's own unit, so no message speaks of fractions for a flag given in percent.
    fn fraction(&self, flag: &str, value: f64, max: f64) -> Result<f64, CliError> {
        if value.is_finite() && (0.0..=max).contains(&value) {
            Ok(value / 100.0)
        } else {
            Err(CliError::usage(format!(
                "{flag} takes {} from 0 to {max} (got {value})",
                self.0
            )))
        }
    }
}

fn baseline(args: &CompareArgs) -> Result<Baseline, CliError> {
    if let Some(around) = &args.around {
        return match around.trim() {
            "latest" => Ok(Baseline::AroundLatest),
            id => id.parse().map(Baseline::Around).map_err(|_| {
                CliError::usage(format!(
                    "--around takes an annotation id or `latest` (got `{}`)",
                    crate::render::clean(id)
                ))
            }),
        };
    }
    Ok(args
        .against
        .map_or(Baseline::WindowBefore, Baseline::Earlier))
}

/// `tv compare APP`.
pub async fn run(
    tv: &TraceView,
    args: &CompareArgs,
    env: &Env,
    now: &Now,
    reference: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let app = args.app.as_str();
    let mut request = CompareRequest::new(app)
        .window(args.window.window)
        .baseline(baseline(args)?)
        .rules(rules(args)?);
    request.end = filters::end(&args.window, reference)?;
    request.span = args.span;
    if let Some(span) = args.span {
        workflow::check_span(args.window.window, span)?;
    }
    let fresh;
    let now = match args.wait {
        Some(bound) => {
            wait_until_over(tv, &request, bound).await?;
            fresh = Now::server(tv);
            &fresh
        }
        None => now,
    };
    let result = match workflow::compare(tv, now, &request).await {
        Ok(result) => result,
        Err(error) => return Err(compare_error(tv, app, error).await),
    };
    emit(&CompareOutput(&result), env)?;
    let verdict = &result.verdict;
    if super::compare_gate::exit_of(verdict) == Exit::Ok {
        return Ok(Exit::Ok);
    }
    let ci = std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true");
    if verdict.tripped.is_empty() {
        let line = format!(
            "no traces of `{}` in either window: nothing to judge",
            crate::render::clean(app)
        );
        eprintln!("gate: {line}");
        if ci {
            eprintln!("::error title=tv compare gate::{}", workflow_escape(&line));
        }
        return Ok(Exit::NoData);
    }
    for trip in &verdict.tripped {
        eprintln!("gate tripped: {}", trip.message);
        if ci {
            eprintln!(
                "::error title=tv compare gate ({})::{}",
                crate::render::clean(app),
                workflow_escape(&trip.message)
            );
        }
    }
    Ok(Exit::Regression)
}

/// `tv compare`'s output: the workflow's result, as every format shows it.
struct CompareOutput<'a>(&'a CompareResult);

impl Output for CompareOutput<'_> {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(self.0)
    }

    /// One record a row (the app overall, then each layer) with what it compares.
    fn records(&self) -> Rows<'_> {
        let result = self.0;
        let context = serde_json::json!({
            "app": result.app, "window": result.window, "end": result.end,
            "previous_end": result.previous_end, "filters": {},
        });
        let comparison = &result.comparison;
        let overall = Row {
            layer: None,
            presence: Presence::Both,
            comparison: &comparison.overall,
        };
        let layers = comparison.layers.iter().map(|l| Row {
            layer: Some(&l.layer),
            presence: l.presence,
            comparison: &l.comparison,
        });
        let rows = std::iter::once(overall).chain(layers);
        Box::new(rows.map(move |row| with_fields(&context, value_of(&row)?)))
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        let mut tables = vec![compare_table(self.0)];
        tables.extend(super::compare_gate::gate_table(self.0));
        Ok(tables)
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = vec!["layer averages are per call; the app's is per trace".into()];
        if self.0.verdict.active {
            let rules = &self.0.verdict.rules;
            notes.push(format!(
                "a latency rule trips only when also more than {} slower (--min-delta); a \
                 layer counts with its --min-share of the request time and --min-calls \
                 calls in each window, or at --severe-layer-factor with \
                 --severe-min-calls calls",
                format_duration(rules.min_delta)
            ));
        }
        notes
    }
}

async fn compare_error(tv: &TraceView, app: &str, error: tv_client::Error) -> CliError {
    match error {
        error @ tv_client::Error::InvalidArgument { .. } => error.into(),
        error => app_error(tv, app, error).await,
    }
}

/// `--wait MAX`: asks the server's now (afresh each time) until the current window is
/// over, at most `bound`, saying on stderr what it waits for. A window that ends more
/// than `bound` after the server's now is refused at once; one still unfinished when
/// the bound is reached is refused then (both exit 2, like an unfinished window without
/// `--wait`).
async fn wait_until_over(
    tv: &TraceView,
    request: &CompareRequest,
    bound: std::time::Duration,
) -> Result<(), CliError> {
    /// How often the server's now is asked again while waiting.
    const POLL: std::time::Duration = std::time::Duration::from_secs(30);
    let started = std::time::Instant::now();
    let bound_text = humantime::format_duration(bound);
    let mut first = true;
    loop {
        let now = Now::server(tv);
        let windows = match workflow::windows(tv, &now, request).await {
            Ok(windows) => windows,
            Err(error) => return Err(compare_error(tv, &request.app, error).await),
        };
        let (Some(remaining), Some(unfinished)) =
            (windows.remaining(), windows.unfinished(request.window))
        else {
            return Ok(());
        };
        let left = bound.saturating_sub(started.elapsed());
        if remaining > left {
            let when = if first {
                "ends later than"
            } else {
                "was not over within"
            };
            return Err(CliError::usage(format!(
                "{unfinished}; it {when} --wait {bound_text}"
            )));
        }
        let what = match &windows.around {
            Some(note) => format!(
                "the {} after annotation {}",
                workflow::span_name(request.window, windows.span),
                note.id
            ),
            None => format!("the {} ending then", request.window),
        };
        let to_go = std::time::Duration::from_secs(remaining.as_secs());
        eprintln!(
            "waiting for {what} to be over at {} ({} to go by the server's clock, at most {} \
             more)",
            windows.current.end.format("%Y-%m-%d %H:%M:%S UTC"),
            humantime::format_duration(to_go),
            humantime::format_duration(std::time::Duration::from_secs(left.as_secs())),
        );
        first = false;
        tokio::time::sleep(
            remaining
                .clamp(std::time::Duration::from_secs(1), POLL)
                .min(left),
        )
        .await;
    }
}

/// A GitHub workflow command's message: `%`, CR and LF escaped as the runner expects.
fn workflow_escape(text: &str) -> String {
    crate::render::clean(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn compare_table(result: &CompareResult) -> Table {
    // `layer` is the layer's name, `null` (an empty CSV field) for the whole trace.
    let line = |layer: Cell, presence: Presence, c: &Comparison| {
        let change = c.average_change_fraction;
        let tone = change_tone(change);
        let (human, presence_tone) = match presence {
            Presence::Both => ("", Tone::Plain),
            Presence::CurrentOnly => ("new", Tone::Warn),
            Presence::PreviousOnly => ("gone", Tone::Dim),
        };
        let presence = Cell::serialized(&presence, human).toned(presence_tone);
        vec![
            layer,
            Cell::duration(c.previous.average),
            Cell::duration(c.current.average),
            Cell::change(change).toned(tone),
            Cell::count(c.previous.volume),
            Cell::count(c.current.volume),
            Cell::change(c.volume_change_fraction),
            Cell::points(c.error_rate_delta),
            presence,
        ]
    };
    let comparison = &result.comparison;
    let app = result.app.as_str();
    let mut rows = vec![line(
        Cell::new(format!("{app} (per trace)"), ""),
        Presence::Both,
        &comparison.overall,
    )];
    rows.extend(
        comparison
            .layers
            .iter()
            .map(|l| line(Cell::text(&l.layer), l.presence, &l.comparison)),
    );
    let format = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    let window = workflow::span_name(result.window, result.span);
    let title = match &result.around {
        Some(note) => format!(
            "{app}: the {window} after annotation {} ({}) against the {window} before",
            note.id,
            format(note.time)
        ),
        None => format!(
            "{app}: the {window} until {} against the {window} until {} UTC",
            format(result.end),
            format(result.previous_end)
        ),
    };
    Table {
        title: Some(title),
        columns: vec![
            column("layer", "Layer", Align::Left),
            column("previous.average_us", "Avg before", Align::Right),
            column("current.average_us", "Avg now", Align::Right),
            column("average_change_fraction", "Δ avg", Align::Right),
            // On a narrow terminal the volumes go first, their change last.
            column("previous.volume", "Volume before", Align::Right).droppable(3),
            column("current.volume", "Volume now", Align::Right).droppable(2),
            column("volume_change_fraction", "Δ volume", Align::Right).droppable(1),
            column("error_rate_delta", "Δ errors", Align::Right),
            column("presence", "", Align::Left),
        ],
        rows,
    }
}
