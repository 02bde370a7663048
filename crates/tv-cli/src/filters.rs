//! From command-line filter flags to tv-client's typed filters.

use chrono::{DateTime, Utc};
use tv_client::filter::{ClientParams, Filter, FilterParams};
use tv_client::{ClientFilter, RequestsFilter, ServerFilter};

use crate::cli::{LatencyFilterArgs, ScopeArgs, ServerFilterArgs, WindowArgs};
use crate::exit::CliError;

/// The `--end` time, if given.
pub fn end(args: &WindowArgs, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, CliError> {
    end_at(args.end, now)
}

/// An `--end` flag (of any command) at the server's `now`, refused before the API's
/// range.
pub fn end_at(
    end: Option<crate::timearg::TimeArg>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, CliError> {
    let end = end.map(|end| end.at(now)).transpose()?;
    if let Some(end) = end {
        tv_client::range::check_end("--end", end).map_err(|e| CliError::usage(e.to_string()))?;
    }
    Ok(end)
}

/// A filter of any family from the window flags and the family's values.
fn filter<P: FilterParams>(
    window: &WindowArgs,
    params: P,
    now: DateTime<Utc>,
) -> Result<Filter<P>, CliError> {
    let mut filter = Filter::new().window(window.window).with_params(params);
    if let Some(end) = end(window, now)? {
        filter = filter.end(end);
    }
    Ok(filter)
}

/// The filter of the total-requests endpoints.
pub fn requests(args: &ScopeArgs, now: DateTime<Utc>) -> Result<RequestsFilter, CliError> {
    filter(&args.window, args.params(), now)
}

/// The filter of the server latency endpoints and the error rate.
pub fn server(args: &ServerFilterArgs, now: DateTime<Utc>) -> Result<ServerFilter, CliError> {
    filter(&args.scope.window, args.params(), now)
}

/// The filter of the client (RUM) latency endpoints.
pub fn client(args: &LatencyFilterArgs, now: DateTime<Utc>) -> Result<ClientFilter, CliError> {
    filter(&args.server.scope.window, args.params(), now)
}

/// The filter values of a request: printed with the output (JSON, every NDJSON
/// record), every filter of the spec by name. Absent filters are left out.
#[derive(Debug, Default, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct FilterValues(pub ClientParams);

impl FilterValues {
    fn of(params: &impl FilterParams) -> Self {
        let mut values = ClientParams::default();
        values.merge(params);
        FilterValues(values)
    }

    /// The values of the request filter flags.
    pub fn of_scope(args: &ScopeArgs) -> Self {
        Self::of(&args.params())
    }

    /// The values of the server filter flags.
    pub fn of_server(args: &ServerFilterArgs) -> Self {
        Self::of(&args.params())
    }

    /// The values of the latency filter flags.
    pub fn of_latency(args: &LatencyFilterArgs) -> Self {
        Self::of(&args.params())
    }
}
