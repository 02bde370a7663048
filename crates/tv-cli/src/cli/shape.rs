//! The arguments that shape what the series and report commands show: a range of any
//! length and its step (`--since/--until/--step/--resample`), the report's `--sort`.

use clap::Args;

/// A range of any length and the step shown (series commands).
#[derive(Debug, Clone, Default, Args)]
pub struct HistoryArgs {
    /// Start of a range of any length, instead of --window/--end (ISO-8601, epoch seconds,
    /// `30d ago`: relative to the server's now, `30d`: back from --until); fetched window
    /// by window and stitched.
    #[arg(long, value_name = "TIME", conflicts_with_all = ["window", "end"])]
    pub since: Option<crate::timearg::TimeArg>,
    /// End of the --since range [default: the server's now, floored to the step].
    #[arg(long, value_name = "TIME", requires = "since")]
    pub until: Option<crate::timearg::TimeArg>,
    /// The API step the range is fetched at: 30s, 15m or 2h [default: the finest
    /// that needs at most 60 calls].
    #[arg(long, value_name = "DURATION", requires = "since", value_parser = humantime::parse_duration)]
    pub step: Option<std::time::Duration>,
    /// Resample to this coarser step, a multiple of the fetched one (`5m`, `1h`, `1d`):
    /// counts summed, latencies and error rates volume-weighted.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub resample: Option<std::time::Duration>,
}

impl HistoryArgs {
    /// Whether any of the flags is given.
    pub fn any(&self) -> bool {
        self.since.is_some() || self.step.is_some() || self.resample.is_some()
    }
}

/// `--sort` values: tv-client's sort keys, by name.
pub(super) fn sort_parser()
-> impl clap::builder::TypedValueParser<Value = tv_client::workflow::SortKey> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    use tv_client::workflow::SortKey;
    let values = SortKey::ALL.map(|k| {
        PossibleValue::new(k.as_str()).help(match k {
            SortKey::Volume => "Traces in the window",
            SortKey::Average => "Average latency",
            SortKey::Latest => "Latency of the latest slice",
            SortKey::Change => "Change of the average against the window before",
            SortKey::Errors => "Error rate",
            SortKey::Requests => "Requests per second",
        })
    });
    // The parser only lets the names through, so the fallback is never taken.
    PossibleValuesParser::new(values).map(|name| {
        SortKey::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
            .unwrap_or_default()
    })
}
