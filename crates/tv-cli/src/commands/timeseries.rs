//! `tv errors`, `tv requests`, `tv latency series|summary|by-layer`: each parses its
//! flags, calls one tv-client workflow and hands the typed result to the renderer.

use chrono::{DateTime, Utc};
use tv_client::workflow::{self, LatencyFilter};
use tv_client::{Series, TraceView};

use super::{Env, emit};
use crate::cli::{LatencyCommand, LatencyFilterArgs, ScopeArgs, ServerFilterArgs};
use crate::exit::{CliError, Exit};
use crate::filter_check::{self, ListedValues};
use crate::filters::{self, FilterValues};
use crate::render::Single;
use crate::suggest::app_error;
use range::{Span, SpanFlags, report_coverage};

mod outputs;
pub mod range;
pub use outputs::{
    ByLayerOutput, ErrorsOutput, History, LatencySeriesOutput, LatencySummaryOutput,
    RequestsOutput, RequestsSummaryOutput, SeriesContext, layer_table,
};

/// The end of a window: the one asked for, else the end of the last slice served.
fn end_of<P: tv_client::Point>(
    requested: Option<DateTime<Utc>>,
    series: &Series<P>,
) -> Option<DateTime<Utc>> {
    requested.or_else(|| series.span().map(|span| span.end))
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
    let filter = if args.client {
        LatencyFilter::Client(filters::client(args, now)?)
    } else {
        LatencyFilter::Server(filters::server(&args.server, now)?)
    };
    let history = match workflow::latency_history(tv, app, &filter, &span).await {
        Ok(history) => history,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    if history.summary.as_ref().is_none_or(|s| s.volume == 0) {
        filter_check::check(tv, app, &ListedValues::from(&filters::client(args, now)?)).await?;
    }
    let requested = span.end(filters::end(&args.server.scope.window, now)?);
    let output = LatencySeriesOutput {
        side: side(args.client).into(),
        context: SeriesContext {
            app: app.to_string(),
            window: span.window,
            end: end_of(requested, &history.series),
            filters: FilterValues::of_latency(args),
        },
        history,
        span: span.describe(),
    };
    report_coverage(output.history.coverage.as_ref(), env.render.format);
    emit(&output, env)
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
    let output = LatencySummaryOutput {
        side: side(args.client).into(),
        context: SeriesContext {
            app: app.to_string(),
            window,
            end: filters::end(&args.server.scope.window, now)?,
            filters: FilterValues::of_latency(args),
        },
        summary,
    };
    emit(
        &Single {
            value: output,
            table: LatencySummaryOutput::table,
        },
        env,
    )
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
    let report = match workflow::layer_report(tv, app, &filter, &span).await {
        Ok(report) => report,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    if report.layers.is_empty() {
        filter_check::check(tv, app, &ListedValues::from(&filter)).await?;
    }
    let output = ByLayerOutput {
        context: SeriesContext {
            app: app.to_string(),
            window: span.window,
            end: end_of(
                span.end(filters::end(&args.scope.window, now)?),
                &report.series,
            ),
            filters: FilterValues::of_server(args),
        },
        report,
        span: span.describe(),
    };
    report_coverage(output.report.coverage.as_ref(), env.render.format);
    emit(&output, env)
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
    let history = match workflow::error_history(tv, app, &filter, &span).await {
        Ok(history) => history,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    if history.estimate.as_ref().is_none_or(|e| e.volume == 0) {
        filter_check::check(tv, app, &ListedValues::from(&filter)).await?;
    }
    let output = ErrorsOutput {
        context: SeriesContext {
            app: app.to_string(),
            window: span.window,
            end: end_of(
                span.end(filters::end(&args.scope.window, now)?),
                &history.rates,
            ),
            filters: FilterValues::of_server(args),
        },
        coverage: history.coverage,
        estimate: history.estimate,
        series: history.rates,
        traffic: history.traffic,
        span: span.describe(),
    };
    report_coverage(output.coverage.as_ref(), env.render.format);
    emit(&output, env)
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
        let output = RequestsSummaryOutput {
            context: SeriesContext {
                app: app.to_string(),
                window,
                end: filters::end(&args.window, now)?,
                filters: FilterValues::of_scope(args),
            },
            summary,
        };
        let table = RequestsSummaryOutput::table;
        return emit(
            &Single {
                value: output,
                table,
            },
            env,
        );
    }
    let span = Span::of(&args.history, window, now)?;
    let history = match workflow::request_history(tv, app, &filter, &span).await {
        Ok(history) => history,
        Err(error) => return Err(app_error(tv, app, error).await),
    };
    if history.total_requests.unwrap_or(0) == 0 {
        filter_check::check(tv, app, &ListedValues::from(&filter)).await?;
    }
    let output = RequestsOutput {
        context: SeriesContext {
            app: app.to_string(),
            window: span.window,
            end: end_of(span.end(filters::end(&args.window, now)?), &history.series),
            filters: FilterValues::of_scope(args),
        },
        history,
        span: span.describe(),
    };
    report_coverage(output.history.coverage.as_ref(), env.render.format);
    emit(&output, env)
}
