//! From command-line filter flags to tv-client's typed filters, and the check that
//! turns "no traffic" caused by a typo into an error with a suggestion.

use chrono::{DateTime, Utc};
use tv_client::{ClientFilter, RequestsFilter, ServerFilter, TraceView};

use crate::cli::{LatencyFilterArgs, ScopeArgs, ServerFilterArgs, WindowArgs};
use crate::exit::CliError;
use crate::suggest::unknown_filter_value;
use crate::timearg::parse_time;

/// The `--end` time, if given.
pub fn end(args: &WindowArgs, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, CliError> {
    args.end
        .as_deref()
        .map(|text| parse_time(text, now))
        .transpose()
}

/// Builds a filter of any of the three kinds from the shared flags (window, end,
/// domain, url, controller, action); the three filter types share these setters.
macro_rules! scoped {
    ($filter:expr, $args:expr, $now:expr) => {{
        let args: &ScopeArgs = $args;
        let mut filter = $filter.window(args.window.window);
        if let Some(end) = end(&args.window, $now)? {
            filter = filter.end(end);
        }
        if let Some(domain) = &args.domain {
            filter = filter.domain(domain);
        }
        if let Some(url) = &args.url {
            filter = filter.url(url);
        }
        if let Some(controller) = &args.controller {
            filter = filter.controller(controller);
        }
        if let Some(action) = &args.action {
            filter = filter.action(action);
        }
        filter
    }};
}

/// The filter of the total-requests endpoints.
pub fn requests(args: &ScopeArgs, now: DateTime<Utc>) -> Result<RequestsFilter, CliError> {
    Ok(scoped!(RequestsFilter::new(), args, now))
}

/// The filter of the server latency endpoints and the error rate.
pub fn server(args: &ServerFilterArgs, now: DateTime<Utc>) -> Result<ServerFilter, CliError> {
    let mut filter = scoped!(ServerFilter::new(), &args.scope, now);
    if let Some(layer) = &args.layer {
        filter = filter.layer(layer);
    }
    Ok(filter)
}

/// The filter of the client (RUM) latency endpoints.
pub fn client(args: &LatencyFilterArgs, now: DateTime<Utc>) -> Result<ClientFilter, CliError> {
    let mut filter = scoped!(ClientFilter::new(), &args.server.scope, now);
    if let Some(layer) = &args.server.layer {
        filter = filter.layer(layer);
    }
    if let Some(browser) = &args.browser {
        filter = filter.browser(browser);
    }
    if let Some(region) = &args.region {
        filter = filter.region(region);
    }
    Ok(filter)
}

/// The filter values of a request: printed with the output (JSON, every NDJSON
/// record) and checked by [`explain_empty`]. Absent filters are left out.
#[derive(Debug, Default, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct FilterValues {
    /// `--domain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `--url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `--controller`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    /// `--action`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `--layer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// `--browser`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    /// `--region`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl FilterValues {
    /// The values of the server filter flags.
    pub fn of_server(args: &ServerFilterArgs) -> Self {
        FilterValues {
            domain: args.scope.domain.clone(),
            url: args.scope.url.clone(),
            controller: args.scope.controller.clone(),
            action: args.scope.action.clone(),
            layer: args.layer.clone(),
            ..FilterValues::default()
        }
    }

    /// The values of the latency filter flags.
    pub fn of_latency(args: &LatencyFilterArgs) -> Self {
        FilterValues {
            browser: args.browser.clone(),
            region: args.region.clone(),
            ..Self::of_server(&args.server)
        }
    }

    /// The values of the request filter flags.
    pub fn of_scope(args: &ScopeArgs) -> Self {
        FilterValues {
            domain: args.domain.clone(),
            url: args.url.clone(),
            controller: args.controller.clone(),
            action: args.action.clone(),
            ..FilterValues::default()
        }
    }
}

/// When a filtered query found no traffic at all, checks each filter value against the
/// names the server knows, and fails on the first unknown one with a suggestion
/// (a typo should not look like a quiet app).
pub async fn explain_empty(
    tv: &TraceView,
    app: &str,
    values: &FilterValues,
) -> Result<(), CliError> {
    let discovery = tv.discovery();
    let checks: [(&str, &Option<String>, &str); 6] = [
        ("domain", &values.domain, "tv discover domains"),
        ("controller", &values.controller, "tv discover controllers"),
        ("action", &values.action, "tv discover actions"),
        ("layer", &values.layer, "tv layers APP"),
        ("browser", &values.browser, "tv discover browsers"),
        ("region", &values.region, "tv discover regions"),
    ];
    for (kind, value, list_command) in checks {
        let Some(value) = value else { continue };
        let known = match kind {
            "domain" => discovery.domains().await?,
            "controller" => discovery.controllers().await?,
            "action" => discovery.actions().await?,
            "layer" => discovery.layers(app, None).await?,
            "browser" => discovery.browsers().await?,
            _ => discovery.regions().await?,
        };
        if let Some(error) = unknown_filter_value(kind, value, &known, list_command) {
            return Err(error);
        }
    }
    Ok(())
}
