//! `tv exporter`: a Prometheus exporter on /metrics.
//!
//! A scrape reuses the numbers of the last collection from TraceView while they are
//! younger than `--cache`; otherwise it collects anew (`--concurrency` apps at a time)
//! while later scrapes wait for that one collection instead of starting their own.
//! With `--statsd`, each collection's values are also pushed to statsd (UDP, no waiting).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::{Request, Response, StatusCode, header};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tv_client::TraceView;
use tv_client::export::collect::collect;
use tv_client::export::prometheus::{Exporter, Format};

use super::statsd::Statsd;
use crate::cli::ExporterArgs;
use crate::exit::{CliError, Exit};

/// How long a scraper may take to send a request's headers.
const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

struct State {
    tv: TraceView,
    apps: Vec<String>,
    concurrency: usize,
    cache: std::time::Duration,
    exporter: Exporter,
    /// When the cached numbers were collected; held during a collection and an
    /// encoding, so scrapes never see a half-updated registry.
    collected: Mutex<Option<Instant>>,
    /// Where each collection's values are also pushed (`--statsd`).
    statsd: Option<Statsd>,
}

/// Serves /metrics until interrupted.
pub async fn run(tv: &TraceView, args: &ExporterArgs) -> Result<Exit, CliError> {
    let listener = TcpListener::bind(args.listen).await.map_err(|e| {
        CliError::new(
            Exit::Runtime,
            format!("cannot listen on {}: {e}", args.listen),
        )
    })?;
    let address = listener.local_addr()?;
    let statsd = match &args.statsd {
        Some(target) => Some(Statsd::connect(target, args.statsd_prefix.clone()).await?),
        None => None,
    };
    let state = Arc::new(State {
        tv: tv.clone(),
        apps: args.apps.clone(),
        concurrency: usize::from(args.concurrency),
        cache: args.cache,
        exporter: Exporter::new(),
        collected: Mutex::new(None),
        statsd,
    });
    // The first line on stdout is the address (useful with port 0).
    println!("http://{address}/metrics");
    tracing::info!("serving Prometheus metrics on http://{address}/metrics");
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let state = Arc::clone(&state);
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |request| {
                            let state = Arc::clone(&state);
                            async move { Ok::<_, Infallible>(answer(&state, request).await) }
                        });
                        let _ = http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(HEADER_READ_TIMEOUT)
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            _ = tokio::signal::ctrl_c() => return Ok(Exit::Ok),
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response
}

async fn answer(state: &State, request: Request<Incoming>) -> Response<Body> {
    match (request.method(), request.uri().path()) {
        (&hyper::Method::GET, "/metrics") => {}
        (&hyper::Method::GET, "/") => {
            return plain(
                StatusCode::OK,
                "tv exporter: TraceView metrics on /metrics\n",
            );
        }
        (_, "/metrics") => return plain(StatusCode::METHOD_NOT_ALLOWED, "GET only\n"),
        _ => return plain(StatusCode::NOT_FOUND, "not found; try /metrics\n"),
    }
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let format = Format::negotiate(accept);
    let mut collected = state.collected.lock().await;
    let fresh = collected.is_some_and(|at| at.elapsed() < state.cache);
    if !fresh {
        let collection = collect(&state.tv, &state.apps, state.concurrency).await;
        for (app, error) in &collection.failures {
            match app {
                Some(app) => tracing::warn!("{}: {error}", app.escape_debug()),
                None => tracing::warn!("listing the apps: {error}"),
            }
        }
        state.exporter.update(&collection);
        if let Some(statsd) = &state.statsd {
            statsd.push(&collection);
        }
        *collected = Some(Instant::now());
    }
    let age = collected.map(|at| at.elapsed()).unwrap_or_default();
    state.exporter.set_cache_age(age);
    let body = state.exporter.encode(format);
    drop(collected);
    match body {
        Ok(text) => {
            let mut response = Response::new(Body::from(text));
            if let Ok(value) = header::HeaderValue::from_str(format.content_type()) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        Err(_) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot encode the metrics\n",
        ),
    }
}
