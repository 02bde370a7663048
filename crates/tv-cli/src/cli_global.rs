//! The options every command takes, under their own help heading, and their parsers
//! (tv-client's, so flags and profiles accept the same values).

use std::path::PathBuf;

use clap::Args;

use crate::render::{ColorChoice, Format};

/// Options every command takes (shown under their own heading, after each command's
/// own options).
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Run against a built-in sandbox with demo data (no account, no network); writes
    /// go to that throw-away sandbox and are gone when tv exits.
    #[arg(long, global = true)]
    pub demo: bool,
    /// The access key [env: TV_API_KEY]; visible in `ps`, prefer --api-key-file.
    #[arg(long, global = true, value_name = "KEY")]
    pub api_key: Option<String>,
    /// Read the access key from FILE, or `-` for standard input [env: TV_API_KEY_FILE];
    /// a FILE other users can read is warned about. `tv login` saves a key without
    /// either.
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "api_key")]
    pub api_key_file: Option<PathBuf>,
    /// `appneta`, `solarwinds` or a base URL ending in /api-v2 [env: TV_BASE_URL].
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// A profile of the config file [env: TV_PROFILE].
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// The config file [env: TV_CONFIG; default ~/.config/tv/config.toml].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format [default: table on a terminal, json otherwise].
    #[arg(long, short = 'o', global = true, value_enum)]
    pub output: Option<Format>,
    /// When to use colors (NO_COLOR is honoured by `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// More logging on stderr: -v each request (method, path, query; key redacted) and
    /// retry, -vv also each answer's status, size and time, -vvv everything; TV_LOG sets
    /// a filter.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print requests, retries and time waited on stderr at the end.
    #[arg(long, global = true)]
    pub timings: bool,
    /// Time allowed for one HTTP attempt, 100ms to 1h [default: 30s, or the profile's
    /// `timeout`].
    #[arg(long, global = true, value_name = "DURATION", value_parser = timeout_value)]
    pub timeout: Option<std::time::Duration>,
    /// Attempts per read or delete, 1 to 10 [default: 3, or the profile's `attempts`];
    /// annotate and app assign are sent once (a repeat could duplicate them).
    #[arg(long, global = true, value_name = "N", value_parser = attempts_value)]
    pub attempts: Option<u32>,
    /// One deadline for the whole run, e.g. 30s: each attempt's --timeout and each wait
    /// before a retry is cut to the time left; past it tv stops with what it has and
    /// says so (`tv report` lists the apps it could not fetch, exit 1). With `annotate
    /// --wrap`: the time the two annotations may add [default there: 10s], not the
    /// command's. Refused by `exporter`, `watch` and `sandbox`, which run until stopped.
    #[arg(long, global = true, value_name = "DURATION", value_parser = deadline_value)]
    pub deadline: Option<std::time::Duration>,
    /// Allow sending the key over plain http:// to a host other than this machine (a
    /// sandbox in a container); prints a warning [profile: allow_plain_http].
    #[arg(long, global = true)]
    pub allow_plain_http: bool,
    /// Save every request and answer of this run into DIR (created; must hold no
    /// recording yet), one JSON file each, the key and anything named like a secret
    /// scrubbed: a bug seen against a real account, ready to hand over.
    #[arg(long, global = true, value_name = "DIR", conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Answer this run from a recording made with --record (no account, no network):
    /// the same command prints the same output; a request not in the recording is an
    /// error naming it.
    #[arg(long, global = true, value_name = "DIR")]
    pub replay: Option<PathBuf>,
    /// The largest response read, e.g. 256MiB [default: 64MiB, or the profile's
    /// `max_response_size`].
    #[arg(long, global = true, value_name = "SIZE", value_parser = size_value)]
    pub max_response_size: Option<u64>,
}

/// The parsers of tv-client, so flags and profiles accept the same values.
fn timeout_value(text: &str) -> Result<std::time::Duration, String> {
    tv_client::config::value::parse_timeout(text).map_err(setting_error)
}

fn deadline_value(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(duration) if duration.is_zero() => Err("a deadline must be above zero".into()),
        Ok(duration) => Ok(duration),
        Err(error) => Err(format!("{error} (e.g. 30s, 2m)")),
    }
}

fn attempts_value(text: &str) -> Result<u32, String> {
    tv_client::config::value::parse_attempts(text).map_err(setting_error)
}

fn size_value(text: &str) -> Result<u64, String> {
    tv_client::config::value::parse_size(text).map_err(setting_error)
}

/// The detail of a setting error, without the `configuration error:` prefix (clap says
/// `invalid value` itself).
fn setting_error(error: tv_client::Error) -> String {
    match error {
        tv_client::Error::Config { detail, .. } => detail,
        other => other.to_string(),
    }
}
