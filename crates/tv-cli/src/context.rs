//! Turning the global flags into a client: configuration, `--demo`, timeouts, retries.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tv_client::config::{Overrides, Settings};
use tv_client::record::DirectoryRecorder;
use tv_client::{ApiKey, TraceView};

use crate::cli::GlobalArgs;
use crate::exit::{CliError, Exit};

/// A ready client, and what keeps it alive.
pub struct Connection {
    /// The client.
    pub tv: TraceView,
    /// The key in use, to scrub it from anything printed.
    pub key: ApiKey,
    /// The embedded sandbox of `--demo`, stopped on drop.
    #[cfg(feature = "sandbox")]
    _sandbox: Option<tv_testkit::LocalSandbox>,
    /// The replay server of `--replay`, stopped on drop.
    #[cfg(feature = "sandbox")]
    _replay: Option<tv_sandbox::replay::RunningReplay>,
    /// Where `--record` writes, to report its outcome at the end.
    pub recorder: Option<Arc<DirectoryRecorder>>,
}

impl Connection {
    /// Says where `--record` wrote (on stderr), or fails when a write failed.
    pub fn finish_recording(&self) -> Result<(), CliError> {
        let Some(recorder) = &self.recorder else {
            return Ok(());
        };
        let written = recorder
            .finish()
            .map_err(|e| CliError::new(Exit::Runtime, format!("--record: {e}")))?;
        eprintln!("recorded {written} exchanges (key scrubbed); replay them with tv --replay DIR");
        Ok(())
    }
}

/// The recorder of `--record DIR`, when given.
fn recorder(global: &GlobalArgs) -> Result<Option<Arc<DirectoryRecorder>>, CliError> {
    global
        .record
        .as_deref()
        .map(|dir| {
            DirectoryRecorder::create(dir)
                .map(Arc::new)
                .map_err(|e| CliError::usage(format!("--record: {e}")))
        })
        .transpose()
}

/// Adds the recorder, when there is one, to a client builder.
fn with_recorder(
    builder: tv_client::TraceViewBuilder,
    recorder: Option<&Arc<DirectoryRecorder>>,
) -> tv_client::TraceViewBuilder {
    match recorder {
        Some(recorder) => builder.recorder(recorder.clone()),
        None => builder,
    }
}

/// The configuration of one run: resolved from the flags, the environment and the
/// profile file at most once (on first use), then shared by everything that needs it
/// (the profile's output format, the connection, `tv doctor`).
#[derive(Debug, Default)]
pub struct RunSettings {
    resolved: std::sync::OnceLock<Result<Settings, tv_client::Error>>,
}

impl RunSettings {
    /// Nothing resolved yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The settings of the flags in `global`, resolved on the first call.
    pub fn get(&self, global: &GlobalArgs) -> &Result<Settings, tv_client::Error> {
        self.resolved
            .get_or_init(|| Settings::resolve(&overrides(global)))
    }
}

/// Overrides from the flags.
pub fn overrides(global: &GlobalArgs) -> Overrides {
    Overrides {
        api_key: global.api_key.clone(),
        base_url: global.base_url.clone(),
        profile: global.profile.clone(),
        config_path: global.config.clone(),
        api_key_file: global.api_key_file.clone(),
        timeout: global.timeout,
        attempts: global.attempts,
        allow_plain_http: global.allow_plain_http,
        max_response_bytes: global.max_response_size,
    }
}

/// Whether this run talks to the throw-away sandbox of `--demo`.
static DEMO: AtomicBool = AtomicBool::new(false);

/// Says on stderr, once per write command under `--demo`, that the write goes to a
/// throw-away sandbox.
pub fn note_demo_write() {
    if DEMO.load(Ordering::Relaxed) {
        eprintln!(
            "note: --demo: this write goes to a throw-away sandbox and is gone when tv exits"
        );
    }
}

/// Connects as the flags say: the embedded sandbox with `--demo`, else the configured
/// server. Without a key (and without `--demo`) this fails with exit code 3 and says
/// how to set one — never a silent fallback to the demo.
pub async fn connect(global: &GlobalArgs, settings: &RunSettings) -> Result<Connection, CliError> {
    let own_server = match (global.demo, &global.replay) {
        (true, Some(_)) => return Err(CliError::usage("--demo and --replay: choose one")),
        (true, None) => Some("--demo runs against the built-in sandbox"),
        (false, Some(_)) => Some("--replay answers from the recording"),
        (false, None) => None,
    };
    if let Some(what) = own_server {
        if global.api_key.is_some()
            || global.api_key_file.is_some()
            || global.base_url.is_some()
            || global.profile.is_some()
        {
            return Err(CliError::usage(format!(
                "{what}: drop --api-key, --api-key-file, --base-url and --profile"
            )));
        }
        let recorder = recorder(global)?;
        return match &global.replay {
            Some(dir) => replay(global, dir, recorder).await,
            None => demo(global, recorder).await,
        };
    }
    let recorder = recorder(global)?;
    let settings = settings.get(global).clone()?;
    for warning in &settings.warnings {
        tracing::warn!("{warning}");
    }
    // `client_builder` fails with "no API key: pass --api-key, …" when there is none.
    // It carries the timeout, attempts, plain-HTTP opt-in and response limit resolved
    // from flags, then the profile, then the defaults.
    let tv = with_recorder(settings.client_builder()?, recorder.as_ref()).build()?;
    let key = settings
        .api_key
        .map(|k| k.value)
        .ok_or_else(|| CliError::new(Exit::Config, "no API key"))?;
    crate::logging::hide(&key);
    Ok(Connection {
        tv,
        key,
        #[cfg(feature = "sandbox")]
        _sandbox: None,
        #[cfg(feature = "sandbox")]
        _replay: None,
        recorder,
    })
}

/// The one resolver of "now" for a run: the server's now (see
/// [`tv_client::workflow::Now`]), asked at most once.
pub fn now_resolver(tv: &tv_client::TraceView) -> tv_client::workflow::Now {
    tv_client::workflow::Now::server(tv)
}

/// `--demo` or `--replay` without the sandbox built in: one clear line, exit 2.
#[cfg(not(feature = "sandbox"))]
async fn demo(
    _global: &GlobalArgs,
    _recorder: Option<Arc<DirectoryRecorder>>,
) -> Result<Connection, CliError> {
    Err(CliError::usage(crate::sandbox::NOT_BUILT))
}

#[cfg(not(feature = "sandbox"))]
async fn replay(
    global: &GlobalArgs,
    _dir: &std::path::Path,
    recorder: Option<Arc<DirectoryRecorder>>,
) -> Result<Connection, CliError> {
    demo(global, recorder).await
}

/// The flags' timeout, attempts and response limit (profiles do not apply) and the
/// recorder, for the client of `--demo` and `--replay`.
#[cfg(feature = "sandbox")]
fn own_server_client(
    global: &GlobalArgs,
    recorder: Option<&Arc<DirectoryRecorder>>,
    builder: tv_client::TraceViewBuilder,
) -> tv_client::TraceViewBuilder {
    use tv_client::RetryPolicy;
    use tv_client::config::{DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT, value};
    let policy = RetryPolicy::default().max_attempts(global.attempts.unwrap_or(DEFAULT_ATTEMPTS));
    let builder = builder
        .timeout(global.timeout.unwrap_or(DEFAULT_TIMEOUT))
        .retry(policy)
        .max_response_bytes(
            global
                .max_response_size
                .unwrap_or(value::DEFAULT_MAX_RESPONSE_BYTES),
        );
    with_recorder(builder, recorder)
}

/// The key `--replay` sends: the recording holds none and the replay takes any.
#[cfg(feature = "sandbox")]
const REPLAY_KEY: &str = "replay";

/// `--replay DIR`: the recording served on a free loopback port.
#[cfg(feature = "sandbox")]
async fn replay(
    global: &GlobalArgs,
    dir: &std::path::Path,
    recorder: Option<Arc<DirectoryRecorder>>,
) -> Result<Connection, CliError> {
    use tv_sandbox::replay::{Recording, start};
    let recording = Recording::load(dir).map_err(|e| CliError::usage(format!("--replay: {e}")))?;
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let server = start(recording, loopback)
        .await
        .map_err(|e| CliError::new(Exit::Runtime, format!("--replay: {e}")))?;
    let builder = tv_client::TraceView::builder()
        .site(server.base_url())
        .api_key(REPLAY_KEY);
    let tv = own_server_client(global, recorder.as_ref(), builder).build()?;
    Ok(Connection {
        tv,
        key: ApiKey::new(REPLAY_KEY).map_err(CliError::from)?,
        _sandbox: None,
        _replay: Some(server),
        recorder,
    })
}

/// `--demo`: the embedded sandbox on a free loopback port, with the flags' timeout,
/// attempts and response limit (profiles do not apply).
#[cfg(feature = "sandbox")]
async fn demo(
    global: &GlobalArgs,
    recorder: Option<Arc<DirectoryRecorder>>,
) -> Result<Connection, CliError> {
    use tv_testkit::{LocalSandbox, LocalSandboxError};

    DEMO.store(true, Ordering::Relaxed);
    let configure = |builder| own_server_client(global, recorder.as_ref(), builder);
    let sandbox = LocalSandbox::start_with(tv_testkit::SandboxConfig::demo(), configure)
        .await
        .map_err(|error| match error {
            LocalSandboxError::Client(error) => CliError::from(error),
            other => CliError::new(
                Exit::Runtime,
                format!("cannot start the demo sandbox: {other}"),
            ),
        })?;
    tracing::info!("demo sandbox listening at {}", sandbox.base_url());
    let key = ApiKey::new(sandbox.key()).map_err(CliError::from)?;
    let tv = sandbox.client().clone();
    Ok(Connection {
        tv,
        key,
        _sandbox: Some(sandbox),
        _replay: None,
        recorder,
    })
}

/// The output format of the profile in use (`output = "json"`), when the flags do not
/// choose one. No profile or an unresolvable configuration gives `None` (the command
/// reports the configuration problem itself); an unknown format is a configuration
/// error.
pub fn profile_output(
    global: &GlobalArgs,
    settings: &RunSettings,
) -> Result<Option<crate::render::Format>, CliError> {
    if global.output.is_some() || global.demo {
        return Ok(global.output);
    }
    let Ok(settings) = settings.get(global) else {
        return Ok(None);
    };
    match &settings.output {
        Some(text) => parse_output(&text.value).map(Some).map_err(|e| {
            CliError::new(
                Exit::Config,
                format!("configuration error: {e} (from {})", text.source),
            )
        }),
        None => Ok(None),
    }
}

/// An output format by name (`table`, `json`, `ndjson`, `csv`).
pub fn parse_output(text: &str) -> Result<crate::render::Format, String> {
    use clap::ValueEnum;
    crate::render::Format::from_str(text.trim(), true)
        .map_err(|_| format!("unknown output format `{text}` (table, json, ndjson or csv)"))
}
