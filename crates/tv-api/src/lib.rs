//! Raw TraceView API v2 endpoints, generated from `openapi/traceview-v2.yaml`.
//!
//! # `tv-api` or `tv-client`?
//!
//! Most programs want **`tv-client`**: typed timeseries (`Duration`s, not microsecond
//! floats), the latency math, retries, timeouts, configuration profiles and errors
//! written for people. Pick **`tv-api`** when you need the wire exactly as the spec
//! describes it: every operation and parameter, the envelopes as sent, nothing added —
//! for example to write a proxy, to test a server against the spec, or to reach a
//! field the typed layer does not model.
//!
//! This crate is generated code plus one hand-written piece: [`ApiContext`], which the
//! generated [`Client`] carries and whose hook adds the `key` query parameter to every
//! request. The key is kept in [`ApiKey`], whose `Debug` prints `***`.
//!
//! ```no_run
//! use tv_api::{ApiContext, ApiKey, Client, types::TimeWindow};
//!
//! # async fn run() -> Result<(), tv_api::Error<tv_api::types::ErrorEnvelope>> {
//! let context = ApiContext::new(ApiKey::new("my-access-key"));
//! let client = Client::new("https://api.tv.appneta.com/api-v2", context);
//!
//! let apps = client.list_apps().send().await?.into_inner();
//! println!("apps: {:?}", apps.data);
//!
//! let summary = client
//!     .get_server_latency_summary()
//!     .app("web-shop")
//!     .time_window(TimeWindow::Day)
//!     .send()
//!     .await?
//!     .into_inner();
//! println!("average: {:?} µs over {:?} traces", summary.data.average, summary.data.count);
//! # Ok(())
//! # }
//! ```
//!
//! # What the types enforce
//!
//! The wire types follow the spec's constraints: a series answer has one type per
//! operation ([`types::LatencySeries`], [`types::ErrorRateSeries`],
//! [`types::TotalRequestsSeries`]) whose `fields` is the one header the operation sends
//! and whose rows are fixed-width arrays, so an answer with another header or row width
//! is a decode error. The writes' parameters are checked types
//! ([`types::HostName`]: 1 to 255 characters, no control characters;
//! [`types::AssignableAppName`]: at most 40; [`types::MessageText`], [`types::Tags`],
//! [`types::LayerName`]), built with `"web-1".parse::<HostName>()` or `TryFrom`, so a
//! value the server would refuse is refused before it is sent. Numeric bounds (epoch
//! ranges, whole counts) are documented on the fields and checked by `tv-client`, not
//! by these types.
//!
//! Regenerate with `cargo xtask codegen` after changing the spec; never edit
//! `generated.rs` by hand (`cargo test` fails when it is stale).

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, missing_docs, unused, rustdoc::all)]
mod generated;

pub use generated::*;

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, rustdoc::all)]
mod generated_filters;

pub mod filters;
pub mod recording;
pub use recording::{ExchangeRecorder, RecordedExchange};

/// The one definition of the time window: the spec's `TimeWindow` (generated, with its
/// wire names, serde, JSON Schema, `Display` and `FromStr`), extended here with the
/// project's binding decision: `hour` is 120 slices of 30 s, `day` is 96 slices of
/// 15 min, `week` is 84 slices of 2 h; the default is `hour`; a window ends at
/// `time_end` (or now). tv-client and tv-cli use this type; adding a window to the spec
/// is a change here plus regeneration.
impl types::TimeWindow {
    /// Every window, shortest first.
    pub const ALL: [types::TimeWindow; 3] = [Self::Hour, Self::Day, Self::Week];

    /// The step between two consecutive points of a series over this window.
    pub const fn step(self) -> std::time::Duration {
        match self {
            Self::Hour => std::time::Duration::from_secs(30),
            Self::Day => std::time::Duration::from_secs(15 * 60),
            Self::Week => std::time::Duration::from_secs(2 * 60 * 60),
        }
    }

    /// The number of points in a full series over this window.
    pub const fn points(self) -> u32 {
        match self {
            Self::Hour => 120,
            Self::Day => 96,
            Self::Week => 84,
        }
    }

    /// The length of the window (`step() × points()`): 1 h, 24 h or 168 h.
    pub const fn duration(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.step().as_secs() * self.points() as u64)
    }

    /// The name the API uses for this window (`hour`, `day`, `week`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Week => "week",
        }
    }

    /// The `time_end` of the window just before the one ending at `end`
    /// (`end − duration()`), as used for window-over-window comparisons and for
    /// stitching consecutive windows. `None` only when the result is out of chrono's range.
    pub fn previous_end(
        self,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let secs = i64::try_from(self.duration().as_secs()).ok()?;
        end.checked_sub_signed(chrono::TimeDelta::try_seconds(secs)?)
    }
}

/// Name of the query parameter that carries the access key.
pub const KEY_PARAMETER: &str = "key";

/// The organization's access key. `Debug` and `Display` print `***`.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(SecretString::from(key.into()))
    }

    /// The key itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// What happened to one HTTP exchange, handed to a [`ResponseObserver`].
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The spec's operationId, e.g. `get_server_latency_summary`.
    pub operation: &'a str,
    /// The HTTP status, or `None` when no response arrived (connection error, timeout).
    pub status: Option<reqwest::StatusCode>,
    /// The response headers, when a response arrived.
    pub headers: Option<&'a reqwest::header::HeaderMap>,
    /// Time from sending the request to receiving the response head.
    pub elapsed: std::time::Duration,
    /// The request method.
    pub method: &'a reqwest::Method,
    /// The request URL, including the `key` parameter: redact before printing.
    pub url: &'a reqwest::Url,
}

/// The error a response body yields once it exceeds the limit of
/// [`ApiContext::with_max_response_bytes`]; reading stops there. It reaches callers as
/// the source of the body's `reqwest::Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseTooLarge {
    /// The limit in bytes.
    pub limit_bytes: u64,
}

impl fmt::Display for ResponseTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the response is larger than {} bytes", self.limit_bytes)
    }
}

impl std::error::Error for ResponseTooLarge {}

/// Sees every exchange of a [`Client`]; `tv-client` uses it for logging, counters and
/// to keep the status of responses whose body is not the expected JSON.
pub trait ResponseObserver: Send + Sync {
    /// Called once per HTTP attempt, after the response head (or the failure).
    fn observe(&self, exchange: &Exchange<'_>);
}

/// The state the generated [`Client`] carries: the key, an optional observer and an
/// optional limit on the size of response bodies.
#[derive(Clone)]
pub struct ApiContext {
    key: ApiKey,
    observer: Option<Arc<dyn ResponseObserver>>,
    capture: Option<Arc<Mutex<Vec<CapturedRequest>>>>,
    recorder: Option<Arc<dyn ExchangeRecorder>>,
    max_response_bytes: Option<u64>,
}

// ---- dry runs (tv annotate/app/host --dry-run) -------------------------------------

/// A request that a dry-run client built, with the key in it, and did not send.
#[derive(Clone)]
pub struct CapturedRequest {
    /// The operationId, e.g. `log_message`.
    pub operation: &'static str,
    /// `GET`, `POST`, `DELETE`.
    pub method: String,
    /// The full URL, `key` included: redact before showing it.
    pub url: reqwest::Url,
    /// The form body of a POST, as it would go on the wire.
    pub body: Option<Vec<u8>>,
}

impl fmt::Debug for CapturedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CapturedRequest")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("url", &"(holds the key)")
            .finish_non_exhaustive()
    }
}

/// What a dry-run client answers instead of sending: the success envelope of a write.
const DRY_RUN_ANSWER: &str = r#"{"data":true,"response":"ok"}"#;

/// Records `request` and makes the answer a write gets when it succeeds.
fn capture(
    sink: &Mutex<Vec<CapturedRequest>>,
    request: &reqwest::Request,
    operation: &'static str,
) -> reqwest::Response {
    let captured = CapturedRequest {
        operation,
        method: request.method().to_string(),
        url: request.url().clone(),
        body: request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map(<[u8]>::to_vec),
    };
    match sink.lock() {
        Ok(mut requests) => requests.push(captured),
        Err(poisoned) => poisoned.into_inner().push(captured),
    }
    let mut answer = http::Response::new(DRY_RUN_ANSWER);
    answer.headers_mut().insert(
        reqwest::header::CONTENT_TYPE,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    reqwest::Response::from(answer)
}
// ---- end of dry runs ---------------------------------------------------------------

/// Installs rustls' *ring* crypto provider as the process default, unless the program
/// installed one first (then that one stays). Idempotent and cheap.
///
/// reqwest is built here without a provider of its own (aws-lc-rs, its default, costs
/// about a minute of C in a cold build), so every `reqwest::Client` needs a process
/// default before it is built. [`ApiContext::new`] calls this, so the documented order
/// (context, then [`Client::new`]) just works, and so does `tv-client`'s builder; a
/// program that builds its own `reqwest::Client` first calls this itself.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err only when another thread installed one in between: that one stays.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

impl ApiContext {
    /// A context that sends `key` on every request. Installs the TLS crypto provider
    /// the generated [`Client::new`] needs ([`install_crypto_provider`]).
    pub fn new(key: ApiKey) -> Self {
        install_crypto_provider();
        Self {
            key,
            observer: None,
            capture: None,
            recorder: None,
            max_response_bytes: None,
        }
    }

    /// Stops reading any response body past `limit` bytes (a declared
    /// `Content-Length` above it fails before reading): the body then fails with
    /// [`ResponseTooLarge`] as its error's source, and memory stays bounded.
    pub fn with_max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Adds an observer called after every exchange.
    pub fn with_observer(mut self, observer: Arc<dyn ResponseObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Makes the client a dry run: every request is recorded into `sink`, nothing is
    /// sent, and each is answered `{"data": true, "response": "ok"}` (a write's success).
    pub fn with_capture(mut self, sink: Arc<Mutex<Vec<CapturedRequest>>>) -> Self {
        self.capture = Some(sink);
        self
    }

    /// Hands every answered exchange, scrubbed of the key, to `recorder`
    /// (`tv --record DIR`); each answer's body is then read whole before decoding.
    pub fn with_recorder(mut self, recorder: Arc<dyn ExchangeRecorder>) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// The key this context sends.
    pub fn key(&self) -> &ApiKey {
        &self.key
    }
}

impl fmt::Debug for ApiContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiContext")
            .field("key", &self.key)
            .field("observer", &self.observer.is_some())
            .field("dry_run", &self.capture.is_some())
            .field("recording", &self.recorder.is_some())
            .finish()
    }
}

impl progenitor_client::ClientHooks<ApiContext> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &progenitor_client::OperationInfo,
    ) -> Result<(), Error<E>> {
        let key = self.inner().key.expose();
        request
            .url_mut()
            .query_pairs_mut()
            .append_pair(KEY_PARAMETER, key);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        if let Some(sink) = &self.inner().capture {
            return Ok(capture(sink, &request, info.operation_id));
        }
        let started = Instant::now();
        let method = request.method().clone();
        let url = request.url().clone();
        let request_body = self.inner().recorder.as_ref().and_then(|_| {
            request
                .body()
                .and_then(reqwest::Body::as_bytes)
                .map(<[u8]>::to_vec)
        });
        let result = self.client().execute(request).await;
        if let Some(observer) = &self.inner().observer {
            observer.observe(&Exchange {
                operation: info.operation_id,
                status: result.as_ref().ok().map(reqwest::Response::status),
                headers: result.as_ref().ok().map(reqwest::Response::headers),
                elapsed: started.elapsed(),
                method: &method,
                url: &url,
            });
        }
        let result = match (result, self.inner().max_response_bytes) {
            (Ok(response), Some(limit)) => Ok(limit_body(response, limit)),
            (result, _) => result,
        };
        match (result, &self.inner().recorder) {
            (Ok(response), Some(recorder)) => {
                let sent = recording::Sent {
                    operation: info.operation_id,
                    method: &method,
                    url: &url,
                    body: request_body,
                    base_url: self.baseurl(),
                    key: self.inner().key.expose(),
                };
                recording::record(recorder.as_ref(), sent, response).await
            }
            (result, _) => result,
        }
    }
}

/// `response` with a body that fails with [`ResponseTooLarge`] past `limit` bytes.
fn limit_body(response: reqwest::Response, limit: u64) -> reqwest::Response {
    use futures::StreamExt;
    type BoxError = Box<dyn std::error::Error + Send + Sync>;

    let declared_too_large = response.content_length().is_some_and(|n| n > limit);
    let mut head = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = head.headers_mut() {
        *headers = response.headers().clone();
    }
    let mut seen: u64 = 0;
    let chunks = response
        .bytes_stream()
        .map(move |chunk| -> Result<_, BoxError> {
            let chunk = chunk?;
            seen = seen.saturating_add(chunk.len() as u64);
            if declared_too_large || seen > limit {
                return Err(Box::new(ResponseTooLarge { limit_bytes: limit }));
            }
            Ok(chunk)
        });
    match head.body(reqwest::Body::wrap_stream(chunks)) {
        Ok(limited) => reqwest::Response::from(limited),
        // Unreachable: status, version and headers come from a valid response.
        Err(_) => reqwest::Response::from(http::Response::new(reqwest::Body::from(""))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_prints() {
        let context = ApiContext::new(ApiKey::new("s3cr3t-key"));
        assert_eq!(
            format!("{context:?}"),
            "ApiContext { key: ApiKey(***), observer: false, dry_run: false, recording: false }"
        );
        assert_eq!(context.key().to_string(), "***");
        assert_eq!(context.key().expose(), "s3cr3t-key");
    }
}
