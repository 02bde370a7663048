//! The window and filter flags shared by the timeseries commands (`--window`, `--end`,
//! `--domain`, `--url`, …, `--client` with `--browser`/`--region`).

use clap::Args;

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

/// The filter flags, from tv-client's (tv-api's) one table of filter parameters.
macro_rules! filter_args {
    (scope: [$(($s:ident, $sdoc:literal)),* $(,)?],
     server: [$(($v:ident, $vget:ident, $vdoc:literal)),* $(,)?],
     client: [$(($c:ident, $cget:ident, $cdoc:literal)),* $(,)?] $(,)?) => {
        /// Filters of the total-requests endpoints.
        #[derive(Debug, Clone, Args)]
        pub struct ScopeArgs {
            /// The window options.
            #[command(flatten)]
            pub window: WindowArgs,
            /// The range options (`--since`, `--until`, `--step`, `--resample`).
            #[command(flatten)]
            pub history: HistoryArgs,
            $(#[doc = $sdoc]
            #[arg(long)]
            pub $s: Option<String>,)*
        }

        /// Filters of the server latency endpoints and the error rate.
        #[derive(Debug, Clone, Args)]
        pub struct ServerFilterArgs {
            /// The scope options.
            #[command(flatten)]
            pub scope: ScopeArgs,
            $(#[doc = $vdoc]
            #[arg(long)]
            pub $v: Option<String>,)*
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
            $(#[doc = concat!($cdoc, " Needs --client.")]
            #[arg(long, requires = "client")]
            pub $c: Option<String>,)*
        }
    };
}

tv_client::filter::filter_table!(filter_args! {});
