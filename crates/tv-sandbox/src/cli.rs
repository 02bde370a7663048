//! The command line of the `tv-sandbox` binary, also embedded by `tv sandbox`.
//!
//! [`run`] prints the base URL as the **first line on stdout** (flushed at once, so a
//! script can read it), hints on stderr, serves until Ctrl-C or SIGTERM and shuts down
//! cleanly. Exit codes of the binary: 0 ok, 2 usage, 3 unusable state file, 1 otherwise
//! ([`RunError::exit_code`]).

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::server::faults::{FaultKind, UnknownFault};
use crate::server::limits::{self, Limits};
use crate::server::log::FAULT_TARGET;
use crate::server::{self, DEFAULT_API_KEY, DEFAULT_SEED, SandboxConfig};
use crate::state::{Clock, DEFAULT_APPS, MAX_APPS, World};
use crate::world::{parse_instant, parse_instant_seconds};

/// The options of the sandbox (`tv-sandbox [OPTIONS]`, `tv sandbox [OPTIONS]`).
///
/// Embeddable under a parent command with global `--api-key` and `-v/--verbose` flags
/// (as `tv` has): those two use the ids `api_key` and `verbose`, so clap does not copy
/// the parent's globals into this subcommand (which would clash) and shares the values
/// between both levels instead.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on (IP:PORT; port 0 picks a free one). A non-loopback address
    /// makes the sandbox reachable from other machines.
    #[arg(long, value_name = "ADDR", default_value_t = server::DEFAULT_BIND)]
    pub bind: SocketAddr,

    /// Seed of the synthetic world: the same seed gives the same apps, hosts and numbers.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEED)]
    pub seed: u64,

    /// Freeze "now" (epoch seconds or milliseconds, or ISO-8601 such as
    /// 2024-01-03T12:00:00Z) for reproducible answers; default: the system clock.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<i64>,

    /// Accepted access key (repeatable); default: `sandbox`.
    #[arg(id = "api_key", long = "api-key", value_name = "KEY")]
    pub api_keys: Vec<String>,

    /// Number of apps, `Default` included.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_APPS, value_parser = parse_apps)]
    pub apps: usize,

    /// Keep writes in this file (created if missing) so they survive restarts; default:
    /// in memory.
    #[arg(long = "state", value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Share of requests that get an injected fault, 0 to 1.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_rate: f64,

    /// Kinds of fault to inject, comma-separated, from 500, 502, 503, 429, slow, reset,
    /// html, truncated, redirect; default: all.
    #[arg(long, value_name = "KINDS", value_delimiter = ',', value_parser = parse_fault)]
    pub faults: Vec<FaultKind>,

    /// Delay added to every answer (e.g. 250ms, 1s).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub latency: Option<Duration>,

    /// Bytes the answer memo may hold, keys and values counted (e.g. 64MiB; 0 turns it
    /// off); the least recently used answers are forgotten past it.
    #[arg(long, value_name = "SIZE", default_value = "32MiB", value_parser = limits::parse_bytes)]
    pub memo_bytes: usize,

    /// Requests per second per access key (a token bucket with a burst of one second's
    /// worth; fractional allowed, e.g. 0.2); past it: 429 with Retry-After. Default: off.
    #[arg(long, value_name = "N", value_parser = parse_rate_limit)]
    pub rate_limit: Option<f64>,

    /// Open connections at most (lowered to what the descriptor limit allows); a client
    /// over the cap gets 503 with Retry-After and is disconnected.
    #[arg(long, value_name = "N", default_value_t = limits::DEFAULT_MAX_CONNECTIONS, value_parser = parse_max_connections)]
    pub max_connections: usize,

    /// The time a client has to send a request's headers, and then again its body
    /// (e.g. 10s); slower clients are disconnected (408 for a body).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_deadline)]
    pub request_deadline: Duration,

    /// Answer from a recording made with `tv --record DIR` instead of the synthetic
    /// world, byte for byte; a request the recording does not hold gets 501 naming it.
    /// Any key is accepted (the recording holds none).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["state", "incidents"])]
    pub replay: Option<PathBuf>,

    /// Print the seeded incidents of this app as JSON on stdout and exit, without serving:
    /// the ground truth for testing alerting (see also GET /sandbox/incidents).
    #[arg(long, value_name = "APP")]
    pub incidents: Option<String>,

    /// With --incidents: the start of the range, epoch seconds or ISO-8601 (default: a
    /// day before --to; at most 366 days before it).
    #[arg(long, value_name = "TIME", requires = "incidents", value_parser = parse_seconds)]
    pub from: Option<i64>,

    /// With --incidents: the end of the range, exclusive, epoch seconds or ISO-8601
    /// (default: now).
    #[arg(long, value_name = "TIME", requires = "incidents", value_parser = parse_seconds)]
    pub to: Option<i64>,

    /// Log every request on stderr (method, path with key=***, status, duration); twice
    /// for debug output.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

fn parse_now(s: &str) -> Result<i64, String> {
    parse_time(s)
}

fn parse_time(s: &str) -> Result<i64, String> {
    parse_instant("TIME", s).map_err(|e| e.message().replace("TIME must be", "must be"))
}

fn parse_seconds(s: &str) -> Result<i64, String> {
    parse_instant_seconds("TIME", s).map_err(|e| e.message().replace("TIME must be", "must be"))
}

fn parse_apps(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_APPS).contains(&n) => Ok(n),
        _ => Err(format!("must be a number from 1 to {MAX_APPS}")),
    }
}

fn parse_deadline(s: &str) -> Result<Duration, String> {
    match humantime::parse_duration(s) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err("must be longer than 0".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err("must be a number from 0 to 1 (e.g. 0.1 for 10%)".to_owned()),
    }
}

fn parse_max_connections(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err("must be a number of connections above 0".to_owned()),
    }
}

fn parse_rate_limit(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n),
        _ => Err("must be a number of requests per second above 0 (e.g. 10 or 0.5)".to_owned()),
    }
}

fn parse_fault(s: &str) -> Result<FaultKind, UnknownFault> {
    s.parse()
}

impl SandboxArgs {
    /// The server configuration these options describe.
    pub fn into_config(self) -> Result<SandboxConfig, String> {
        let config = SandboxConfig {
            bind: self.bind,
            seed: self.seed,
            now: self.now,
            api_keys: if self.api_keys.is_empty() {
                vec![DEFAULT_API_KEY.to_owned()]
            } else {
                self.api_keys
            },
            apps: self.apps,
            state_file: self.state,
            fault_rate: self.fault_rate,
            faults: self.faults,
            latency: self.latency,
            limits: Limits {
                memo_bytes: self.memo_bytes,
                max_connections: self.max_connections,
                request_deadline: self.request_deadline,
            },
            rate_limit: self.rate_limit,
        };
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }
}

/// Why [`execute`] failed, with the binary's exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError {
    message: String,
    exit_code: u8,
}

impl RunError {
    /// 2 usage, 3 unusable state file, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        self.exit_code
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RunError {}

/// Runs the sandbox in the foreground (see the module documentation). Errors are one
/// line for people.
pub async fn run(args: SandboxArgs) -> Result<(), String> {
    execute(args).await.map_err(|e| e.to_string())
}

/// Like [`run`], keeping the exit code of the failure.
pub async fn execute(args: SandboxArgs) -> Result<(), RunError> {
    if let Some(app) = &args.incidents {
        return print_incidents(&args, app);
    }
    init_logging(args.verbose);
    if let Some(dir) = &args.replay {
        return replay(dir, args.bind).await;
    }
    let config = args.into_config().map_err(|message| RunError {
        message,
        exit_code: 2,
    })?;
    if !config.bind.ip().is_loopback() {
        eprintln!(
            "tv-sandbox: warning: listening on {}, reachable from other machines; the sandbox is meant for local testing",
            config.bind
        );
    }
    let running = server::start(config.clone()).await.map_err(|e| RunError {
        exit_code: if e.is_state_file() { 3 } else { 1 },
        message: e.to_string(),
    })?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", running.base_url());
        let _ = out.flush();
    }
    print_hints(&config, running.base_url());
    let state = running.sandbox().clone();
    let why = tv_serve::stop_signal().await;
    eprintln!("tv-sandbox: {why}, shutting down");
    running.shutdown().await;
    let counts = state.fault_counts();
    if counts.total() > 0 {
        eprintln!("tv-sandbox: injected faults: {counts}");
    }
    Ok(())
}

/// `--replay DIR`: serves the recording until Ctrl-C or SIGTERM, its base URL the
/// first line on stdout. An unreadable recording is a usage error (2).
async fn replay(dir: &std::path::Path, bind: SocketAddr) -> Result<(), RunError> {
    let recording = crate::replay::Recording::load(dir).map_err(|message| RunError {
        message,
        exit_code: 2,
    })?;
    let count = recording.len();
    let running = crate::replay::start(recording, bind)
        .await
        .map_err(|message| RunError {
            message,
            exit_code: 1,
        })?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", running.base_url());
        let _ = out.flush();
    }
    eprintln!(
        "tv-sandbox: replaying {count} recorded exchanges from {} (any key); try: tv --base-url {} --api-key replay COMMAND",
        dir.display(),
        running.base_url()
    );
    let why = tv_serve::stop_signal().await;
    eprintln!("tv-sandbox: {why}, shutting down");
    Ok(())
}

/// `--incidents APP`: the seeded incidents as pretty JSON on stdout. An unknown app or
/// an empty range is a usage error (2).
fn print_incidents(args: &SandboxArgs, app: &str) -> Result<(), RunError> {
    let usage = |message: String| RunError {
        message,
        exit_code: 2,
    };
    let clock = args.now.map_or(Clock::System, Clock::Frozen);
    let world = World::in_memory(args.seed, args.apps, clock);
    let view = world.view();
    let to = args.to.unwrap_or(view.now());
    let from = args
        .from
        .unwrap_or(to.saturating_sub(server::DEFAULT_INCIDENT_SPAN));
    let list = view
        .incidents(app, from, to)
        .map_err(|e| usage(format!("--incidents: {}", e.message())))?;
    let json = serde_json::to_string_pretty(&list)
        .map_err(|e| usage(format!("--incidents: cannot write JSON: {e}")))?;
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error.
    let _ = writeln!(out, "{json}").and_then(|()| out.flush());
    Ok(())
}

fn print_hints(config: &SandboxConfig, base_url: &str) {
    let keys = if config.api_keys.len() == 1 && config.api_keys[0] == DEFAULT_API_KEY {
        format!("accepted key: {DEFAULT_API_KEY}")
    } else {
        format!(
            "accepting the {} key(s) given with --api-key",
            config.api_keys.len()
        )
    };
    let clock = config.now.map_or_else(
        || "system clock".to_owned(),
        |t| format!("now frozen at {t}"),
    );
    eprintln!(
        "tv-sandbox: TraceView API v2 sandbox, seed {}, {} apps, {clock}; {keys}",
        config.seed, config.apps
    );
    if config.first_key() == DEFAULT_API_KEY {
        eprintln!("tv-sandbox: try: curl '{base_url}/apps?key={DEFAULT_API_KEY}'");
    }
    if let Some(path) = &config.state_file {
        eprintln!("tv-sandbox: writes are kept in {}", path.display());
    }
    if config.fault_rate > 0.0 {
        let kinds: Vec<&str> = config.fault_kinds().iter().map(|k| k.as_str()).collect();
        eprintln!(
            "tv-sandbox: injecting faults into {:.1}% of requests: {}",
            config.fault_rate * 100.0,
            kinds.join(",")
        );
    } else if !config.faults.is_empty() {
        eprintln!(
            "tv-sandbox: --faults has no effect without --fault-rate (the X-Sandbox-Fault header still works)"
        );
    }
    eprintln!("tv-sandbox: press Ctrl-C to stop");
}

/// Logs on stderr: injected faults always, the request log at `-v`, debug at `-vv`.
/// Does nothing when the process already has a global `tracing` subscriber (as in `tv`).
pub fn init_logging(verbose: u8) {
    use tracing::level_filters::LevelFilter;
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;

    let base = match verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        _ => LevelFilter::DEBUG,
    };
    let targets = Targets::new()
        .with_target("tv_sandbox", base)
        .with_target(FAULT_TARGET, base.max(LevelFilter::INFO));
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .finish()
        .with(targets);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser, Subcommand};

    use super::*;

    /// A parent shaped like `tv`: global `--api-key` and `-v`, `sandbox` subcommand.
    #[derive(Debug, Parser)]
    struct Parent {
        #[arg(long, global = true)]
        api_key: Option<String>,
        #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
        verbose: u8,
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(Debug, Subcommand)]
    enum Sub {
        Sandbox(SandboxArgs),
    }

    #[test]
    fn embeds_under_a_parent_with_the_same_global_flags() {
        Parent::command().debug_assert();
        let parsed = Parent::try_parse_from([
            "tv",
            "sandbox",
            "--api-key",
            "a",
            "--api-key",
            "b",
            "-vv",
            "--seed",
            "7",
        ])
        .unwrap();
        let Sub::Sandbox(args) = parsed.command;
        assert_eq!(args.api_keys, ["a", "b"]);
        assert_eq!(args.verbose, 2);
        assert_eq!(args.seed, 7);
        let before = Parent::try_parse_from(["tv", "--api-key", "k", "-v", "sandbox"]).unwrap();
        let Sub::Sandbox(args) = before.command;
        assert_eq!(args.api_keys, ["k"]);
        assert_eq!(args.verbose, 1);
    }

    #[test]
    fn zero_connections_and_millisecond_ranges_are_refused() {
        let zero = Parent::try_parse_from(["tv", "sandbox", "--max-connections", "0"]);
        assert!(zero.is_err(), "{zero:?}");
        let parsed = Parent::try_parse_from([
            "tv",
            "sandbox",
            "--incidents",
            "web-shop",
            "--to",
            "253402300799",
        ])
        .unwrap();
        let Sub::Sandbox(args) = parsed.command;
        assert_eq!(args.to, Some(253_402_300_799));
    }

    #[test]
    fn options_become_a_config() {
        let args = SandboxArgs {
            bind: server::DEFAULT_BIND,
            seed: 1,
            now: Some(5),
            api_keys: Vec::new(),
            apps: 3,
            state: None,
            fault_rate: 0.5,
            faults: vec![FaultKind::Reset],
            latency: None,
            memo_bytes: limits::DEFAULT_MEMO_BYTES,
            rate_limit: Some(2.5),
            max_connections: limits::DEFAULT_MAX_CONNECTIONS,
            request_deadline: limits::DEFAULT_REQUEST_DEADLINE,
            replay: None,
            incidents: None,
            from: None,
            to: None,
            verbose: 0,
        };
        let config = args.clone().into_config().unwrap();
        assert_eq!(config.first_key(), DEFAULT_API_KEY);
        assert_eq!((config.seed, config.now, config.apps), (1, Some(5), 3));
        assert_eq!(config.rate_limit, Some(2.5));
        let bad = SandboxArgs {
            api_keys: vec!["with space".into()],
            ..args
        };
        assert!(bad.into_config().is_err());
    }
}
