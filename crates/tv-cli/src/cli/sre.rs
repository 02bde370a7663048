//! Arguments of the SRE commands: `tv check`, `tv exporter`, `tv export`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

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
    /// Bound the whole plugin run to SECONDS (1 to 3600) [default: the global
    /// --timeout, else 10]; past it, one line with the --timeout-state.
    #[arg(short = 't', value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub plugin_timeout: Option<u64>,
    /// The state reported when the run times out.
    #[arg(long, value_name = "STATE", default_value = "unknown", value_parser = ["ok", "warning", "critical", "unknown"])]
    pub timeout_state: String,
}

const CHECK_HELP: &str = "\
Metrics (thresholds in the perfdata unit):
  latency     average request latency over the window, ms
  latest      latency of the most recent minute (hour window), ms
  error-rate  share of traces with an error, %
  traffic     traces in the window / traces in the window before (a drop is < 1)
  stale       minutes since the last slice with traces

Ranges (Monitoring Plugins syntax): 10 (alert outside 0..10), 10: (below 10),
~:10 (above 10), 10:20 (outside 10..20), @10:20 (inside 10..20, ends included).

`stale` looks back as far as it takes (through the day and week windows): no
traces in the whole week is CRITICAL (more than 10080 min) whatever the
thresholds. It is measured against the server's clock (its Date header); slices
that end in the future or outside the window before that clock are UNKNOWN.

The whole run is bounded by -t SECONDS (or, in tv check, the global --timeout;
default 10 s), so the monitoring engine gets a line before its own timeout:
`TRACEVIEW UNKNOWN - no answer within 10s (-t)` (--timeout-state picks the state).

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
}

/// `tv export …`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// History in the OpenMetrics text format, with timestamps, for
    /// `promtool tsdb create-blocks-from openmetrics`.
    Openmetrics(ExportArgs),
}

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
