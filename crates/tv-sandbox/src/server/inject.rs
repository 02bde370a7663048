//! The answers of injected faults.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::envelope::{self, JSON};
use super::faults::{FAULT_HEADER, FaultKind};

/// The HTML page of the `html` fault, shaped like a reverse proxy's error page.
const PROXY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// The largest body the `truncated` fault reads back (answers are far smaller).
const MAX_ANSWER: usize = 64 << 20;

/// Marks a response as carrying an injected fault.
fn mark(mut resp: Response, kind: FaultKind) -> Response {
    resp.headers_mut()
        .insert(FAULT_HEADER, HeaderValue::from_static(kind.as_str()));
    resp
}

/// The answer of a fault that replaces the whole request (`429`, `redirect`), or of a
/// status fault (`500`, `502`, `503`, `html`); `None` for the other kinds.
pub(crate) fn answer(kind: FaultKind, path: &str) -> Option<Response> {
    let resp = match kind {
        FaultKind::Status500 => {
            envelope::error(500, "Internal Server Error (injected by tv-sandbox)")
        }
        FaultKind::Status502 => envelope::error(502, "Bad Gateway (injected by tv-sandbox)"),
        FaultKind::Status503 => {
            envelope::error(503, "Service Unavailable (injected by tv-sandbox)")
        }
        FaultKind::Status429 => {
            let mut r = envelope::error(429, "Too Many Requests (injected by tv-sandbox)");
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        }
        FaultKind::Html => envelope::response(
            StatusCode::BAD_GATEWAY,
            HeaderValue::from_static("text/html"),
            Bytes::from_static(PROXY_PAGE.as_bytes()),
        ),
        FaultKind::Redirect => {
            let location = format!("/login?next={}", encode_component(path));
            let mut r = envelope::response(
                StatusCode::FOUND,
                HeaderValue::from_static("text/html"),
                Bytes::from_static(b"<html><body>Redirecting to the login page</body></html>"),
            );
            if let Ok(v) = HeaderValue::try_from(location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        FaultKind::Slow | FaultKind::Reset | FaultKind::Truncated => return None,
    };
    Some(mark(resp, kind))
}

/// The `truncated` fault: `200` with the first half of the real answer's body.
pub(crate) async fn truncate(resp: Response) -> Response {
    let body = axum::body::to_bytes(resp.into_body(), MAX_ANSWER)
        .await
        .unwrap_or_default();
    let half = body.slice(..body.len() / 2);
    mark(
        envelope::response(StatusCode::OK, JSON, half),
        FaultKind::Truncated,
    )
}

/// The `reset` fault where no connection can be reset (a router called directly): the
/// headers of a `200` and then a body that fails, so the answer is unusable.
pub(crate) fn aborted() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset (injected by tv-sandbox)",
        ))
    });
    let mut resp = Response::new(Body::from_stream(failing));
    resp.headers_mut().insert(header::CONTENT_TYPE, JSON);
    mark(resp, FaultKind::Reset)
}

/// Percent-encodes a query parameter value (everything but unreserved characters).
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_location_carries_the_path_only() {
        let r = answer(FaultKind::Redirect, "/api-v2/app s").unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(
            r.headers()[header::LOCATION],
            "/login?next=%2Fapi-v2%2Fapp%20s"
        );
    }

    #[test]
    fn only_answering_kinds_answer() {
        for kind in FaultKind::ALL {
            let answers = answer(kind, "/").is_some();
            let expected = !matches!(
                kind,
                FaultKind::Slow | FaultKind::Reset | FaultKind::Truncated
            );
            assert_eq!(answers, expected, "{kind}");
        }
    }
}
