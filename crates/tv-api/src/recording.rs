//! Recording exchanges (`tv --record DIR`) and the one rule that scrubs them: the
//! request as sent, without the key and anything named like a secret, and the answer
//! as received. `tv-sandbox --replay` finds answers by the same [`scrub_target`] and
//! [`scrub_form`], so a recorded request and its replay meet under one name.

use serde::{Deserialize, Serialize};

/// One HTTP exchange as recorded: what was asked (scrubbed) and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedExchange {
    /// The spec's operationId, e.g. `get_server_latency_summary` (for people reading
    /// the recording; replay matches on method, target and body).
    pub operation: String,
    /// `GET`, `POST`, `DELETE`.
    pub method: String,
    /// The path and query, scrubbed by [`scrub_target`].
    pub target: String,
    /// The form body of a POST, scrubbed by [`scrub_form`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The answer's `Content-Type`, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The answer's body, with any occurrence of the key replaced by `***`.
    pub body: String,
}

/// Receives every exchange of a [`crate::Client`] made with
/// [`crate::ApiContext::with_recorder`], already scrubbed.
pub trait ExchangeRecorder: Send + Sync + std::fmt::Debug {
    /// Called once per answered HTTP attempt, after its whole body was read.
    fn record(&self, exchange: RecordedExchange);
}

/// Whether a query or form parameter's name looks like it holds a secret: the key
/// (`key`, `api_key`) and anything with `key`, `token`, `secret`, `password` or
/// `auth` in its name.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["key", "token", "secret", "password", "passwd", "auth"]
        .iter()
        .any(|part| name.contains(part))
}

/// `path?query` without the parameters [`is_secret_name`] picks, the others in their
/// order; no `?` when none are left.
pub fn scrub_target(path_and_query: &str) -> String {
    match path_and_query.split_once('?') {
        None => path_and_query.to_owned(),
        Some((path, query)) => match scrub_form(query) {
            kept if kept.is_empty() => path.to_owned(),
            kept => format!("{path}?{kept}"),
        },
    }
}

/// A form (or query) string without the pairs [`is_secret_name`] picks.
pub fn scrub_form(form: &str) -> String {
    form.split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = pair.split_once('=').map_or(*pair, |(name, _)| name);
            !is_secret_name(name)
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `text` with every occurrence of `key` (as given, and percent-encoded) replaced
/// by `***`.
pub fn scrub_key(text: &str, key: &str) -> String {
    if key.is_empty() {
        return text.to_owned();
    }
    let encoded: String = url_encoded(key);
    text.replace(key, "***").replace(&encoded, "***")
}

fn url_encoded(text: &str) -> String {
    reqwest::Url::parse_with_params("x:", [("k", text)])
        .ok()
        .and_then(|url| url.query().map(|q| q.trim_start_matches("k=").to_owned()))
        .unwrap_or_else(|| text.to_owned())
}

/// A request as the recorder sees it.
pub(crate) struct Sent<'a> {
    pub operation: &'a str,
    pub method: &'a reqwest::Method,
    pub url: &'a reqwest::Url,
    pub body: Option<Vec<u8>>,
    /// The client's base URL: targets are recorded relative to it (`/apps?…`).
    pub base_url: &'a str,
    pub key: &'a str,
}

/// Reads the whole answer (already bounded by the context's response limit), hands it
/// to `recorder` scrubbed, and gives back an identical answer to decode.
pub(crate) async fn record(
    recorder: &dyn ExchangeRecorder,
    sent: Sent<'_>,
    response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    let Sent {
        operation,
        method,
        url,
        body: request_body,
        base_url,
        key,
    } = sent;
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    let base_path = reqwest::Url::parse(base_url)
        .map(|base| base.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let path = url.path().strip_prefix(&base_path).unwrap_or(url.path());
    let path_and_query = match url.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    recorder.record(RecordedExchange {
        operation: operation.to_owned(),
        method: method.to_string(),
        target: scrub_key(&scrub_target(&path_and_query), key),
        request_body: request_body
            .map(|body| scrub_key(&scrub_form(&String::from_utf8_lossy(&body)), key)),
        status: status.as_u16(),
        content_type: headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        body: scrub_key(&String::from_utf8_lossy(&bytes), key),
    });
    let mut answer = http::Response::builder().status(status).version(version);
    if let Some(head) = answer.headers_mut() {
        *head = headers;
    }
    match answer.body(reqwest::Body::from(bytes)) {
        Ok(answer) => Ok(reqwest::Response::from(answer)),
        // Unreachable: status, version and headers come from a valid response.
        Err(_) => Ok(reqwest::Response::from(http::Response::new(
            reqwest::Body::from(""),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_and_anything_like_it_is_scrubbed() {
        assert_eq!(
            scrub_target("/api-v2/apps?key=s3cr3t&time_window=day&access_token=x&apiKey=y"),
            "/api-v2/apps?time_window=day"
        );
        assert_eq!(scrub_target("/api-v2/apps?key=s3cr3t"), "/api-v2/apps");
        assert_eq!(scrub_target("/api-v2/apps"), "/api-v2/apps");
        assert_eq!(
            scrub_form("message=deploy&key=s3cr3t&app=web"),
            "message=deploy&app=web"
        );
        assert_eq!(
            scrub_key("echo s3cr3t/+ and s3cr3t%2F%2B", "s3cr3t/+"),
            "echo *** and ***"
        );
    }
}
