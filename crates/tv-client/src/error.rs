//! The one error type of the crate.
//!
//! Every message is a single line written for people. Text that comes from outside (a
//! response body, an HTTP-library error carrying the URL) goes through the constructors
//! ([`Error::decode`], [`Error::unexpected_response`], [`Error::from_status`] and the
//! transport mapping of the client), which redact `key=` values, drop control characters
//! and terminal escape sequences, fold line breaks and cut the text to a short snippet.
//!
//! Errors that wrap another one (a connection failure, an unreadable profile file) keep
//! it as [`std::error::Error::source`] and say what kind of failure it was
//! ([`TransportKind`], [`ConfigKind`]), so callers decide by kind, never by message text.

use std::sync::Arc;
use std::time::Duration;

use crate::redact::redact;

mod missing;
mod text;

pub use missing::{Elsewhere, Missing};
use text::{envelope_message, size_text};
pub use text::{one_line, parse_retry_after, snippet};

/// The longest snippet of outside text an error keeps, in characters.
pub const SNIPPET_CHARS: usize = 160;

/// Everything that can go wrong when talking to TraceView or decoding what it said.
///
/// Deliberately not `#[non_exhaustive]`: callers such as `tv` map every variant to an
/// outcome with an exhaustive `match`, so a new kind of failure cannot slip through a
/// wildcard unnoticed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The server refused the access key (HTTP 403, or 401), or none was sent.
    #[error("the TraceView API refused the access key (missing or wrong key)")]
    Auth,
    /// The app, host, annotation or path does not exist (HTTP 404, or a workflow that
    /// looked for it); holds what was missing, as data.
    #[error("not found: {0}")]
    NotFound(Missing),
    /// The server rejected a parameter (HTTP 400); holds the server's message.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The server definitely did not apply a request: HTTP 413 (the request is too
    /// large) or a write answered `data: false`. Nothing to retry as is.
    #[error("refused by the TraceView API{}: {reason}", http_status(*.status))]
    Refused {
        /// The HTTP status (413, or 200 for a `data: false` answer).
        status: u16,
        /// What was refused, and why when the server said.
        reason: String,
    },
    /// Too many requests (HTTP 429), with the server's `Retry-After` when it sent one.
    #[error("rate limited by the TraceView API{}", retry_hint(.retry_after))]
    RateLimited {
        /// How long the server asked to wait before trying again.
        retry_after: Option<Duration>,
    },
    /// The server failed (HTTP 5xx).
    #[error("the TraceView API failed with HTTP {status}")]
    Server {
        /// The HTTP status code (500–599).
        status: u16,
    },
    /// The request did not complete within the configured timeout.
    #[error("the request to the TraceView API timed out")]
    Timeout,
    /// A response body was larger than the client's limit
    /// ([`TraceViewBuilder::max_response_bytes`](crate::TraceViewBuilder::max_response_bytes));
    /// reading stopped at the limit.
    #[error("the response is larger than the limit of {}", size_text(*.limit_bytes))]
    ResponseTooLarge {
        /// The limit in bytes.
        limit_bytes: u64,
    },
    /// The request could not be sent or its response not read (DNS, connection, TLS…).
    #[error("could not talk to the TraceView API: {detail}")]
    Transport {
        /// What failed.
        kind: TransportKind,
        /// A redacted one-line description.
        detail: String,
        /// The underlying error (its messages carry no URL).
        #[source]
        source: Option<Cause>,
    },
    /// The response was not what the API promises.
    #[error("cannot decode the response at {path}: {reason}{}", near(.snippet))]
    Decode {
        /// Where in the JSON document, e.g. `data.items[3][2]`.
        path: String,
        /// What is wrong there, e.g. `negative latency -5`.
        reason: String,
        /// A short, redacted excerpt of the offending value or body.
        snippet: String,
    },
    /// A status the API never sends on purpose (a redirect to a login page, 405, an
    /// HTML error page…), with a redacted excerpt of the body.
    #[error("unexpected response from the TraceView API (HTTP {status}): {snippet}")]
    UnexpectedResponse {
        /// The HTTP status code.
        status: u16,
        /// A short, redacted excerpt of the body.
        snippet: String,
    },
    /// The configuration (flags, environment, profile file, key) is unusable.
    #[error("configuration error: {detail}")]
    Config {
        /// Which part of the configuration.
        kind: ConfigKind,
        /// What is wrong and, where it helps, how to fix it (no `configuration error:`
        /// prefix: the message adds it once).
        detail: String,
        /// The underlying error (e.g. the I/O error reading the profile file).
        #[source]
        source: Option<Cause>,
    },
    /// A write failed after the request may have reached the server: it may or may not
    /// have been applied. `log_message` and `assign_app` are not retried, because a retry
    /// could apply them twice; a delete (which cannot duplicate) that ran out of
    /// attempts is reported the same way. Check before repeating it.
    #[error(
        "{operation}: the outcome is unknown (the server may have applied it{}): {cause}",
        match (*.retried, *.duplicable) {
            (true, _) => "",
            (false, true) => "; not retried to avoid a duplicate",
            (false, false) => "; the retry policy allows one attempt",
        }
    )]
    OutcomeUnknown {
        /// The operation, e.g. `log_message`.
        operation: &'static str,
        /// Whether the operation was retried (deletes are; other writes are not).
        retried: bool,
        /// Whether repeating it could apply it twice (`log_message`, `assign_app`; not
        /// a delete).
        duplicable: bool,
        /// What went wrong.
        cause: Box<Error>,
    },
    /// The run's deadline ([`Deadline`](crate::Deadline)) left no time for this call:
    /// it was not sent, or its attempt was cut short, or a wait before a retry would
    /// have passed the deadline (then `after` is the failure that was being retried).
    #[error(
        "stopped at the run's deadline of {:?}{}{}",
        .budget,
        if *.interrupted { " (an answer was still awaited)" } else { "" },
        match .after { Some(e) => format!(", after: {e}"), None => String::new() }
    )]
    DeadlineExceeded {
        /// The whole run's budget (e.g. `--deadline 5s`).
        budget: Duration,
        /// Whether an attempt was in flight when the deadline fell (a write may then
        /// have been applied).
        interrupted: bool,
        /// The failure a retry was waiting to get past, if any.
        after: Option<Box<Error>>,
    },
    /// A caller-supplied argument is unusable (e.g. a resampling step that is not a
    /// multiple of the series' step).
    #[error("invalid argument: {detail}")]
    InvalidArgument {
        /// What is wrong.
        detail: String,
        /// The underlying error, when there is one.
        #[source]
        source: Option<Cause>,
    },
}

/// What kind of [`Error::Transport`] failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// The server refused the connection (nothing listens there).
    ConnectionRefused,
    /// The host name could not be resolved.
    Dns,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// Any other failure to connect; the request was not sent.
    Connect,
    /// The connection failed after the request may have been sent.
    Send,
    /// The response body could not be read to the end.
    Body,
}

impl TransportKind {
    /// Whether the request cannot have reached the server: a write that failed this
    /// way was certainly not applied.
    pub fn before_sending(self) -> bool {
        matches!(
            self,
            TransportKind::ConnectionRefused
                | TransportKind::Dns
                | TransportKind::Tls
                | TransportKind::Connect
        )
    }
}

/// What kind of [`Error::Config`] problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    /// No access key anywhere.
    MissingKey,
    /// The key is empty, holds spaces or control characters, or its file is unreadable.
    InvalidKey,
    /// The base URL (or site name) is unusable, e.g. without `/api-v2`.
    InvalidBaseUrl,
    /// Plain `http://` to a host that is not this machine, without the opt-in.
    PlainHttp,
    /// A profile asked for does not exist, or its key belongs to another site.
    Profile,
    /// The profile file cannot be read, parsed or written.
    ProfileFile,
    /// A setting has an unusable value (a timeout of zero, an unknown setting…).
    InvalidSetting,
    /// The HTTP client could not be built.
    HttpClient,
}

/// The underlying error of an [`Error`], shared so that errors stay cheap to clone.
/// Two causes compare equal when their messages do.
#[derive(Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Cause {
    /// Wraps an error.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Cause(Arc::new(error))
    }

    /// The wrapped error, e.g. to downcast it.
    pub fn get(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl std::fmt::Debug for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The Debug form of an HTTP error may hold a URL: print the redacted message.
        write!(f, "Cause({:?})", redact(&self.0.to_string()))
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(&self.0.to_string()))
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

fn near(snippet: &str) -> String {
    if snippet.is_empty() {
        String::new()
    } else {
        format!(" (near `{snippet}`)")
    }
}

fn http_status(status: u16) -> String {
    if status == 200 {
        String::new()
    } else {
        format!(" (HTTP {status})")
    }
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (retry after {} s)", d.as_secs_f64().ceil()),
        None => String::new(),
    }
}

impl Error {
    /// A [`Error::Transport`] of `kind`, its description redacted and folded to one line.
    pub fn transport(
        kind: TransportKind,
        detail: impl std::fmt::Display,
        source: Option<Cause>,
    ) -> Self {
        Error::Transport {
            kind,
            detail: one_line(&detail.to_string(), usize::MAX),
            source,
        }
    }

    /// A [`Error::Config`] of `kind` without an underlying error.
    pub fn config(kind: ConfigKind, detail: impl Into<String>) -> Self {
        Error::Config {
            kind,
            detail: detail.into(),
            source: None,
        }
    }

    /// A [`Error::Config`] of `kind` caused by `source`.
    pub fn config_caused(
        kind: ConfigKind,
        detail: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Config {
            kind,
            detail: detail.into(),
            source: Some(Cause::new(source)),
        }
    }

    /// An [`Error::InvalidArgument`] without an underlying error.
    pub fn invalid_argument(detail: impl Into<String>) -> Self {
        Error::InvalidArgument {
            detail: detail.into(),
            source: None,
        }
    }

    /// The same error with ` (from ORIGIN)` added to a configuration error's detail,
    /// e.g. `(from environment variable TV_BASE_URL)`; other errors are unchanged.
    pub fn from_origin(self, origin: impl std::fmt::Display) -> Self {
        match self {
            Error::Config {
                kind,
                detail,
                source,
            } => Error::Config {
                kind,
                detail: format!("{detail} (from {origin})"),
                source,
            },
            other => other,
        }
    }

    /// A [`Error::Decode`] at `path`, with the offending text cut to a snippet.
    pub fn decode(path: impl Into<String>, reason: impl Into<String>, offending: &str) -> Self {
        Error::Decode {
            path: one_line(&path.into(), usize::MAX),
            reason: one_line(&reason.into(), usize::MAX),
            snippet: snippet(offending),
        }
    }

    /// A [`Error::UnexpectedResponse`] with a snippet of `body`.
    pub fn unexpected_response(status: u16, body: &str) -> Self {
        Error::UnexpectedResponse {
            status,
            snippet: snippet(body),
        }
    }

    /// Maps a non-200 HTTP answer to an error, following the project's decisions:
    /// 400 → [`Error::BadRequest`], 401/403 → [`Error::Auth`], 404 → [`Error::NotFound`],
    /// 413 → [`Error::Refused`], 429 → [`Error::RateLimited`], 5xx → [`Error::Server`],
    /// anything else (3xx, 405, a 200 is not expected here) →
    /// [`Error::UnexpectedResponse`].
    ///
    /// The message of 400/404/413 is the `data` string of the error envelope
    /// `{"data": "<message>", "response": "error"}` when the body is one, else a snippet
    /// of the body.
    pub fn from_status(status: u16, body: &str, retry_after: Option<Duration>) -> Self {
        Error::by_status(
            status,
            || envelope_message(body).unwrap_or_else(|| snippet(body)),
            || body.to_owned(),
            retry_after,
        )
    }

    /// [`Error::from_status`] for an error envelope the generated client already read:
    /// `data` is its message (with the key hidden), used as it is, not written back to
    /// JSON and read again.
    pub(crate) fn from_envelope(status: u16, data: &str, retry_after: Option<Duration>) -> Self {
        Error::by_status(
            status,
            || one_line(data, SNIPPET_CHARS),
            || serde_json::json!({ "data": data, "response": "error" }).to_string(),
            retry_after,
        )
    }

    /// The mapping of [`Error::from_status`]: `message` is what a 400/404/413 says,
    /// `body` what an unexpected status quotes.
    fn by_status(
        status: u16,
        message: impl FnOnce() -> String,
        body: impl FnOnce() -> String,
        retry_after: Option<Duration>,
    ) -> Self {
        match status {
            400 => Error::BadRequest(message()),
            401 | 403 => Error::Auth,
            404 => Error::NotFound(Missing::Server(message())),
            413 => Error::Refused {
                status,
                reason: match message() {
                    m if m.is_empty() => "the request is too large".to_owned(),
                    m => format!("the request is too large: {m}"),
                },
            },
            429 => Error::RateLimited { retry_after },
            500..=599 => Error::Server { status },
            _ => Error::unexpected_response(status, &body()),
        }
    }

    /// Whether repeating the same *idempotent* request may succeed: rate limiting (429),
    /// server failures (500, 502, 503, 504 — also as HTML pages from a proxy), timeouts
    /// and transport (connection) errors other than TLS. Client errors, decode errors,
    /// oversized answers and redirects are final. (500 is included because a GET cannot
    /// do harm by being repeated and proxies and overloaded back ends answer 500
    /// transiently.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { kind, .. } => *kind != TransportKind::Tls,
            _ => self.is_transient(),
        }
    }

    /// Whether the run's deadline ended this call ([`Error::DeadlineExceeded`], also as
    /// the cause of an unknown write outcome): tv stopped, the server did not refuse.
    pub fn is_deadline(&self) -> bool {
        match self {
            Error::DeadlineExceeded { .. } => true,
            Error::OutcomeUnknown { cause, .. } => cause.is_deadline(),
            _ => false,
        }
    }

    /// Whether the server (or the way to it) said it is overloaded or failing for now:
    /// rate limiting (429), a timeout, or a server failure a repeated request may get
    /// past (500, 502, 503, 504, also as an HTML page from a proxy). The one list behind
    /// [`Error::is_retryable`] and the fan-out's overload signal.
    pub(crate) fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. }
                | Error::Timeout
                | Error::Server {
                    status: 500 | 502..=504,
                }
                | Error::UnexpectedResponse {
                    status: 500 | 502..=504,
                    ..
                }
        )
    }

    /// Whether a write that failed this way may nevertheless have been applied by the
    /// server: the request may have reached it and the answer did not say no (a server
    /// failure, a timeout, a lost connection, an answer that cannot be read). A refusal
    /// (any 4xx, `data: false`) or a failure to connect proves nothing was applied.
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::Server { .. }
            | Error::Timeout
            | Error::Decode { .. }
            | Error::ResponseTooLarge { .. } => true,
            Error::UnexpectedResponse { status, .. } => !(400..500).contains(status),
            Error::Transport { kind, .. } => !kind.before_sending(),
            Error::OutcomeUnknown { .. } => true,
            Error::DeadlineExceeded {
                interrupted, after, ..
            } => *interrupted || after.as_ref().is_some_and(|e| e.may_have_been_applied()),
            Error::Auth
            | Error::NotFound(_)
            | Error::BadRequest(_)
            | Error::Refused { .. }
            | Error::RateLimited { .. }
            | Error::Config { .. }
            | Error::InvalidArgument { .. } => false,
        }
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
