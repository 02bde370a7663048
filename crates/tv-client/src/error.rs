//! The one error type of the crate.
//!
//! Every message is a single line written for people. Text that comes from outside (a
//! response body, an HTTP-library error carrying the URL) goes through the constructors
//! ([`Error::transport`], [`Error::decode`], [`Error::unexpected_response`],
//! [`Error::from_status`]), which redact `key=` values, fold line breaks and cut the
//! text to a short snippet.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::redact::redact;

/// The longest snippet of outside text an error keeps, in characters.
pub const SNIPPET_CHARS: usize = 160;

/// Everything that can go wrong when talking to TraceView or decoding what it said.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server refused the access key (HTTP 403, or 401), or none was sent.
    #[error("the TraceView API refused the access key (missing or wrong key)")]
    Auth,
    /// The app, host or path does not exist (HTTP 404); holds the server's message.
    #[error("not found: {0}")]
    NotFound(String),
    /// The server rejected a parameter (HTTP 400); holds the server's message.
    #[error("bad request: {0}")]
    BadRequest(String),
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
    /// The request could not be sent or its response not read (DNS, connection, TLS…);
    /// holds a redacted description.
    #[error("could not talk to the TraceView API: {0}")]
    Transport(String),
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
    #[error("configuration error: {0}")]
    Config(String),
    /// A write (`log_message`, `assign_app`) failed after the request may have reached
    /// the server: it may or may not have been applied. It was not retried, because a
    /// retry could apply it twice; check before repeating it.
    #[error(
        "{operation}: the outcome is unknown (the server may have applied it; not retried to avoid a duplicate): {cause}"
    )]
    OutcomeUnknown {
        /// The operation, e.g. `log_message`.
        operation: &'static str,
        /// What went wrong.
        cause: Box<Error>,
    },
    /// A caller-supplied argument is unusable (e.g. a resampling step that is not a
    /// multiple of the series' step).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

fn near(snippet: &str) -> String {
    if snippet.is_empty() {
        String::new()
    } else {
        format!(" (near `{snippet}`)")
    }
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (retry after {} s)", d.as_secs_f64().ceil()),
        None => String::new(),
    }
}

impl Error {
    /// A [`Error::Transport`] from any error text (e.g. a reqwest error), redacted and
    /// folded to one line.
    pub fn transport(err: impl std::fmt::Display) -> Self {
        Error::Transport(one_line(&err.to_string(), usize::MAX))
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
    /// 429 → [`Error::RateLimited`], 5xx → [`Error::Server`], anything else (3xx, 405, a
    /// 200 is not expected here) → [`Error::UnexpectedResponse`].
    ///
    /// The message of 400/404 is the `data` string of the error envelope
    /// `{"data": "<message>", "response": "error"}` when the body is one, else a snippet
    /// of the body.
    pub fn from_status(status: u16, body: &str, retry_after: Option<Duration>) -> Self {
        let message = || envelope_message(body).unwrap_or_else(|| snippet(body));
        match status {
            400 => Error::BadRequest(message()),
            401 | 403 => Error::Auth,
            404 => Error::NotFound(message()),
            429 => Error::RateLimited { retry_after },
            500..=599 => Error::Server { status },
            _ => Error::unexpected_response(status, body),
        }
    }

    /// Whether repeating the same *idempotent* request may succeed: rate limiting (429),
    /// server failures (500, 502, 503, 504 — also as HTML pages from a proxy), timeouts
    /// and transport (connection) errors. Client errors, decode errors and redirects are
    /// final. (500 is included because a GET cannot do harm by being repeated and
    /// proxies and overloaded back ends answer 500 transiently.)
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. }
                | Error::Server {
                    status: 500 | 502..=504
                }
                | Error::UnexpectedResponse {
                    status: 500 | 502..=504,
                    ..
                }
                | Error::Timeout
                | Error::Transport(_)
        )
    }
}

/// The `data` message of an error envelope `{"data": "...", "response": "error"}`,
/// redacted and folded to one line.
fn envelope_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    if value.get("response")?.as_str()? != "error" {
        return None;
    }
    let message = value.get("data")?.as_str()?;
    Some(one_line(message, SNIPPET_CHARS))
}

/// Redacts `text`, folds every run of whitespace and control characters into one space,
/// and cuts it to [`SNIPPET_CHARS`] characters (marking a cut with `…`).
pub fn snippet(text: &str) -> String {
    one_line(text, SNIPPET_CHARS)
}

fn one_line(text: &str, max_chars: usize) -> String {
    let redacted = redact(text);
    let mut out = String::with_capacity(redacted.len().min(max_chars.saturating_mul(4)));
    let mut chars = 0;
    let mut pending_space = false;
    for c in redacted.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = chars > 0;
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if chars + needed > max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
            chars += 1;
        }
        out.push(c);
        chars += 1;
    }
    out
}

/// Parses an HTTP `Retry-After` value: delay-seconds (`120`) or an HTTP date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, taken relative to `now`; a past date means zero).
/// Returns `None` for anything else.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_clear_line() {
        let errors = [
            Error::Auth,
            Error::NotFound("No host found with ID 123456789".into()),
            Error::BadRequest("invalid time_window".into()),
            Error::RateLimited {
                retry_after: Some(Duration::from_millis(1500)),
            },
            Error::RateLimited { retry_after: None },
            Error::Server { status: 502 },
            Error::Timeout,
            Error::transport(
                "error sending request for url (http://h/apps?key=SECRET)\ncaused by: refused",
            ),
            Error::decode(
                "data.items[3][2]",
                "negative latency -5",
                "[1353259590, 8, -5]",
            ),
            Error::unexpected_response(302, "<html>\n<body>Login</body></html>"),
            Error::Config("no API key: set TV_API_KEY or add a profile".into()),
            Error::InvalidArgument("step 7 s is not a multiple of 30 s".into()),
        ];
        for e in &errors {
            let text = e.to_string();
            assert!(!text.contains('\n'), "{text}");
            assert!(!text.contains("SECRET"), "{text}");
        }
        assert_eq!(
            errors[3].to_string(),
            "rate limited by the TraceView API (retry after 2 s)"
        );
        assert_eq!(
            errors[8].to_string(),
            "cannot decode the response at data.items[3][2]: negative latency -5 (near `[1353259590, 8, -5]`)"
        );
        assert_eq!(
            errors[9].to_string(),
            "unexpected response from the TraceView API (HTTP 302): <html> <body>Login</body></html>"
        );
    }

    #[test]
    fn maps_statuses_per_the_decisions() {
        let envelope = r#"{"data": "No host found with ID 123456789", "response": "error"}"#;
        assert_eq!(
            Error::from_status(404, envelope, None),
            Error::NotFound("No host found with ID 123456789".into())
        );
        assert_eq!(
            Error::from_status(
                400,
                r#"{"data":"bad time_window","response":"error"}"#,
                None
            ),
            Error::BadRequest("bad time_window".into())
        );
        assert_eq!(Error::from_status(403, envelope, None), Error::Auth);
        assert_eq!(
            Error::from_status(429, "", Some(Duration::from_secs(3))),
            Error::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert_eq!(
            Error::from_status(502, "<html>Bad Gateway</html>", None),
            Error::Server { status: 502 }
        );
        assert_eq!(
            Error::from_status(405, "Method Not Allowed", None),
            Error::UnexpectedResponse {
                status: 405,
                snippet: "Method Not Allowed".into()
            }
        );
        // A 400 whose body is not an envelope still says something.
        assert_eq!(
            Error::from_status(400, "oops\n", None),
            Error::BadRequest("oops".into())
        );
    }

    #[test]
    fn retryable_errors() {
        assert!(Error::Server { status: 503 }.is_retryable());
        assert!(Error::RateLimited { retry_after: None }.is_retryable());
        assert!(Error::transport("connection refused").is_retryable());
        assert!(Error::Server { status: 500 }.is_retryable());
        assert!(!Error::Server { status: 501 }.is_retryable());
        assert!(Error::Timeout.is_retryable());
        assert!(Error::unexpected_response(502, "<html>").is_retryable());
        assert!(!Error::unexpected_response(302, "<html>").is_retryable());
        assert!(!Error::Auth.is_retryable());
    }

    #[test]
    fn snippets_are_short_redacted_and_folded() {
        let long = format!("key=SECRET {}", "x".repeat(1000));
        let s = snippet(&long);
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.starts_with("key=*** x"));
        assert!(s.ends_with('…'));
        assert_eq!(snippet("  a \r\n\t b  "), "a b");
        assert_eq!(snippet(""), "");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

        /// A key travelling in a URL never reaches the text of an error, whichever
        /// constructor carried it.
        #[test]
        fn key_never_in_error_text(key in "[A-Za-z0-9-]{8,40}", status in 300u16..600) {
            let url = format!("https://api.tv.appneta.com/api-v2/apps?key={key}&x=1");
            let envelope = serde_json::json!({"data": format!("bad {url}"), "response": "error"}).to_string();
            let errors = [
                Error::transport(format!("error sending request for url ({url})")),
                Error::decode(format!("data[{url}]"), format!("at {url}"), &url),
                Error::unexpected_response(status, &format!("<a href=\"{url}\">login</a>")),
                Error::from_status(status, &envelope, None),
                Error::from_status(400, &envelope, None),
                Error::from_status(404, &url, None),
            ];
            for e in errors {
                proptest::prop_assert!(!e.to_string().contains(&key), "{}", e);
                proptest::prop_assert!(!format!("{e:?}").contains(&key), "{:?}", e);
            }
        }
    }

    #[test]
    fn parses_retry_after() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }
}
