//! `tv errors`, `tv requests`, `tv latency series|summary|by-layer`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tv_client::math::{self, LayerBreakdown};
use tv_client::{Series, TraceView};

use super::{Env, column, emit, list_report, single_report, to_json, with_context};
use crate::cli::{LatencyCommand, LatencyFilterArgs, ScopeArgs, ServerFilterArgs};
use crate::exit::{CliError, Exit};
use crate::filter_check::{self, ListedValues};
use crate::filters::{self, FilterValues};
use crate::render::{Align, Cell, Report, Table};
use crate::suggest::app_error;
use range::{Span, SpanFlags, report_coverage};

mod outputs;
pub mod range;
pub use outputs::{
    ByLayerOutput, ErrorsOutput, LatencySeriesOutput, LatencySummaryOutput, RequestsOutput,
    RequestsSummaryOutput, SeriesContext,
};

/// The end of a window: the one asked for, else the end of the last slice served.
fn end_of<P: tv_client::Point>(
    requested: Option<DateTime<Utc>>,
    series: &Series<P>,
) -> Option<DateTime<Utc>> {
    requested.or_else(|| series.span().map(|span| span.end))
}

/// NDJSON lines of `rows`, each with the app, window, end and filters (and the
/// coverage of a `--since` range).
fn lines<T: Serialize>(
    context: &SeriesContext,
    rows: &[T],
) -> Result<Vec<serde_json::Value>, CliError> {
    with_context(&to_json(context)?, rows)
}

fn side(client: bool) -> &'static str {
    if client { "client" } else { "server" }
}

/// `tv latency …`.
pub async fn latency(
    tv: &TraceView,
    command: LatencyCommand,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    match command {
        LatencyCommand::Series { app, filter } => latency_series(tv, &app, &filter, env, now).await,
        LatencyCommand::Summary { app, filter } => {
            latency_summary(tv, &app, &filter, env, now).await
        }
        LatencyCommand::ByLayer { app, filter } => by_layer(tv, &app, &filter, env, now).await,
    }
}

async fn latency_series(
    tv: &TraceView,
    app: &str,
    args: &LatencyFilterArgs,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let span = Span::of(
        &args.server.scope.history,
        args.server.scope.window.window,
        now,
    )?;
    let window = span.window;
    let latency = tv.latency();
    let fetched = if args.client {
        let filter = filters::client(args, now)?;
        span.fetch(
            &filter,
            |f| async move { latency.client_series(app, &f).await },
        )
        .await
    } else {
        let filter = filters::server(&args.server, now)?;
        span.fetch(
            &filter,
            |f| async move { latency.server_series(app, &f).await },
        )
        .await
    };
    let (series, coverage) = match fetched {
        Ok(fetched) => fetched,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    let series = span.resampled(series)?;
    let summary = math::summarize_latency(&series);
    if summary.volume == 0 {
        filter_check::check(tv, app, &ListedValues::from(&filters::client(args, now)?)).await?;
    }
    let rows = series
        .iter()
        .map(|p| {
            vec![
                Cell::slice(p.at, window),
                Cell::number(p.volume as f64),
                Cell::duration(p.average),
            ]
        })
        .collect();
    let table = Table {
        title: Some(format!(
            "{} latency of {app}, {}",
            side(args.client),
            span.describe()
        )),
        columns: vec![
            column("at", "Time", Align::Left),
            column("volume", "Traces", Align::Right),
            column("average_us", "Average", Align::Right),
        ],
        rows,
    };
    let requested = span.end(filters::end(&args.server.scope.window, now)?);
    let output = LatencySeriesOutput {
        side: side(args.client).into(),
        context: SeriesContext {
            app: app.to_string(),
            window,
            end: end_of(requested, &series),
            filters: FilterValues::of_latency(args),
            coverage,
        },
        summary,
        series,
    };
    let points = lines(&output.context, output.series.points())?;
    report_coverage(output.context.coverage.as_ref(), env.render.format);
    emit(&list_report(to_json(&output)?, &points, vec![table])?, env)
}

async fn latency_summary(
    tv: &TraceView,
    app: &str,
    args: &LatencyFilterArgs,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    Span::refuse(&args.server.scope.history, "latency summary")?;
    let window = args.server.scope.window.window;
    let summary = if args.client {
        tv.latency()
            .client_summary(app, &filters::client(args, now)?)
            .await
    } else {
        tv.latency()
            .server_summary(app, &filters::server(&args.server, now)?)
            .await
    };
    let summary = match summary {
        Ok(summary) => summary,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    if summary.count == 0 {
        filter_check::check(tv, app, &ListedValues::from(&filters::client(args, now)?)).await?;
    }
    let table = Table {
        title: None,
        columns: vec![
            column("app", "App", Align::Left),
            column("summary.count", "Traces", Align::Right),
            column("summary.average_us", "Average", Align::Right),
            column("summary.latest_us", "Latest", Align::Right),
        ],
        rows: vec![vec![
            Cell::text(app),
            Cell::number(summary.count as f64),
            Cell::duration(summary.average),
            Cell::duration(summary.latest),
        ]],
    };
    let output = LatencySummaryOutput {
        side: side(args.client).into(),
        context: SeriesContext {
            app: app.to_string(),
            window,
            end: filters::end(&args.server.scope.window, now)?,
            filters: FilterValues::of_latency(args),
            coverage: None,
        },
        summary,
    };
    let json = to_json(&output)?;
    emit(&single_report(json, table), env)
}

/// The by-layer table (shared with `tv report APP`).
pub fn layer_table(title: Option<String>, layers: &[LayerBreakdown]) -> Table {
    let rows = layers
        .iter()
        .map(|l| {
            vec![
                Cell::text(&l.layer),
                Cell::number(l.calls as f64),
                Cell::duration(l.per_call),
                Cell::duration(l.per_request),
                Cell::percent(l.share),
            ]
        })
        .collect();
    Table {
        title,
        columns: vec![
            column("layer", "Layer", Align::Left),
            column("calls", "Calls", Align::Right),
            column("per_call_us", "Per call", Align::Right),
            column("per_request_us", "Per request", Align::Right),
            column("share", "Share of time", Align::Right),
        ],
        rows,
    }
}

async fn by_layer(
    tv: &TraceView,
    app: &str,
    args: &ServerFilterArgs,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let span = Span::of(&args.scope.history, args.scope.window.window, now)?;
    if span.resample.is_some() {
        return Err(CliError::usage(
            "--resample needs a series; `latency by-layer` shows totals per layer",
        ));
    }
    let filter = filters::server(args, now)?.window(span.window);
    let window = span.window;
    let latency = tv.latency();
    let layers = async {
        match span.range {
            Some(range) => latency.by_layer_history(app, &filter, range).await,
            None => latency.by_layer(app, &filter).await,
        }
    };
    let fetched = futures::try_join!(
        layers,
        span.fetch(
            &filter,
            |f| async move { latency.server_series(app, &f).await }
        )
    );
    let (layers, (series, coverage)) = match fetched {
        Ok(both) => both,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    if layers.is_empty() {
        filter_check::check(tv, app, &ListedValues::from(&filter)).await?;
    }
    let breakdown = math::layer_breakdown(&layers, Some(&series));
    let title = format!("Layers of {app}, {}", span.describe());
    let table = layer_table(Some(title), &breakdown);
    let output = ByLayerOutput {
        context: SeriesContext {
            app: app.to_string(),
            window,
            end: end_of(span.end(filters::end(&args.scope.window, now)?), &series),
            filters: FilterValues::of_server(args),
            coverage,
        },
        requests: math::total_volume(&series),
        layers: breakdown,
    };
    let rows = lines(&output.context, &output.layers)?;
    report_coverage(output.context.coverage.as_ref(), env.render.format);
    let report = list_report(to_json(&output)?, &rows, vec![table])?;
    emit(
        &Report {
            notes: vec![
                "per request = layer time ÷ requests of the server series in the same slices"
                    .into(),
            ],
            ..report
        },
        env,
    )
}

/// `tv errors APP`.
pub async fn errors(
    tv: &TraceView,
    app: &str,
    args: &ServerFilterArgs,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let span = Span::of(&args.scope.history, args.scope.window.window, now)?;
    let filter = filters::server(args, now)?;
    let window = span.window;
    let history = match tv_client::workflow::error_history(tv, app, &filter, &span).await {
        Ok(history) => history,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    let (rates, coverage, estimate) = (history.rates, history.coverage, history.estimate);
    if estimate.volume == 0 {
        filter_check::check(tv, app, &ListedValues::from(&filter)).await?;
    }
    let rows = rates
        .iter()
        .map(|p| vec![Cell::slice(p.at, window), Cell::percent(p.rate)])
        .collect();
    let table = Table {
        title: Some(format!("Error rate of {app}, {}", span.describe())),
        columns: vec![
            column("at", "Time", Align::Left),
            column("rate", "Error rate", Align::Right),
        ],
        rows,
    };
    let output = ErrorsOutput {
        context: SeriesContext {
            app: app.to_string(),
            window,
            end: end_of(span.end(filters::end(&args.scope.window, now)?), &rates),
            filters: FilterValues::of_server(args),
            coverage,
        },
        estimate,
        series: rates,
    };
    let points = lines(&output.context, output.series.points())?;
    report_coverage(output.context.coverage.as_ref(), env.render.format);
    let mut report = list_report(to_json(&output)?, &points, vec![table])?;
    report.notes.push(format!(
        "overall {} of {} traces ≈ {} errors (approximate: rate × volume)",
        output
            .estimate
            .rate
            .map(|r| tv_client::units::format_percent(r * 100.0))
            .unwrap_or_else(|| "-".into()),
        output.estimate.volume,
        output.estimate.errors.get()
    ));
    emit(&report, env)
}

/// `tv requests APP [--summary]`.
pub async fn requests(
    tv: &TraceView,
    app: &str,
    summary: bool,
    args: &ScopeArgs,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let filter = filters::requests(args, now)?;
    let window = filter.scope().window;
    if summary {
        Span::refuse(&args.history, "requests --summary")?;
        let summary = match tv.requests().summary(app, &filter).await {
            Ok(summary) => summary,
            Err(error) => return Err(app_error(tv, app, error).await),
        };
        if summary.total_requests == 0 {
            filter_check::check(tv, app, &ListedValues::from(&filter)).await?;
        }
        let table = Table {
            title: None,
            columns: vec![
                column("app", "App", Align::Left),
                column("summary.total_requests", "Requests", Align::Right),
                column("summary.per_second", "Per second", Align::Right),
            ],
            rows: vec![vec![
                Cell::text(app),
                Cell::number(summary.total_requests as f64),
                summary
                    .per_second
                    .map(Cell::number)
                    // Only the server's words, which CSV leaves to the JSON.
                    .unwrap_or_else(|| Cell::new(&summary.rate_text, "")),
            ]],
        };
        let output = RequestsSummaryOutput {
            context: SeriesContext {
                app: app.to_string(),
                window,
                end: filters::end(&args.window, now)?,
                filters: FilterValues::of_scope(args),
                coverage: None,
            },
            summary,
        };
        let json = to_json(&output)?;
        return emit(&single_report(json, table), env);
    }
    let span = Span::of(&args.history, window, now)?;
    let window = span.window;
    let requests = tv.requests();
    let fetched = span
        .fetch(&filter, |f| async move { requests.series(app, &f).await })
        .await;
    let (series, coverage) = match fetched {
        Ok(fetched) => fetched,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    let series = span.resampled(series)?;
    let total = math::total_requests(&series);
    if total == 0 {
        filter_check::check(tv, app, &ListedValues::from(&filter)).await?;
    }
    let rows = series
        .iter()
        .map(|p| vec![Cell::slice(p.at, window), Cell::number(p.requests as f64)])
        .collect();
    let table = Table {
        title: Some(format!("Requests to {app}, {}", span.describe())),
        columns: vec![
            column("at", "Time", Align::Left),
            column("requests", "Requests", Align::Right),
        ],
        rows,
    };
    let output = RequestsOutput {
        context: SeriesContext {
            app: app.to_string(),
            window,
            end: end_of(span.end(filters::end(&args.window, now)?), &series),
            filters: FilterValues::of_scope(args),
            coverage,
        },
        total_requests: total,
        requests_per_second: math::requests_per_second(&series),
        series,
    };
    let points = lines(&output.context, output.series.points())?;
    report_coverage(output.context.coverage.as_ref(), env.render.format);
    emit(&list_report(to_json(&output)?, &points, vec![table])?, env)
}
