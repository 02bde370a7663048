//! The window and filter flags shared by the timeseries commands (`--window`, `--end`,
//! `--domain`, `--url`, …, `--client` with `--browser`/`--region`).

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use tv_client::filter::{
    ClientParams, FilterGroup, FilterParam, FilterParams, RequestsParams, ServerParams,
};

use super::HistoryArgs;

/// The window of a timeseries.
#[derive(Debug, Clone, Args)]
pub struct WindowArgs {
    /// How far back: hour (30 s steps), day (15 min), week (2 h).
    #[arg(long, short = 'w', default_value = "hour", value_parser = window_parser())]
    pub window: tv_client::TimeWindow,
    /// End of the window: ISO-8601, epoch seconds, or relative like `2h ago` [default: now].
    #[arg(long, value_name = "TIME")]
    pub end: Option<crate::timearg::TimeArg>,
}

/// `--window` values: tv-client's (the spec's) windows, by their wire names.
pub(crate) fn window_parser() -> impl clap::builder::TypedValueParser<Value = tv_client::TimeWindow>
{
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    use tv_client::TimeWindow;
    let values = TimeWindow::ALL.map(|w| {
        PossibleValue::new(w.as_str()).help(match w {
            TimeWindow::Hour => "The last hour",
            TimeWindow::Day => "The last day",
            TimeWindow::Week => "The last week",
        })
    });
    // The parser only lets the three names through, so the fallback is never taken.
    PossibleValuesParser::new(values).map(|name| {
        TimeWindow::ALL
            .into_iter()
            .find(|w| w.as_str() == name)
            .unwrap_or_default()
    })
}

/// Filters of the total-requests endpoints.
#[derive(Debug, Clone, Args)]
pub struct ScopeArgs {
    /// The window options.
    #[command(flatten)]
    pub window: WindowArgs,
    /// The range options (`--since`, `--until`, `--step`, `--resample`).
    #[command(flatten)]
    pub history: HistoryArgs,
    /// `--domain`, `--url`, `--controller`, `--action`.
    #[command(flatten)]
    pub filters: FilterFlags<RequestsParams>,
}

/// Filters of the server latency endpoints and the error rate.
#[derive(Debug, Clone, Args)]
pub struct ServerFilterArgs {
    /// The scope options.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// `--layer`.
    #[command(flatten)]
    pub filters: FilterFlags<ServerParams>,
}

/// Filters of the latency series and summary, server or client side.
#[derive(Debug, Clone, Args)]
pub struct LatencyFilterArgs {
    /// The server options.
    #[command(flatten)]
    pub server: ServerFilterArgs,
    /// Client-side (real-user monitoring) latency instead of server-side.
    #[arg(long)]
    pub client: bool,
    /// `--browser`, `--region` (they need `--client`).
    #[command(flatten)]
    pub filters: FilterFlags<ClientParams>,
}

impl ScopeArgs {
    /// The values of the filter flags.
    pub fn params(&self) -> RequestsParams {
        self.filters.0.clone()
    }
}

impl ServerFilterArgs {
    /// The values of the filter flags (the scope's and `--layer`).
    pub fn params(&self) -> ServerParams {
        let mut params = self.filters.0.clone();
        params.merge(&self.scope.params());
        params
    }
}

impl LatencyFilterArgs {
    /// The values of the filter flags (the server's and the client-side ones).
    pub fn params(&self) -> ClientParams {
        let mut params = self.filters.0.clone();
        params.merge(&self.server.params());
        params
    }
}

/// The flags of the filters one family adds to its parent's
/// ([`FilterGroup::own_params`]: `--domain`, `--url`, `--controller`, `--action` for
/// total requests, `--layer` for the server side, `--browser` and `--region` for the
/// client side), built from tv-api's table of filters (generated from the spec), with
/// their values in the family's plain struct.
#[derive(Debug, Clone, Default)]
pub struct FilterFlags<P>(pub P);

impl<P: FilterParams> FilterFlags<P> {
    /// The flags' help: the spec's line without its final period (as clap prints doc
    /// comments), plus what the client-side ones need.
    fn help(param: FilterParam) -> String {
        let help = param.help().trim_end_matches('.');
        match P::GROUP {
            FilterGroup::Client => format!("{help}. Needs --client"),
            FilterGroup::Requests | FilterGroup::Server => help.to_owned(),
        }
    }
}

impl<P: FilterParams> Args for FilterFlags<P> {
    fn augment_args(mut command: Command) -> Command {
        for &param in P::GROUP.own_params() {
            let mut arg = Arg::new(param.name())
                .long(param.name())
                .value_name(param.name().to_uppercase())
                .action(ArgAction::Set)
                .help(Self::help(param));
            if P::GROUP == FilterGroup::Client {
                arg = arg.requires("client");
            }
            command = command.arg(arg);
        }
        command
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

impl<P: FilterParams> FromArgMatches for FilterFlags<P> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = FilterFlags(P::default());
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for &param in P::GROUP.own_params() {
            if let Some(value) = matches.try_get_one::<String>(param.name()).ok().flatten()
                && let Some(slot) = self.0.slot(param)
            {
                *slot = Some(value.clone());
            }
        }
        Ok(())
    }
}
