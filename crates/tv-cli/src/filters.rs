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
    let end = args
        .end
        .as_deref()
        .map(|text| parse_time(text, now))
        .transpose()?;
    if let Some(end) = end {
        tv_client::range::check_end("--end", end).map_err(|e| CliError::usage(e.to_string()))?;
    }
    Ok(end)
}

/// The conversions from the filter flags to tv-client's filters and to the printed
/// [`FilterValues`], from tv-client's (tv-api's) one table of filter parameters; `$d`
/// is a `$` passed in, for the inner macro's own variables.
macro_rules! filter_conversions {
    (($d:tt)
     scope: [$(($s:ident, $sdoc:literal)),* $(,)?],
     server: [$(($v:ident, $vget:ident, $vdoc:literal)),* $(,)?],
     client: [$(($c:ident, $cget:ident, $cdoc:literal)),* $(,)?] $(,)?) => {
        /// Builds a filter of any of the three kinds from the shared flags (window, end
        /// and the scope's filters); the three filter types share these setters.
        macro_rules! scoped {
            ($d filter:expr, $d args:expr, $d now:expr) => {{
                let args: &ScopeArgs = $d args;
                let mut filter = $d filter.window(args.window.window);
                if let Some(end) = end(&args.window, $d now)? {
                    filter = filter.end(end);
                }
                $(if let Some(value) = &args.$s {
                    filter = filter.$s(value);
                })*
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
            $(if let Some(value) = &args.$v {
                filter = filter.$v(value);
            })*
            Ok(filter)
        }

        /// The filter of the client (RUM) latency endpoints.
        pub fn client(args: &LatencyFilterArgs, now: DateTime<Utc>) -> Result<ClientFilter, CliError> {
            let mut filter = scoped!(ClientFilter::new(), &args.server.scope, now);
            $(if let Some(value) = &args.server.$v {
                filter = filter.$v(value);
            })*
            $(if let Some(value) = &args.$c {
                filter = filter.$c(value);
            })*
            Ok(filter)
        }

        /// The filter values of a request: printed with the output (JSON, every NDJSON
        /// record) and checked by [`explain_empty`]. Absent filters are left out.
        #[derive(Debug, Default, Clone, serde::Serialize, schemars::JsonSchema)]
        pub struct FilterValues {
            $(#[doc = concat!("`--", stringify!($s), "`.")]
            #[serde(skip_serializing_if = "Option::is_none")]
            pub $s: Option<String>,)*
            $(#[doc = concat!("`--", stringify!($v), "`.")]
            #[serde(skip_serializing_if = "Option::is_none")]
            pub $v: Option<String>,)*
            $(#[doc = concat!("`--", stringify!($c), "`.")]
            #[serde(skip_serializing_if = "Option::is_none")]
            pub $c: Option<String>,)*
        }

        impl FilterValues {
            /// The values of the server filter flags.
            pub fn of_server(args: &ServerFilterArgs) -> Self {
                FilterValues {
                    $($v: args.$v.clone(),)*
                    ..Self::of_scope(&args.scope)
                }
            }

            /// The values of the latency filter flags.
            pub fn of_latency(args: &LatencyFilterArgs) -> Self {
                FilterValues {
                    $($c: args.$c.clone(),)*
                    ..Self::of_server(&args.server)
                }
            }

            /// The values of the request filter flags.
            pub fn of_scope(args: &ScopeArgs) -> Self {
                FilterValues {
                    $($s: args.$s.clone(),)*
                    ..FilterValues::default()
                }
            }
        }
    };
}

tv_client::filter::filter_table!(filter_conversions! { ($) });

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
