//! Arguments of the SRE commands: `tv compare`, `tv check`, `tv exporter`, `tv export`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use tv_client::export::graphite::{DEFAULT_PREFIX, Prefix};

use super::{WindowArgs, window_parser};

/// `tv compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The app.
    pub app: String,
    /// The window options.
    #[command(flatten)]
    pub window: WindowArgs,
    /// Compare with the window this long before (e.g. `1w` for the same hour last week;
    /// at least one window, so the two do not overlap) [default: the window just before].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub against: Option<std::time::Duration>,
    /// Compare the window before an annotation (its id, or `latest` for the app's newest)
    /// with the window after it: a deploy check.
    #[arg(long, value_name = "ID|latest", conflicts_with_all = ["against", "end"])]
    pub around: Option<String>,
    /// With --around: windows of DURATION before and after the annotation instead of
    /// whole windows (e.g. `15m` soon after a deploy), cut from the window's slices: a
    /// multiple of its step (30s for hour) and at most the window.
    #[arg(long, value_name = "DURATION", requires = "around", value_parser = humantime::parse_duration)]
    pub span: Option<std::time::Duration>,
    /// Wait, at most MAX (up to 2h), until the window after the annotation (or ending at
    /// --end) is over by the server's clock, with progress on stderr; refused at once when
    /// it ends later than MAX from now [default: an unfinished window is refused, exit 2].
    #[arg(long, value_name = "MAX", value_parser = wait_bound)]
    pub wait: Option<std::time::Duration>,
    /// Exit with code 5 when the app's request latency, or a layer that carries
    /// --min-share of the time, is slower by more than PCT percent (and by --min-delta).
    #[arg(long, value_name = "PCT", allow_negative_numbers = true)]
    pub fail_if_slower: Option<f64>,
    /// Exit with code 5 when the app's error rate rose by more than PP percentage points
    /// (not measured without traces in a window: no rate, not 0 %).
    #[arg(long, value_name = "PP", allow_negative_numbers = true)]
    pub fail_if_errors: Option<f64>,
    /// Exit with code 5 when the app's traced requests fell by more than PCT percent
    /// [default with --fail-if-slower or --fail-if-errors: 50].
    #[arg(long, value_name = "PCT", allow_negative_numbers = true)]
    pub fail_if_traffic_drops: Option<f64>,
    /// A latency trips the gate only when it also grew by more than this.
    #[arg(long, value_name = "DURATION", default_value = "5ms", value_parser = humantime::parse_duration)]
    pub min_delta: std::time::Duration,
    /// A layer counts only with at least PCT percent of the request time.
    #[arg(
        long,
        value_name = "PCT",
        default_value_t = 20.0,
        allow_negative_numbers = true
    )]
    pub min_share: f64,
    /// A layer counts only with at least N calls in each window.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub min_calls: u64,
    /// With --fail-if-slower, a layer left out by --min-share or --min-calls still trips
    /// the gate when its time per call grew more than X times (0: off).
    #[arg(
        long,
        value_name = "X",
        default_value_t = tv_client::workflow::DEFAULT_SEVERE_LAYER_FACTOR,
        allow_negative_numbers = true
    )]
    pub severe_layer_factor: f64,
    /// The calls a layer needs in each window for --severe-layer-factor.
    #[arg(long, value_name = "N", default_value_t = tv_client::workflow::DEFAULT_SEVERE_MIN_CALLS)]
    pub severe_min_calls: u64,
}

/// The longest `tv compare --wait`.
pub const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(2 * 3600);

/// `--wait MAX`: a duration up to [`MAX_WAIT`].
fn wait_bound(text: &str) -> Result<std::time::Duration, String> {
    let wait = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if wait > MAX_WAIT {
        return Err("at most 2h".into());
    }
    Ok(wait)
}

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
    /// End of the window: ISO-8601, epoch seconds, or relative like `2h ago`
    /// [default: now]. Checks that past moment (`stale` is measured at it); a window
    /// not over yet by the server's clock is UNKNOWN.
    #[arg(long, value_name = "TIME")]
    pub end: Option<crate::timearg::TimeArg>,
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
    /// --deadline, else the global --timeout, else 10]; past it, one line with the
    /// --timeout-state.
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

--end TIME checks a past moment (the grammar of every --end: `2h ago`,
2024-01-03T11:00:00Z, epoch seconds): the window ends then and `stale` is
measured at it. An end after the server's now is UNKNOWN (`the hour ending … is
not over yet`), as tv compare refuses it.

An app without traffic has no error rate and no latency: `error-rate` and
`latency` are UNKNOWN for it (never a 0 % that reads as OK); `traffic` and
`stale` are the metrics that judge vanished traffic.

The whole run is bounded by -t SECONDS (or, in tv check, the global --deadline,
else --timeout; default 10 s), so the monitoring engine gets a line before its own timeout:
`TRACEVIEW UNKNOWN - no answer within 10s (-t)` (--timeout-state picks the state).

Exit codes (plugin convention, not tv's): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
Every failure to get data (server down, bad key, unknown app, bad arguments) is
UNKNOWN. The one output line goes to stdout.

Example: tv check web-shop -w latency=500 -c latency=1000 -c error-rate=5 -w traffic=0.5:";

/// `tv exporter`: a Prometheus exporter.
#[derive(Debug, Args)]
#[command(after_help = EXPORTER_HELP)]
pub struct ExporterArgs {
    /// Address to serve on: HOST:PORT, localhost:PORT, or :PORT for every interface.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_EXPORTER_LISTEN, value_parser = crate::commands::parse_listen)]
    pub listen: String,
    /// Only these apps (repeatable) [default: every app].
    #[arg(long = "app", value_name = "APP")]
    pub apps: Vec<String>,
    /// How long TraceView's answers are reused before scrapes fetch them again.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = humantime::parse_duration)]
    pub cache: std::time::Duration,
    /// How many apps to query at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// A scrape's deadline when the scraper does not send X-Prometheus-Scrape-Timeout-Seconds.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = humantime::parse_duration)]
    pub scrape_timeout: std::time::Duration,
    /// Taken off the scraper's timeout so the answer arrives before it gives up.
    #[arg(long, value_name = "DURATION", default_value = "500ms", value_parser = humantime::parse_duration)]
    pub scrape_timeout_offset: std::time::Duration,
    /// How long one collection from TraceView may take before it is given up.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = humantime::parse_duration)]
    pub collect_timeout: std::time::Duration,
    /// Open connections at most (lowered to what the descriptor limit allows); at the
    /// cap the oldest connection that has sent no request yet is closed for a new one.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_connections: u16,
    /// The time a client has to send a request's headers.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = humantime::parse_duration)]
    pub request_deadline: std::time::Duration,
    /// TLS and basic auth, in the Prometheus exporter-toolkit web configuration format.
    #[arg(long = "web.config.file", value_name = "FILE")]
    pub web_config_file: Option<PathBuf>,
    /// After each collection, also push the values to this statsd server (UDP).
    #[arg(long, value_name = "HOST:PORT")]
    pub statsd: Option<String>,
    /// The first components of the statsd names.
    #[arg(long, value_name = "PREFIX", default_value = DEFAULT_PREFIX, requires = "statsd")]
    pub statsd_prefix: Prefix,
    /// Also push every collection as OTLP metrics to this OTLP/HTTP receiver
    /// (e.g. http://collector:4318).
    #[arg(long, value_name = "URL")]
    pub otlp_endpoint: Option<String>,
    /// With --otlp-endpoint: collect (and push) at least this often.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = humantime::parse_duration)]
    pub otlp_interval: std::time::Duration,
}

/// The default address of `tv exporter`: loopback, on a port outside the Prometheus
/// wiki's default port allocations (9100-9999, all taken) and clear of 9464 (the
/// OpenTelemetry Prometheus exporter).
pub const DEFAULT_EXPORTER_LISTEN: &str = "127.0.0.1:10464";

const EXPORTER_HELP: &str = "\
Endpoints:
  /metrics                the account of the command line (key, URL or --profile)
  /probe?target=PROFILE   one profile of the configuration file (multi-target)
  /-/healthy, /-/ready    health; ready once the first collection has finished
  /                       a landing page

A scrape waits for a collection at most until its deadline (the scraper's
X-Prometheus-Scrape-Timeout-Seconds less --scrape-timeout-offset); past it the scrape
gets the last numbers at once, with traceview_up 0 and traceview_cache_age_seconds.
SIGTERM and Ctrl-C stop gracefully. The first line on stdout is the /metrics URL.";

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
    /// History as OpenTelemetry (OTLP/HTTP protobuf) metrics, each point at its slice's
    /// time, and the apps' annotations as log records.
    #[command(after_help = OTLP_HELP)]
    Otlp(OtlpArgs),
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

/// `tv export otlp`.
#[derive(Debug, Args)]
pub struct OtlpArgs {
    /// The apps, the range and --out (the metrics request, protobuf, instead of sending).
    #[command(flatten)]
    pub export: ExportArgs,
    /// The OTLP/HTTP receiver, e.g. http://collector:4318 (/v1/metrics, /v1/logs added).
    #[arg(long, value_name = "URL", required_unless_present = "out")]
    pub endpoint: Option<String>,
}

const OTLP_HELP: &str = "\
The same names, values and timestamps as `tv export openmetrics` (units in UCUM: s, 1,
{request}/s), with an `app` attribute; annotations are log records with `app` and
`message` attributes. An OpenTelemetry Collector takes them on its otlp receiver
(protocols: http, port 4318).";

/// `tv export openmetrics`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The apps.
    #[arg(required = true)]
    pub apps: Vec<String>,
    /// Start: a span back from --until (`30d`, `12h`) or a time (ISO-8601, epoch, `2d ago`).
    #[arg(long, value_name = "SPAN|TIME", default_value = "1d")]
    pub since: crate::timearg::TimeArg,
    /// End: `now` (the server's now) or a time.
    #[arg(long, value_name = "TIME", default_value = "now")]
    pub until: crate::timearg::TimeArg,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
