//! From command-line filter flags to tv-client's typed filters.

use chrono::{DateTime, Utc};
use tv_client::{ClientFilter, RequestsFilter, ServerFilter};

use crate::cli::{LatencyFilterArgs, ScopeArgs, ServerFilterArgs, WindowArgs};
use crate::exit::CliError;

/// The `--end` time, if given.
pub fn end(args: &WindowArgs, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, CliError> {
    let end = args.end.map(|end| end.at(now)).transpose()?;
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
        /// record). Absent filters are left out.
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
