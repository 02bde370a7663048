//! [`TraceView`], the client, and its builder.

mod call;
mod deadline;
mod discovery;
mod hosts;
mod notes;
pub(crate) mod retry;
mod slowdown;
mod timeseries;

use std::sync::Arc;
use std::time::Duration;

use call::{Answer, Counters, ServerDate, Shared, StatusProbe};
pub use call::{ApiCalls, Deletion, Stats};
pub use deadline::Deadline;
pub use discovery::Discovery;
pub use hosts::{Apps, Hosts};
pub use notes::{AnnotationRange, Annotations, OrganizationApi};
use retry::RetryPolicy;
use slowdown::Slowdown;
pub(crate) use timeseries::body_error;
pub use timeseries::{Errors, Latency, Requests};

use crate::error::Error;
use crate::secret::ApiKey;
use crate::site::Site;

/// The user agent sent by default: `tv/<version> (TraceView API v2)`.
pub const USER_AGENT: &str = concat!("tv/", env!("CARGO_PKG_VERSION"), " (TraceView API v2)");

/// A TraceView API v2 client: typed operations, retries, timeouts.
///
/// Cheap to clone (clones share the connection pool and the counters).
///
/// ```no_run
/// use tv_client::{ServerFilter, TimeWindow, TraceView};
///
/// # async fn run() -> Result<(), tv_client::Error> {
/// let tv = TraceView::builder().site("appneta").api_key("my-key").build()?;
/// for app in tv.discovery().apps().await? {
///     let summary = tv.latency().server_summary(&app, &ServerFilter::new().window(TimeWindow::Day)).await?;
///     println!("{app}: {} traces, average {:?}", summary.count, summary.average);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TraceView {
    api: tv_api::Client,
    policy: RetryPolicy,
    counters: Arc<Counters>,
    slowdown: Arc<Slowdown>,
    base_url: String,
    server_date: Arc<ServerDate>,
    deadline: Option<Deadline>,
}

impl std::fmt::Debug for TraceView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceView")
            .field("base_url", &crate::redact::redact(&self.base_url))
            .field("key", &"***")
            .field("policy", &self.policy)
            .field("deadline", &self.deadline)
            .finish()
    }
}

impl TraceView {
    /// Starts configuring a client.
    pub fn builder() -> TraceViewBuilder {
        TraceViewBuilder::default()
    }

    /// A client configured from the environment and the profile file (see
    /// [`crate::config`]): `TV_API_KEY`, `TV_BASE_URL`, `TV_PROFILE`,
    /// `~/.config/tv/config.toml`.
    pub fn from_env() -> Result<Self, Error> {
        let settings = crate::config::Settings::resolve(&crate::config::Overrides::default())?;
        for warning in &settings.warnings {
            tracing::warn!("{warning}");
        }
        settings.client_builder()?.build()
    }

    /// The base URL requests go to (ends in `/api-v2`), credentials included: pass it
    /// through [`crate::redact()`] before showing it.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Requests, retries and time waited so far, over all clones of this client.
    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    /// The HTTP requests so far, over all clones, by operation and outcome (what the
    /// exporter publishes as `traceview_api_requests_total`).
    pub fn api_calls(&self) -> Vec<ApiCalls> {
        self.counters.api_calls()
    }

    /// How many attempts so far, over all clones, were answered with a sign of
    /// overload (429, a 5xx, a timeout): what an adaptive fan-out watches.
    pub(crate) fn overloads(&self) -> u64 {
        self.counters.overloads()
    }

    fn shared(&self) -> Shared<'_> {
        Shared {
            policy: &self.policy,
            counters: &self.counters,
            slowdown: &self.slowdown,
            deadline: self.deadline,
        }
    }

    /// The run's deadline, if one was set ([`TraceViewBuilder::deadline`]).
    pub fn deadline(&self) -> Option<Deadline> {
        self.deadline
    }

    /// A clone (same connections, counters and slow-down) whose calls all end by
    /// `deadline`; `None` lifts it.
    pub fn with_deadline(&self, deadline: Option<Deadline>) -> TraceView {
        TraceView {
            deadline,
            ..self.clone()
        }
    }

    /// The escape hatch: the raw generated client of `tv-api`, for anything the typed
    /// layer does not model. It sends the key but does not retry or map errors.
    pub fn raw(&self) -> &tv_api::Client {
        &self.api
    }

    /// Apps, layers and the other names seen in traces.
    pub fn discovery(&self) -> Discovery<'_> {
        Discovery(self)
    }

    /// Hosts, their instrumentation, deletion.
    pub fn hosts(&self) -> Hosts<'_> {
        Hosts(self)
    }

    /// Creating, assigning and deleting apps.
    pub fn apps(&self) -> Apps<'_> {
        Apps(self)
    }

    /// Reading and writing annotations.
    pub fn annotations(&self) -> Annotations<'_> {
        Annotations(self)
    }

    /// The organization, its users and licenses.
    pub fn organization(&self) -> OrganizationApi<'_> {
        OrganizationApi(self)
    }

    /// Error rates.
    pub fn errors(&self) -> Errors<'_> {
        Errors(self)
    }

    /// Total requests (traced or not).
    pub fn requests(&self) -> Requests<'_> {
        Requests(self)
    }

    /// Server and client latency, per layer, summaries.
    pub fn latency(&self) -> Latency<'_> {
        Latency(self)
    }

    /// The server's clock: the `Date` header of its latest answer that had one (to the
    /// second), `None` before any. A check of the timestamps a server sends.
    pub fn server_date(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.server_date.get()
    }

    /// This client's policy and base URL over another generated client (dry runs),
    /// with counters of its own.
    pub(crate) fn with_api(&self, api: tv_api::Client) -> TraceView {
        TraceView {
            api,
            policy: self.policy.clone(),
            counters: Arc::new(Counters::default()),
            slowdown: Arc::new(Slowdown::default()),
            base_url: self.base_url.clone(),
            server_date: self.server_date.clone(),
            deadline: self.deadline,
        }
    }

    pub(crate) async fn call<'a, T, F, Fut>(
        &'a self,
        operation: &'static str,
        kind: call::Kind,
        send: F,
    ) -> Result<T, Error>
    where
        T: serde::de::DeserializeOwned,
        F: Fn(&'a tv_api::Client) -> Fut,
        Fut: std::future::Future<Output = call::ApiResult<T>>,
    {
        let key = tv_api::ClientInfo::inner(&self.api).key().expose();
        let answer = call::call(operation, kind, self.shared(), key, || send(&self.api)).await?;
        match answer {
            Answer::Value(value) => Ok(value),
            // Only deletes end this way, and they go through `call_delete`.
            Answer::GoneAfterLostAnswer => Err(Error::NotFound(crate::error::Missing::Gone {
                operation: operation.to_string(),
            })),
        }
    }

    /// A DELETE: retried like a read, and "gone" after an attempt whose answer was lost
    /// counts as deleted. `what` names the thing for a `data: false` refusal.
    pub(crate) async fn call_delete<'a, F, Fut>(
        &'a self,
        operation: &'static str,
        what: &str,
        send: F,
    ) -> Result<Deletion, Error>
    where
        F: Fn(&'a tv_api::Client) -> Fut,
        Fut: std::future::Future<Output = call::ApiResult<tv_api::types::BooleanEnvelope>>,
    {
        let key = tv_api::ClientInfo::inner(&self.api).key().expose();
        let answer = call::call(operation, call::Kind::Delete, self.shared(), key, || {
            send(&self.api)
        })
        .await?;
        match answer {
            Answer::Value(envelope) => {
                hosts::confirmed(&format!("delete {what}"), envelope.data)?;
                Ok(Deletion::Confirmed)
            }
            Answer::GoneAfterLostAnswer => Ok(Deletion::AfterLostAnswer),
        }
    }
}

/// Configures a [`TraceView`]. Defaults: the AppNeta site, 10 s connect timeout, 30 s
/// total timeout per attempt, [`RetryPolicy::default`], user agent [`USER_AGENT`],
/// response bodies up to
/// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::config::value::DEFAULT_MAX_RESPONSE_BYTES).
#[derive(Debug, Clone)]
pub struct TraceViewBuilder {
    site: Result<Site, Error>,
    key: Option<Result<ApiKey, Error>>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    http: Option<reqwest::Client>,
    allow_plain_http: bool,
    max_response_bytes: u64,
    recorder: Option<Arc<dyn crate::record::ExchangeRecorder>>,
    deadline: Option<Deadline>,
}

impl Default for TraceViewBuilder {
    fn default() -> Self {
        TraceViewBuilder {
            site: Ok(Site::AppNeta),
            key: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent: USER_AGENT.to_string(),
            http: None,
            allow_plain_http: false,
            max_response_bytes: crate::config::value::DEFAULT_MAX_RESPONSE_BYTES,
            recorder: None,
            deadline: None,
        }
    }
}

impl TraceViewBuilder {
    /// Where to send requests: `appneta`, `solarwinds` or a base URL such as
    /// `http://127.0.0.1:8642/api-v2`.
    pub fn site(mut self, site: &str) -> Self {
        self.site = site.parse();
        self
    }

    /// The access key.
    pub fn api_key(mut self, key: &str) -> Self {
        self.key = Some(ApiKey::new(key));
        self
    }

    /// The access key, already wrapped.
    pub fn key(mut self, key: ApiKey) -> Self {
        self.key = Some(Ok(key));
        self
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, from sending to the end of the body (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How failed calls are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Uses a caller-built HTTP client (its timeouts and user agent then apply instead
    /// of this builder's).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Allows sending the key over plain `http://` to a host that is not loopback (a
    /// sandbox on another machine or in a container); a warning is logged when used.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }

    /// The largest response body read, in bytes (default 64 MiB). A larger answer fails
    /// with [`Error::ResponseTooLarge`] as soon as the limit is passed, so memory stays
    /// bounded whatever the server sends.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// One deadline for everything the client does (see [`Deadline`]): each attempt's
    /// timeout and each wait between attempts is clipped to the time left, and a call
    /// with none left fails with [`Error::DeadlineExceeded`]. Default: none.
    pub fn deadline(mut self, deadline: Deadline) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Hands every answered exchange, scrubbed of the key and anything named like a
    /// secret, to `recorder` (see [`crate::record`]).
    pub fn recorder(mut self, recorder: Arc<dyn crate::record::ExchangeRecorder>) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// Builds the client. Fails on a missing or malformed key, a bad URL, or plain
    /// HTTP to a remote host without [`TraceViewBuilder::allow_plain_http`].
    pub fn build(self) -> Result<TraceView, Error> {
        let site = self.site?;
        let key = self.key.ok_or_else(|| {
            Error::config(
                crate::error::ConfigKind::MissingKey,
                "no API key: pass one, set TV_API_KEY, or add it to a profile",
            )
        })??;
        let base_url = site.base_url().to_string();
        site.check_transport(self.allow_plain_http)?;
        let http = match self.http {
            Some(client) => client,
            None => {
                tv_api::install_crypto_provider();
                let mut builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .user_agent(self.user_agent)
                    .pool_idle_timeout(Duration::from_secs(30))
                    // A redirect is a login page or another host: never follow it with the key.
                    .redirect(reqwest::redirect::Policy::none());
                if base_url.starts_with("http://") {
                    // Plain HTTP (the sandbox) never uses TLS, redirects being off: do not
                    // load the system's root certificates, which costs milliseconds per
                    // process. Any https:// connection would then fail verification.
                    builder = builder.tls_certs_only(std::iter::empty());
                }
                builder.build().map_err(|e| {
                    let e = e.without_url();
                    Error::config_caused(
                        crate::error::ConfigKind::HttpClient,
                        format!("cannot build the HTTP client: {e}"),
                        e,
                    )
                })?
            }
        };
        let server_date = Arc::new(ServerDate::default());
        let mut context = tv_api::ApiContext::new(key.wire())
            .with_observer(Arc::new(StatusProbe(server_date.clone())))
            .with_max_response_bytes(self.max_response_bytes);
        if let Some(recorder) = self.recorder {
            context = context.with_recorder(recorder);
        }
        Ok(TraceView {
            api: tv_api::Client::new_with_client(&base_url, http, context),
            policy: self.retry,
            counters: Arc::new(Counters::default()),
            slowdown: Arc::new(Slowdown::default()),
            base_url,
            server_date,
            deadline: self.deadline,
        })
    }
}
