//! The middleware in front of every route: size limits, parameters from both
//! transports, fault injection, added latency and the request log.
//!
//! Order for one request: query-string and body limits (414, 413) → the form body
//! (400 for another content type) → the fault decision (`X-Sandbox-Fault` or the seeded
//! draw) → `--latency` → `429`/`redirect` faults answer instead of the request → the
//! route (404/405 fallbacks, then the key: 403, then parameters: 400, then lookups:
//! 404) → the other faults replace, cut, delay or drop the real answer.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;

use super::conn::ConnHandle;
use super::envelope;
use super::faults::{FAULT_HEADER, FaultKind, SLOW_FAULT_DELAY};
use super::inject;
use super::log::{self, Access};
use super::params::Params;
use super::sandbox::{Sandbox, stopped};

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Query strings longer than this are refused with 414.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// The middleware; see the module documentation.
pub(crate) async fn front(State(sandbox): State<Sandbox>, req: Request, next: Next) -> Response {
    let mut access = Access::begin(req.method(), req.uri());
    let (parts, body) = req.into_parts();
    let prepared = match prepare(&sandbox, &parts, body).await {
        Ok(p) => p,
        Err(refusal) => {
            let mut resp = envelope::error(refusal.status, &refusal.message);
            if refusal.close {
                // The rest of the request may still be on the wire: do not read on.
                resp.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            access.finish(Some(resp.status()), None);
            return resp;
        }
    };
    let (params, body, fault) = prepared;
    access.body(&body);
    if let Some(delay) = sandbox.latency() {
        tokio::time::sleep(delay).await;
    }
    if let Some(kind) = fault.filter(|k| k.replaces_request())
        && let Some(resp) = inject::answer(kind, parts.uri.path())
    {
        access.finish(Some(resp.status()), fault);
        return resp;
    }
    let conn = parts.extensions.get::<ConnHandle>().cloned();
    let mut parts = parts;
    parts.extensions.insert(Arc::new(params));
    let resp = next.run(Request::from_parts(parts, Body::from(body))).await;
    let resp = match fault {
        None => resp,
        Some(FaultKind::Slow) => {
            let mut stop = sandbox.shutdown_signal();
            tokio::select! {
                () = tokio::time::sleep(SLOW_FAULT_DELAY) => {}
                () = stopped(&mut stop) => {}
            }
            resp
        }
        Some(FaultKind::Truncated) => inject::truncate(resp).await,
        Some(FaultKind::Reset) => {
            access.finish(None, fault);
            return match conn {
                Some(conn) => conn.reset().await,
                None => inject::aborted(),
            };
        }
        Some(kind) => inject::answer(kind, "").unwrap_or(resp),
    };
    access.finish(Some(resp.status()), fault);
    resp
}

/// A request refused before it reaches a route.
struct Refusal {
    status: u16,
    message: String,
    /// Close the connection after the answer (the body was not read to its end).
    close: bool,
}

impl Refusal {
    fn new(status: u16, message: String) -> Self {
        Refusal {
            status,
            message,
            close: false,
        }
    }

    fn closing(status: u16, message: String) -> Self {
        Refusal {
            status,
            message,
            close: true,
        }
    }
}

/// Reads a whole body within the sandbox's request deadline: `413` past
/// [`MAX_BODY_BYTES`], `400` for a malformed body (a broken chunked encoding, a
/// connection closed in the middle), `408` when it does not arrive in time. The
/// connection is closed after any of them.
async fn read_body(sandbox: &Sandbox, body: Body) -> Result<Bytes, Refusal> {
    let deadline = sandbox.request_deadline();
    let read = async {
        let mut stream = body.into_data_stream();
        let mut out: Vec<u8> = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                Refusal::closing(400, format!("the request body is malformed: {e}"))
            })?;
            if out.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(Refusal::closing(
                    413,
                    format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
                ));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(out))
    };
    match tokio::time::timeout(deadline, read).await {
        Ok(read) => read,
        Err(_) => Err(Refusal::closing(
            408,
            format!(
                "the request body did not arrive within {}",
                humantime::format_duration(deadline)
            ),
        )),
    }
}

/// Limits, body, parameters and the fault decision.
async fn prepare(
    sandbox: &Sandbox,
    parts: &Parts,
    body: Body,
) -> Result<(Params, Bytes, Option<FaultKind>), Refusal> {
    let query = parts.uri.query();
    if query.is_some_and(|q| q.len() > MAX_QUERY_BYTES) {
        return Err(Refusal::new(
            414,
            format!("the query string is longer than {MAX_QUERY_BYTES} bytes"),
        ));
    }
    let too_large = || {
        Refusal::new(
            413,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        )
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let reads_body = parts.method == Method::POST || parts.method == Method::DELETE;
    let body = if reads_body {
        read_body(sandbox, body).await?
    } else {
        Bytes::new()
    };
    let form = if body.is_empty() {
        None
    } else {
        check_form_type(parts)?;
        Some(body.as_ref())
    };
    let params = Params::parse(query, form);
    let fault = decide_fault(sandbox, parts, &params)?;
    Ok((params, body, fault))
}

/// A body must be a form (a missing content type is taken as one).
fn check_form_type(parts: &Parts) -> Result<(), Refusal> {
    let Some(ct) = parts.headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let ct = String::from_utf8_lossy(ct.as_bytes());
    let essence = ct.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Ok(())
    } else {
        let shown: String = essence.chars().take(60).collect();
        Err(Refusal::new(
            400,
            format!(
                "the request body must be application/x-www-form-urlencoded (got {shown:?}); or send the parameters in the query string"
            ),
        ))
    }
}

/// The forced fault of the `X-Sandbox-Fault` header, else the seeded draw; counted and
/// logged.
fn decide_fault(
    sandbox: &Sandbox,
    parts: &Parts,
    params: &Params,
) -> Result<Option<FaultKind>, Refusal> {
    let (fault, forced) = match parts.headers.get(FAULT_HEADER) {
        Some(value) => {
            let name = String::from_utf8_lossy(value.as_bytes());
            if name.trim().eq_ignore_ascii_case("none") {
                (None, true)
            } else {
                match name.parse::<FaultKind>() {
                    Ok(kind) => (Some(kind), true),
                    Err(e) => return Err(Refusal::new(400, format!("X-Sandbox-Fault: {e}"))),
                }
            }
        }
        None => (
            sandbox.faults().draw(
                parts.method.as_str(),
                parts.uri.path(),
                params.without_key(),
            ),
            false,
        ),
    };
    if let Some(kind) = fault {
        sandbox.faults().record(kind);
        log::fault(kind, &parts.method, &parts.uri, forced);
    }
    Ok(fault)
}
