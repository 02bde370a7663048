//! Arguments of the SRE commands: `tv check`, `tv exporter`, `tv export`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use tv_client::export::graphite::{DEFAULT_PREFIX, Prefix};

use super::window_parser;

/// `tv check`: a Monitoring Plugins check.
#[derive(Debug, Args)]
#[command(after_help = CHECK_HELP)]
pub struct CheckArgs {
    /// The app.
    pub app: String,
    /// Only traces through this layer.
    #[arg(long)]
    pub layer: Option<String>,
    /// The window the metrics are computed over.
    #[arg(long, default_value = "hour", value_parser = window_parser())]
    pub window: tv_client::TimeWindow,
    /// METRIC=RANGE: WARNING when the metric is an alert of the range (repeatable).
    #[arg(long, short = 'w', value_name = "METRIC=RANGE")]
    pub warning: Vec<String>,
    /// METRIC=RANGE: CRITICAL when the metric is an alert of the range (repeatable).
    #[arg(long, short = 'c', value_name = "METRIC=RANGE")]
    pub critical: Vec<String>,
    /// Also report a metric without thresholds (repeatable).
    #[arg(long, short = 'm', value_name = "METRIC")]
    pub metric: Vec<String>,
}

const CHECK_HELP: &str = "\
Metrics (thresholds in the perfdata unit):
  latency     average request latency over the window, ms
  latest      latency of the most recent slice, ms
  error-rate  share of traces with an error, %
  traffic     traces in the window / traces in the window before (a drop is < 1)
  stale       minutes since the last slice with traces

Ranges (Monitoring Plugins syntax): 10 (alert outside 0..10), 10: (below 10),
~:10 (above 10), 10:20 (outside 10..20), @10:20 (inside 10..20, ends included).

Exit codes (plugin convention, not tv's): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
Every failure to get data (server down, bad key, unknown app, bad arguments) is
UNKNOWN. The one output line goes to stdout.

Example: tv check web-shop -w latency=500 -c latency=1000 -c error-rate=5 -w traffic=0.5:";

/// `tv exporter`: a Prometheus exporter.
#[derive(Debug, Args)]
pub struct ExporterArgs {
    /// Address to serve /metrics on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
    pub listen: SocketAddr,
    /// Only these apps (repeatable) [default: every app].
    #[arg(long = "app", value_name = "APP")]
    pub apps: Vec<String>,
    /// How long TraceView's answers are reused before scrapes fetch them again.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = humantime::parse_duration)]
    pub cache: std::time::Duration,
    /// How many apps to query at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// After each collection, also push the values to this statsd server (UDP).
    #[arg(long, value_name = "HOST:PORT")]
    pub statsd: Option<String>,
    /// The first components of the statsd names.
    #[arg(long, value_name = "PREFIX", default_value = DEFAULT_PREFIX, requires = "statsd")]
    pub statsd_prefix: Prefix,
}

/// `tv export …`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// History in the OpenMetrics text format, with timestamps, for
    /// `promtool tsdb create-blocks-from openmetrics`.
    Openmetrics(ExportArgs),
    /// History as carbon plaintext (`path value timestamp`) for Graphite, to a file,
    /// stdout or a carbon server.
    #[command(after_help = GRAPHITE_HELP)]
    Graphite(GraphiteArgs),
}

/// `tv export graphite`.
#[derive(Debug, Args)]
pub struct GraphiteArgs {
    /// The apps, the range and `--out`, as for `tv export openmetrics`.
    #[command(flatten)]
    pub range: ExportArgs,
    /// The first components of every path.
    #[arg(long, value_name = "PREFIX", default_value = DEFAULT_PREFIX)]
    pub prefix: Prefix,
    /// Send the lines to this carbon server's plaintext receiver (TCP) instead of
    /// writing them.
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "out")]
    pub to: Option<String>,
}

const GRAPHITE_HELP: &str = "\
Paths: PREFIX.APP.LEAF, LEAF being the OpenMetrics name without traceview_
(request_latency_average_seconds, traced_requests_per_second, error_ratio,
requests_per_second). Each line carries the start of its slice as timestamp.

Names: ASCII letters, digits, - and _ stay; every other character (dots, spaces,
slashes, control characters, non-ASCII) becomes _; at most 200 characters. Two
apps that become the same component are refused (exit 2).

--to: connecting may take 10 s and sending 60 s, else exit 1.

Example: tv export graphite web-shop --since 30d --to graphite.example:2003";

/// `tv export openmetrics`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The apps.
    #[arg(required = true)]
    pub apps: Vec<String>,
    /// Start: a span back from --until (`30d`, `12h`) or a time (ISO-8601, epoch, `2d ago`).
    #[arg(long, value_name = "SPAN|TIME", default_value = "1d")]
    pub since: String,
    /// End: `now` (the server's now) or a time.
    #[arg(long, value_name = "TIME", default_value = "now")]
    pub until: String,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
