//! What a failed call becomes: tv-api's errors (an error envelope, an odd body, a
//! payload that does not decode, a transport failure) translated into [`Error`], with
//! the key scrubbed from every excerpt and URL.

use std::time::Duration;

use serde::de::DeserializeOwned;
use tv_api::types::ErrorEnvelope;

use super::BODY_EXCERPT_BYTES;
use crate::error::{Cause, Error, TransportKind, parse_retry_after, snippet};
use crate::secret::hide_key;

pub(super) async fn map_error<T: DeserializeOwned>(
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
            Error::from_envelope(status, &hide_key(&envelope.data, key), retry_after)
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
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => transport(e),
        E::InvalidRequest(message) => Error::invalid_argument(message),
        E::Custom(message) => Error::transport(TransportKind::Send, message, None),
    }
}

/// An error status whose body is not the error envelope (an HTML page from a proxy,
/// an empty body): server failures and redirects keep the status and an excerpt of
/// the body; the statuses with a meaning of their own (400, 403, 404, 429) keep it.
pub(super) fn from_odd_body(status: u16, body: &str, retry_after: Option<Duration>) -> Error {
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
pub(crate) fn decode_error<T: DeserializeOwned>(
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
pub(super) fn json_path(path: &str) -> String {
    let mut path = path;
    while let Some(parent) = path.strip_suffix(".?") {
        path = parent;
    }
    match path {
        "" | "." | "?" => "$".to_owned(),
        known => known.to_owned(),
    }
}

pub(super) fn transport(error: reqwest::Error) -> Error {
    if error.is_timeout() {
        return Error::Timeout;
    }
    if let Some(too_large) = find_source::<tv_api::ResponseTooLarge>(&error) {
        return Error::ResponseTooLarge {
            limit_bytes: too_large.limit_bytes,
        };
    }
    // `without_url` drops the URL (and the key in its query) from the message; the
    // chain of sources says what actually went wrong.
    let mut text = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(&error);
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
    let kind = if error.is_connect() {
        connect_kind(&error)
    } else if error.is_body() || error.is_decode() {
        TransportKind::Body
    } else {
        TransportKind::Send
    };
    let detail = match kind {
        TransportKind::ConnectionRefused => format!("connection refused: {text}"),
        TransportKind::Dns => format!("cannot resolve the host name: {text}"),
        TransportKind::Tls => format!("TLS handshake failed: {text}"),
        TransportKind::Connect => format!("cannot connect: {text}"),
        TransportKind::Send | TransportKind::Body => text,
    };
    Error::transport(kind, detail, Some(Cause::new(error.without_url())))
}

/// The first error of type `E` in the chain of `error`'s sources.
pub(super) fn find_source<E: std::error::Error + 'static>(error: &reqwest::Error) -> Option<&E> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(found) = current.downcast_ref::<E>() {
            return Some(found);
        }
        source = current.source();
    }
    None
}

/// What kind of connection failure `error` is, from the types in its chain: an I/O
/// error `ConnectionRefused`; `InvalidData` (how tokio-rustls reports a failed
/// handshake); hyper-util's resolver error (its `dns error` message is the only
/// marker that crate exposes); anything else is a plain connect failure.
pub(super) fn connect_kind(error: &reqwest::Error) -> TransportKind {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return TransportKind::ConnectionRefused,
                std::io::ErrorKind::InvalidData => return TransportKind::Tls,
                _ => {}
            }
        }
        if current.to_string() == "dns error" {
            return TransportKind::Dns;
        }
        source = current.source();
    }
    TransportKind::Connect
}

/// reqwest writes `error sending request for url (http://…?key=…)`; the URL adds
/// nothing a user needs (the base URL is known) and carries the key.
pub(super) fn strip_urls(text: &str) -> String {
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

pub(super) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, chrono::Utc::now())
}

pub(super) async fn read_excerpt(mut response: reqwest::Response, key: &str) -> String {
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
