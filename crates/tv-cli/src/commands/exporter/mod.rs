//! `tv exporter`: a Prometheus exporter on /metrics (the configured account) and
//! /probe?target=PROFILE (the profiles of the configuration file), run like the
//! Prometheus project's own: scrapes bounded by their deadline ([`scrape`]), a bounded
//! listener with a graceful stop ([`listen`]), TLS and basic auth from an
//! exporter-toolkit web configuration ([`web_config`]), health and readiness
//! endpoints and a landing page ([`routes`]), and pushes of every collection: OTLP
//! ([`push`]) and, with `--statsd`, statsd (UDP, never waited for).

mod listen;
mod push;
mod routes;
mod scrape;
mod tls_options;
mod waiting;
mod web_config;

use std::sync::Arc;

use tv_client::TraceView;
use tv_client::config::Overrides;

pub use listen::parse_listen;

use super::statsd::Statsd;
use crate::cli::ExporterArgs;
use crate::exit::{CliError, Exit};

/// Serves the metrics until SIGTERM or Ctrl-C.
pub async fn run(
    tv: &TraceView,
    args: &ExporterArgs,
    overrides: Overrides,
) -> Result<Exit, CliError> {
    let web = match &args.web_config_file {
        Some(path) => web_config::WebConfig::load(path)
            .map_err(|e| CliError::new(Exit::Config, format!("web configuration: {e}")))?,
        None => web_config::WebConfig {
            tls: None,
            users: None,
            headers: Vec::new(),
        },
    };
    let listener = listen::bind(&args.listen).await?;
    let address = listener.local_addr()?;
    let options = Arc::new(scrape::CollectOptions {
        apps: args.apps.clone(),
        concurrency: usize::from(args.concurrency),
        cache: args.cache,
        collect_timeout: args.collect_timeout,
        version: env!("CARGO_PKG_VERSION"),
    });
    let main = scrape::Collector::new(tv.clone(), Arc::clone(&options), "/metrics".to_owned());
    if let Some(target) = &args.statsd {
        let statsd = Statsd::connect(target, args.statsd_prefix.clone()).await?;
        let mut finished = main.subscribe();
        tokio::spawn(async move {
            while finished.changed().await.is_ok() {
                let collection = finished.borrow_and_update().clone();
                if let Some(collection) = collection {
                    statsd.push(&collection);
                }
            }
        });
    }
    // The first collection starts now: the first scrape and /-/ready need not wait.
    main.start();
    if let Some(endpoint) = &args.otlp_endpoint {
        if args.otlp_interval.is_zero() {
            return Err(CliError::usage("--otlp-interval must be longer than 0"));
        }
        let sender = tv_client::export::otlp::Sender::new(endpoint)
            .map_err(|e| CliError::usage(e.to_string()))?;
        push::start(Arc::clone(&main), sender, args.otlp_interval);
    }
    let scheme = if web.tls.is_some() { "https" } else { "http" };
    let routes = Arc::new(routes::Routes {
        main,
        probes: routes::Probes::new(overrides, options),
        deadline: routes::ScrapeDeadline {
            default: args.scrape_timeout,
            offset: args.scrape_timeout_offset,
        },
        users: web.users.map(Arc::new),
        tls: web.tls,
        headers: web.headers,
    });
    // The first line on stdout is the address (useful with port 0).
    println!("{scheme}://{address}/metrics");
    tracing::info!("serving Prometheus metrics on {scheme}://{address}/metrics");
    let limits = listen::Limits {
        max_connections: usize::from(args.max_connections),
        header_deadline: args.request_deadline,
    };
    Ok(listen::serve(listener, limits, routes).await)
}
