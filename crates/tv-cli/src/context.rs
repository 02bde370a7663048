//! Turning the global flags into a client: configuration, `--demo`, timeouts, retries.

use tv_client::config::{Overrides, Settings};
use tv_client::{ApiKey, RetryPolicy, TraceView};

use crate::cli::GlobalArgs;
use crate::exit::{CliError, Exit};

/// A ready client, and what keeps it alive.
pub struct Connection {
    /// The client.
    pub tv: TraceView,
    /// The key in use, to scrub it from anything printed.
    pub key: ApiKey,
    /// The embedded sandbox of `--demo`, stopped on drop.
    _sandbox: Option<tv_sandbox::server::RunningSandbox>,
}

/// Overrides from the flags.
pub fn overrides(global: &GlobalArgs) -> Overrides {
    Overrides {
        api_key: global.api_key.clone(),
        base_url: global.base_url.clone(),
        profile: global.profile.clone(),
        config_path: global.config.clone(),
    }
}

/// Connects as the flags say: the embedded sandbox with `--demo`, else the configured
/// server. Without a key (and without `--demo`) this fails with exit code 3 and says
/// how to set one — never a silent fallback to the demo.
pub async fn connect(global: &GlobalArgs) -> Result<Connection, CliError> {
    let policy = RetryPolicy::default().max_attempts(global.attempts);
    if global.demo {
        if global.api_key.is_some() || global.base_url.is_some() || global.profile.is_some() {
            return Err(CliError::usage(
                "--demo runs against the built-in sandbox: drop --api-key, --base-url and --profile",
            ));
        }
        let options = tv_sandbox::server::SandboxConfig::demo();
        let key = ApiKey::new(options.first_key()).map_err(CliError::from)?;
        let sandbox = tv_sandbox::server::start(options).await.map_err(|e| {
            CliError::new(Exit::Runtime, format!("cannot start the demo sandbox: {e}"))
        })?;
        tracing::info!("demo sandbox listening at {}", sandbox.base_url());
        let tv = TraceView::builder()
            .site(sandbox.base_url())
            .key(key.clone())
            .timeout(global.timeout)
            .retry(policy)
            .build()?;
        return Ok(Connection {
            tv,
            key,
            _sandbox: Some(sandbox),
        });
    }
    let settings = Settings::resolve(&overrides(global))?;
    for warning in &settings.warnings {
        tracing::warn!("{warning}");
    }
    // `client_builder` fails with "no API key: pass --api-key, …" when there is none.
    let builder = settings.client_builder()?;
    let tv = builder.timeout(global.timeout).retry(policy).build()?;
    let key = settings
        .api_key
        .map(|k| k.value)
        .ok_or_else(|| CliError::new(Exit::Config, "no API key"))?;
    crate::logging::hide(&key);
    Ok(Connection {
        tv,
        key,
        _sandbox: None,
    })
}

/// The one resolver of "now" for a run: the server's now (see
/// [`tv_client::workflow::Now`]), asked at most once.
pub fn now_resolver(tv: &tv_client::TraceView) -> tv_client::workflow::Now {
    tv_client::workflow::Now::server(tv)
}
