//! The command-line interface, declared with clap. `cargo xtask man` and
//! `tv completions` are generated from [`command`].

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::timearg::TimeArg;

mod schema_target;
mod shape;
pub use schema_target::SchemaTarget;
mod sre;
pub use sre::{
    CheckArgs, CompareArgs, ExportArgs, ExportCommand, ExporterArgs, GraphiteArgs, MAX_WAIT,
    OtlpArgs,
};
mod annotate;
pub use annotate::AnnotateArgs;
mod watch;
pub use watch::WatchArgs;
mod filter_args;
pub(crate) use filter_args::window_parser;
pub use filter_args::{LatencyFilterArgs, ScopeArgs, ServerFilterArgs, WindowArgs};
pub use shape::HistoryArgs;
use shape::sort_parser;

/// `tv -V`: the crate version and the API spec it speaks.
pub const VERSION: &str = env!("TV_VERSION_LINE");

/// `tv --version` (long form): [`VERSION`], then the commit built from (`unknown` when
/// built outside a git checkout), the cargo features and the target (from `build.rs`).
pub const LONG_VERSION: &str = concat!(
    env!("TV_VERSION_LINE"),
    "\ncommit: ",
    env!("TV_GIT_COMMIT"),
    "\nfeatures: ",
    env!("TV_FEATURES"),
    "\ntarget: ",
    env!("TV_TARGET")
);

/// The `tv --help` text after the options: the exit codes (from
/// [`crate::exit::EXIT_CODES`]), retries, the environment.
fn after_help() -> String {
    format!("{}{AFTER_EXIT_CODES}", crate::exit::exit_codes_help())
}

const AFTER_EXIT_CODES: &str = "\
`tv check` uses the plugin codes instead: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

Retries: reads (GET) and deletes are retried on 429, 5xx, timeouts and lost
connections, since repeating them cannot do harm (a delete that then finds the
thing gone after a lost answer reports success). `tv annotate` and `tv app assign`
are sent once: a repeat could record them twice; when their answer is lost tv says
the outcome is unknown.

Environment: TV_API_KEY, TV_API_KEY_FILE, TV_BASE_URL, TV_PROFILE, TV_CONFIG, TV_LOG,
NO_COLOR.
Try it without an account: tv --demo report";

/// How are my TraceView apps doing?
#[derive(Debug, Parser)]
#[command(name = "tv", version = VERSION, long_version = LONG_VERSION, about, after_help = after_help(), max_term_width = 100)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

#[path = "cli_global.rs"]
mod global;
pub use global::GlobalArgs;

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// How the apps are doing: one row per app, or one app in depth.
    Report(ReportArgs),
    /// A live view of the report, refreshed as each 30 s slice completes (NDJSON when
    /// piped).
    Watch(WatchArgs),
    /// List the apps.
    Apps,
    /// List the layers of an app.
    Layers {
        /// The app.
        app: String,
        /// Only layers seen since (ISO-8601, epoch seconds, `2h ago` or `2h`) [default: 1 day].
        #[arg(long, value_name = "TIME")]
        since: Option<TimeArg>,
    },
    /// List hosts (of the organization, or of one app).
    Hosts {
        /// Only the hosts of this app.
        #[arg(long)]
        app: Option<String>,
    },
    /// A host's instrumentation, or delete a host.
    #[command(subcommand)]
    Host(HostCommand),
    /// Assign hosts to apps, delete apps.
    #[command(subcommand)]
    App(AppCommand),
    /// List annotations (deploys and other events).
    Annotations {
        /// Only the annotations of this app.
        #[arg(long)]
        app: Option<String>,
        /// Oldest time (ISO-8601, epoch seconds, `3d ago`, or `3d` back from --until)
        /// [default: 7 days ago].
        #[arg(long, value_name = "TIME")]
        since: Option<TimeArg>,
        /// Newest time [default: now].
        #[arg(long, value_name = "TIME")]
        until: Option<TimeArg>,
    },
    /// Record annotations: one, a file of them, or a deploy's start and end (--wrap).
    Annotate(AnnotateArgs),
    /// The organization, its users and licenses.
    Org {
        /// What to show [default: the organization].
        #[command(subcommand)]
        what: Option<OrgCommand>,
    },
    /// Names seen in traces, usable as filter values.
    Discover {
        /// Which names.
        #[arg(value_enum)]
        kind: DiscoverKind,
    },
    /// Error rate of an app over a window.
    ///
    /// An error rate is a share of traces: a window without traces has none (`-`, `null`
    /// and `"traffic": "no_traffic"` in JSON, never a measured 0 %).
    Errors {
        /// The app.
        app: String,
        /// The filter options.
        #[command(flatten)]
        filter: ServerFilterArgs,
    },
    /// Total requests (traced or not) of an app.
    Requests {
        /// The app.
        app: String,
        /// Only the summary over the window.
        #[arg(long)]
        summary: bool,
        /// The filter options.
        #[command(flatten)]
        filter: ScopeArgs,
    },
    /// Latency of an app: series, summary, per layer.
    #[command(subcommand)]
    Latency(LatencyCommand),
    /// A chart of an app's latency and volume, in the terminal or as an SVG file.
    Chart {
        /// The app.
        app: String,
        /// The window options.
        #[command(flatten)]
        window: WindowArgs,
        /// The range options (`--since`, `--until`, `--step`, `--resample`).
        #[command(flatten)]
        history: HistoryArgs,
        /// Also write the chart to a file (.svg).
        #[arg(long, value_name = "FILE")]
        plot: Option<PathBuf>,
    },
    /// This window against the previous one, per layer; a CI gate with --fail-if-slower.
    Compare(CompareArgs),
    /// A Monitoring Plugins check for Nagios, Icinga, Sensu, Zabbix (exit codes 0-3).
    Check(CheckArgs),
    /// Serve TraceView's numbers to Prometheus on /metrics.
    Exporter(ExporterArgs),
    /// Write history for other tools.
    #[command(subcommand)]
    Export(ExportCommand),
    /// The JSON Schema of a command's JSON output.
    Schema {
        /// The command, as you type it: `report`, `report APP`, `latency summary`,
        /// `host versions`, `org users`, `requests --summary`, … (old names such as
        /// `report-app` and `by-layer` still work).
        #[arg(required = true, num_args = 1.., value_name = "COMMAND", allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Read and write the config file (profiles), keeping its comments.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Save an API key into a profile, typed without echo (or piped in).
    ///
    /// The key is typed without echo on a terminal, else read from standard input
    /// (`pass show tv | tv login`); with --base-url, that is saved too. The profile file
    /// is written readable by you only (0600), atomically.
    Login,
    /// Where each setting comes from, and whether the server answers and takes the key.
    Doctor,
    /// The shell completion script (flags and real names: apps, layers, hosts, …).
    ///
    /// It completes flags and real names (apps, the layers of the app on the line, hosts,
    /// annotation ids, profiles, discovered names), asked of the server the line points
    /// at, cached for 5 minutes, at most 2 s per TAB. Install:
    /// bash `source <(tv completions bash)` in ~/.bashrc; zsh `source <(tv completions
    /// zsh)` in ~/.zshrc; fish `tv completions fish | source` in
    /// ~/.config/fish/config.fish (or `COMPLETE=SHELL tv` in place of `tv completions
    /// SHELL`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Run the TraceView sandbox server in the foreground.
    #[cfg(feature = "sandbox")]
    Sandbox(tv_sandbox::cli::SandboxArgs),
    /// Run the TraceView sandbox server (not built into this tv: feature `sandbox`).
    #[cfg(not(feature = "sandbox"))]
    Sandbox(crate::sandbox::NoSandboxArgs),
    /// Write the man pages (tv.1 and one per subcommand) into a directory; used by
    /// `cargo xtask man`.
    #[command(hide = true)]
    GenerateMan {
        /// The directory.
        #[arg(long, default_value = "target/man")]
        out: PathBuf,
    },
}

/// `tv report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// One app in depth; without it, one row per app.
    pub app: Option<String>,
    /// The window options.
    #[command(flatten)]
    pub window: WindowArgs,
    /// How many apps to query at once (1 to 64) [default: adapts to the server: from 4 up
    /// to 16 apps while the answers are bound by the round trip, fewer on 429, 5xx or
    /// timeouts].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: Option<u16>,
    /// With an app: also write the latency chart to a file (.svg).
    #[arg(long, value_name = "FILE", requires = "app")]
    pub plot: Option<PathBuf>,
    /// Only apps matching these glob patterns (`web-*`, `api-?`, `[a-m]*`; repeatable or
    /// comma-separated); chosen before anything is fetched. A pattern that matches no
    /// app is exit 4.
    #[arg(
        long,
        value_name = "PATTERN",
        value_delimiter = ',',
        conflicts_with = "app"
    )]
    pub apps: Vec<String>,
    /// Sort the rows by this metric, biggest first (see --ascending) [default: volume].
    #[arg(long, value_name = "METRIC", value_parser = sort_parser(), conflicts_with = "app")]
    pub sort: Option<tv_client::workflow::SortKey>,
    /// Sort smallest first.
    #[arg(long, conflicts_with = "app")]
    pub ascending: bool,
    /// Only the first N rows after sorting.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "app")]
    pub top: Option<u32>,
}

/// `tv latency …`.
#[derive(Debug, Subcommand)]
pub enum LatencyCommand {
    /// Volume and average latency per slice.
    Series {
        /// The app.
        app: String,
        /// The filter options.
        #[command(flatten)]
        filter: LatencyFilterArgs,
    },
    /// Traces, average and latest latency over the window.
    Summary {
        /// The app.
        app: String,
        /// The filter options.
        #[command(flatten)]
        filter: LatencyFilterArgs,
    },
    /// Per layer: calls, per-call average, per-request contribution, share of time.
    ByLayer {
        /// The app.
        app: String,
        /// The filter options.
        #[command(flatten)]
        filter: ServerFilterArgs,
    },
}

/// `tv host …`.
#[derive(Debug, Subcommand)]
pub enum HostCommand {
    /// The instrumentation installed on a host.
    Versions {
        /// The host's name or id (see `tv hosts`).
        id: tv_client::workflow::HostRef,
    },
    /// Delete a host record.
    Delete {
        /// The host's name or id (see `tv hosts`; a name wins over an id).
        host: tv_client::workflow::HostRef,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Print the request that would be sent (key redacted); send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `tv app …`.
#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Put a host into an app (creating the app with --create).
    Assign {
        /// The app (at most 40 characters, not Default).
        app: String,
        /// The host.
        host: String,
        /// The app's entry layer, needed for a new or empty app (e.g. nginx).
        #[arg(long)]
        layer: Option<String>,
        /// A tag to attach (repeatable; no commas or spaces).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Create the app if it does not exist.
        #[arg(long)]
        create: bool,
        /// Print the request that would be sent (key redacted); send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete an app.
    Delete {
        /// The app.
        app: String,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Print the request that would be sent (key redacted); send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `tv org …`.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum OrgCommand {
    /// The users of the organization.
    Users,
    /// Hosts reporting against hosts licensed.
    Licenses,
}

/// `tv discover KIND`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiscoverKind {
    /// Code actions.
    Actions,
    /// End-user browsers.
    Browsers,
    /// Code controllers.
    Controllers,
    /// Request domains.
    Domains,
    /// Host metric names.
    Metrics,
    /// End-user regions.
    Regions,
}

/// `tv config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Set a profile's setting: api_key, base_url, timeout, attempts, output,
    /// allow_plain_http or max_response_size.
    Set {
        /// api_key, base_url, timeout, attempts, output, allow_plain_http or
        /// max_response_size.
        key: String,
        /// The value; for api_key, `-` reads the key from standard input (typed without
        /// echo on a terminal), keeping it out of the shell's history.
        value: String,
    },
    /// Print a profile's setting (the key is shown redacted).
    Get {
        /// api_key, base_url, timeout, attempts, output, allow_plain_http or
        /// max_response_size.
        key: String,
    },
    /// List the profiles and their settings (keys redacted).
    List,
    /// Make a profile the default one.
    Use {
        /// The profile.
        profile: String,
    },
}

/// The clap command tree (for completions and the man page).
pub fn command() -> clap::Command {
    Cli::command()
}

/// [`command`] without its hidden subcommands (`generate-man`), for shell completions:
/// clap_complete lists hidden subcommands too.
pub fn completion_command() -> clap::Command {
    let full = command();
    let visible: Vec<clap::Command> = full
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .cloned()
        .collect();
    GlobalArgs::augment_args(clap::Command::new("tv").version(VERSION))
        .subcommand_required(true)
        .subcommands(visible)
}
