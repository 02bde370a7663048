//! One logical API call: attempts, retries with backoff, error mapping, counters and
//! the `tracing` event of every attempt.

use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use tv_api::types::ErrorEnvelope;
use tv_api::{Exchange, ResponseObserver, ResponseValue};

use crate::client::retry::RetryPolicy;
use crate::error::{Error, parse_retry_after, snippet};
use crate::secret::hide_key;

/// What the generated client returns.
pub(crate) type ApiResult<T> = Result<ResponseValue<T>, tv_api::Error<ErrorEnvelope>>;

/// How much of an unexpected body is read to quote it in an error.
const BODY_EXCERPT_BYTES: usize = 16 * 1024;

tokio::task_local! {
    /// The HTTP status of the attempt running in this task, recorded by [`StatusProbe`]:
    /// progenitor drops it when a body fails to decode (an HTML 502 page), and errors
    /// must still say which status came back.
    static LAST_STATUS: Cell<Option<(u16, Option<Duration>)>>;
}

/// The observer installed in the generated client: notes each response's status.
pub(crate) struct StatusProbe;

impl ResponseObserver for StatusProbe {
    fn observe(&self, exchange: &Exchange<'_>) {
        let status = exchange
            .status
            .map(|s| (s.as_u16(), exchange.headers.and_then(retry_after)));
        let _ = LAST_STATUS.try_with(|cell| cell.set(status));
    }
}

/// Whether an operation may be repeated without changing the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// GET and DELETE: retried on transient failures.
    Idempotent,
    /// `log_message`, `assign_app`: a retry could duplicate the write.
    Write,
}

/// Request counters of a client, shared by its clones.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    waited_micros: AtomicU64,
}

/// A snapshot of a client's request counters (`tv --timings` prints them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP attempts made (first tries and retries).
    pub requests: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Time spent waiting between attempts.
    pub waited: Duration,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            waited: Duration::from_micros(self.waited_micros.load(Ordering::Relaxed)),
        }
    }
}

/// Runs `send` until it succeeds, fails for good, or the policy's attempts run out.
/// `key` is hidden from every text an error quotes from the server (an error page may
/// echo the key anywhere, not only as `key=…`).
pub(crate) async fn call<T, F, Fut>(
    operation: &'static str,
    kind: Kind,
    policy: &RetryPolicy,
    counters: &Counters,
    key: &str,
    send: F,
) -> Result<T, Error>
where
    T: DeserializeOwned,
    F: Fn() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    let mut attempt: u32 = 0;
    loop {
        attempt += 1;
        let started = Instant::now();
        let (result, status) = LAST_STATUS
            .scope(Cell::new(None), async {
                let result = send().await;
                (result, LAST_STATUS.with(Cell::get))
            })
            .await;
        counters.requests.fetch_add(1, Ordering::Relaxed);
        let (status, status_retry_after) = match status {
            Some((code, retry_after)) => (Some(code), retry_after),
            None => (None, None),
        };
        let outcome = match result {
            Ok(value) => Ok(value.into_inner()),
            Err(error) => Err(map_error::<T>(error, status, status_retry_after, key).await),
        };
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        match &outcome {
            Ok(_) => tracing::debug!(operation, attempt, status, elapsed_ms, "TraceView request"),
            Err(error) => {
                tracing::debug!(operation, attempt, status, elapsed_ms, %error, "TraceView request failed")
            }
        }
        let error = match outcome {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let may_retry = kind == Kind::Idempotent || policy.retries_writes();
        if !may_retry {
            return Err(unknown_write_outcome(operation, error));
        }
        if !error.is_retryable() || attempt >= policy.attempts() {
            return Err(error);
        }
        let retry_after = match &error {
            Error::RateLimited { retry_after } => *retry_after,
            _ => None,
        };
        let Some(delay) = policy.delay(attempt, retry_after) else {
            // The server asked to wait longer than the policy allows.
            return Err(error);
        };
        counters.retries.fetch_add(1, Ordering::Relaxed);
        counters
            .waited_micros
            .fetch_add(delay.as_micros() as u64, Ordering::Relaxed);
        tracing::info!(operation, attempt, delay_ms = delay.as_millis() as u64, %error, "retrying");
        tokio::time::sleep(delay).await;
    }
}

/// A write that failed after it may have reached the server is reported as such, so
/// callers do not repeat it blindly. Failures that prove nothing was applied (a
/// rejected request, a refused connection) pass through.
fn unknown_write_outcome(operation: &'static str, error: Error) -> Error {
    match error {
        Error::Server { .. }
        | Error::Timeout
        | Error::UnexpectedResponse { .. }
        | Error::Decode { .. } => Error::OutcomeUnknown {
            operation,
            cause: Box::new(error),
        },
        Error::Transport(ref text) if !text.starts_with(CONNECT_PREFIX) => Error::OutcomeUnknown {
            operation,
            cause: Box::new(error),
        },
        other => other,
    }
}

/// Prefix of transport errors that happened before the request was sent.
const CONNECT_PREFIX: &str = "cannot connect";

async fn map_error<T: DeserializeOwned>(
    error: tv_api::Error<ErrorEnvelope>,
    status: Option<u16>,
    status_retry_after: Option<Duration>,
    key: &str,
) -> Error {
    use tv_api::Error as E;
    match error {
        E::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let envelope = response.into_inner();
            let data = hide_key(&envelope.data, key);
            let body = serde_json::json!({ "data": data, "response": "error" }).to_string();
            Error::from_status(status, &body, retry_after)
        }
        E::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let body = read_excerpt(response, key).await;
            from_odd_body(status, &body, retry_after)
        }
        E::InvalidResponsePayload(bytes, parse_error) => {
            let body = String::from_utf8_lossy(&bytes[..bytes.len().min(BODY_EXCERPT_BYTES)]);
            match status {
                Some(status) if status != 200 => {
                    from_odd_body(status, &hide_key(&body, key), status_retry_after)
                }
                _ => decode_error::<T>(&bytes, &parse_error, key),
            }
        }
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => transport(&e),
        E::InvalidRequest(message) => Error::InvalidArgument(message),
        E::Custom(message) => Error::transport(message),
    }
}

/// An error status whose body is not the error envelope (an HTML page from a proxy,
/// an empty body): server failures and redirects keep the status and an excerpt of
/// the body; the statuses with a meaning of their own (400, 403, 404, 429) keep it.
fn from_odd_body(status: u16, body: &str, retry_after: Option<Duration>) -> Error {
    let is_json = serde_json::from_str::<serde_json::Value>(body).is_ok();
    if (500..600).contains(&status) && !is_json || (300..400).contains(&status) {
        return Error::unexpected_response(status, body);
    }
    if body.trim().is_empty() {
        return Error::from_status(
            status,
            &format!("HTTP {status} with an empty body"),
            retry_after,
        );
    }
    Error::from_status(status, body, retry_after)
}

/// Explains a 200 whose body is not the promised envelope, naming the JSON path.
fn decode_error<T: DeserializeOwned>(
    bytes: &[u8],
    parse_error: &serde_json::Error,
    key: &str,
) -> Error {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(BODY_EXCERPT_BYTES)]);
    let text = hide_key(&text, key);
    if let Ok(envelope) = serde_json::from_slice::<ErrorEnvelope>(bytes) {
        return Error::unexpected_response(
            200,
            &format!(
                "error envelope with HTTP 200: {}",
                hide_key(&envelope.data, key)
            ),
        );
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) => {
            let path = json_path(&e.path().to_string());
            Error::decode(path, hide_key(&e.inner().to_string(), key), &text)
        }
        Ok(_) => Error::decode("$", hide_key(&parse_error.to_string(), key), &text),
    }
}

/// A `serde_path_to_error` path as shown to people: the document itself is `$`, and an
/// unknown last segment (`data.?`, where the document ended) names its parent.
fn json_path(path: &str) -> String {
    let mut path = path;
    while let Some(parent) = path.strip_suffix(".?") {
        path = parent;
    }
    match path {
        "" | "." | "?" => "$".to_owned(),
        known => known.to_owned(),
    }
}

fn transport(error: &reqwest::Error) -> Error {
    if error.is_timeout() {
        return Error::Timeout;
    }
    // `without_url` drops the URL (and the key in its query) from the message; the
    // chain of sources says what actually went wrong.
    let mut text = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(current) = source {
        let part = current.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        source = current.source();
    }
    let text = strip_urls(&text);
    if error.is_connect() {
        Error::transport(format!("{CONNECT_PREFIX}: {text}"))
    } else {
        Error::transport(text)
    }
}

/// reqwest writes `error sending request for url (http://…?key=…)`; the URL adds
/// nothing a user needs (the base URL is known) and carries the key.
fn strip_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(" for url (") {
        out.push_str(&rest[..start]);
        match rest[start..].find(')') {
            Some(end) => rest = &rest[start + end + 1..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, chrono::Utc::now())
}

async fn read_excerpt(mut response: reqwest::Response, key: &str) -> String {
    let mut body = Vec::new();
    while body.len() < BODY_EXCERPT_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(BODY_EXCERPT_BYTES);
    snippet(&hide_key(&String::from_utf8_lossy(&body), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_stripped_from_transport_errors() {
        let text =
            "error sending request for url (http://x/api-v2/apps?key=s3cr3t): connection refused";
        assert_eq!(
            strip_urls(text),
            "error sending request: connection refused"
        );
    }

    #[test]
    fn decode_errors_name_the_json_path() {
        let body = br#"{"data": ["a", 3], "response": "ok"}"#;
        let parse = serde_json::from_slice::<tv_api::types::StringListEnvelope>(body).unwrap_err();
        let error = decode_error::<tv_api::types::StringListEnvelope>(body, &parse, "k3y-unused");
        match error {
            Error::Decode { path, .. } => assert_eq!(path, "data[1]"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_paths_read_well() {
        assert_eq!(json_path("."), "$");
        assert_eq!(json_path("?"), "$");
        assert_eq!(json_path("data.?"), "data");
        assert_eq!(json_path("data[2].timeseries.?"), "data[2].timeseries");
        assert_eq!(json_path("data.count"), "data.count");
    }

    #[test]
    fn an_error_envelope_with_200_is_unexpected() {
        let body = br#"{"data": "boom", "response": "error"}"#;
        let parse = serde_json::from_slice::<tv_api::types::StringListEnvelope>(body).unwrap_err();
        let error = decode_error::<tv_api::types::StringListEnvelope>(body, &parse, "k3y-unused");
        assert!(
            matches!(error, Error::UnexpectedResponse { status: 200, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("boom"));
    }

    #[test]
    fn writes_that_may_have_landed_are_flagged() {
        let error = unknown_write_outcome("log_message", Error::Server { status: 503 });
        assert!(matches!(error, Error::OutcomeUnknown { .. }));
        let refused = Error::transport(format!("{CONNECT_PREFIX}: connection refused"));
        assert!(matches!(
            unknown_write_outcome("log_message", refused),
            Error::Transport(_)
        ));
        assert!(matches!(
            unknown_write_outcome("log_message", Error::Auth),
            Error::Auth
        ));
    }
}
