//! Arguments of `tv watch`.

use clap::Args;

/// `tv watch [APP…]`.
#[derive(Debug, Args)]
#[command(after_help = WATCH_HELP)]
pub struct WatchArgs {
    /// The apps to watch, one row each [default: all]; one app alone shows its layers.
    #[arg(value_name = "APP")]
    pub apps: Vec<String>,
    /// Stop after N refreshes [default: until q or Ctrl-C].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub count: Option<u32>,
    /// Refresh every DURATION (at least 1s) instead of as each 30 s slice completes.
    #[arg(long, value_name = "DURATION", value_parser = interval)]
    pub interval: Option<std::time::Duration>,
}

const WATCH_HELP: &str = "\
On a terminal: a live view of the last hour (volume, average latency, error rate or
layer share, a sparkline of the latency per 30 s slice), refreshed just after each
slice completes; what changed since the refresh before is marked (↑ ↓, in bold with
colors). q, Esc or Ctrl-C quits and restores the terminal. A failed refresh is shown on
the last line and retried after 5 s.

Elsewhere (piped, or -o json/ndjson): one JSON record per refresh on stdout
({\"end\", \"app\", \"rows\": [{\"name\", \"kind\", \"volume\", \"average_us\",
\"error_rate\", \"share\", \"trend_us\"}], \"failed\"}); failures go to stderr and
are retried.

Examples:
  tv watch                      all apps
  tv watch web-shop             web-shop and its layers
  tv watch --count 1 | jq .     one record, for scripts";

fn interval(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d >= std::time::Duration::from_secs(1) => Ok(d),
        Ok(_) => Err("must be at least 1s".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}
