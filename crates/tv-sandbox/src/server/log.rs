//! The request log (`tracing` target [`ACCESS_TARGET`], level INFO: shown at `-v`) and
//! the fault log (target [`FAULT_TARGET`], INFO: shown by default in the binary).
//!
//! The key never reaches a log: the logged target is the path plus the query string
//! with the value of every `key` parameter (whatever its case: `key`, `KEY`, `Key`,
//! percent-encoded or not) replaced by `***`; the form body of a `POST`/`DELETE` is
//! logged after the target (`body: message=Deployed&key=***`), redacted the same way.

use std::time::Instant;

use axum::http::{Method, StatusCode, Uri};

use super::faults::FaultKind;

/// The `tracing` target of the request log.
pub const ACCESS_TARGET: &str = "tv_sandbox::access";

/// The `tracing` target of injected faults.
pub const FAULT_TARGET: &str = "tv_sandbox::fault";

/// At most this many characters of a target are logged.
const MAX_LOGGED: usize = 300;

/// `path?query` with every `key` value replaced by `***`, shortened for the log.
pub fn redact_target(uri: &Uri) -> String {
    let mut out = uri.path().to_owned();
    if let Some(query) = uri.query() {
        out.push('?');
        out.push_str(&redact_pairs(query));
    }
    shorten(out)
}

/// A form body (`a=1&key=k`) with every `key` value replaced by `***`, shortened for the
/// log; bytes that are not UTF-8 are replaced.
pub fn redact_form(body: &[u8]) -> String {
    shorten(redact_pairs(&String::from_utf8_lossy(body)))
}

fn shorten(out: String) -> String {
    if out.chars().count() > MAX_LOGGED {
        out.chars().take(MAX_LOGGED).collect::<String>() + "…"
    } else {
        out
    }
}

/// `a=1&key=k&…` with the value of every parameter whose decoded name is `key` in any
/// case replaced by `***`.
fn redact_pairs(pairs: &str) -> String {
    let mut out = String::with_capacity(pairs.len());
    for (i, piece) in pairs.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        let raw_name = piece.split('=').next().unwrap_or_default();
        let name = serde_urlencoded::from_str::<Vec<(String, String)>>(raw_name)
            .ok()
            .and_then(|pairs| pairs.into_iter().next())
            .map(|(n, _)| n);
        if name.is_some_and(|n| n.trim().eq_ignore_ascii_case(super::params::KEY)) {
            out.push_str(raw_name);
            out.push_str("=***");
        } else {
            out.push_str(piece);
        }
    }
    out
}

/// One request being logged.
pub(crate) struct Access {
    started: Instant,
    line: Option<(Method, String)>,
}

impl Access {
    /// Starts timing; remembers the redacted target only when the log is on.
    pub(crate) fn begin(method: &Method, uri: &Uri) -> Access {
        let on = tracing::enabled!(target: ACCESS_TARGET, tracing::Level::INFO);
        Access {
            started: Instant::now(),
            line: on.then(|| (method.clone(), redact_target(uri))),
        }
    }

    /// Adds the form body (redacted) to the logged line.
    pub(crate) fn body(&mut self, form: &[u8]) {
        if let Some((_, target)) = &mut self.line
            && !form.is_empty()
        {
            target.push_str(" body: ");
            target.push_str(&redact_form(form));
        }
    }

    /// Logs the answer.
    pub(crate) fn finish(&self, status: Option<StatusCode>, fault: Option<FaultKind>) {
        let Some((method, target)) = &self.line else {
            return;
        };
        let ms = self.started.elapsed().as_secs_f64() * 1000.0;
        let status = status.map_or_else(|| "reset".to_owned(), |s| s.as_u16().to_string());
        match fault {
            Some(kind) => tracing::info!(
                target: ACCESS_TARGET,
                "{method} {target} {status} {ms:.1}ms fault={kind}"
            ),
            None => tracing::info!(target: ACCESS_TARGET, "{method} {target} {status} {ms:.1}ms"),
        }
    }
}

/// Logs an injected fault.
pub(crate) fn fault(kind: FaultKind, method: &Method, uri: &Uri, forced: bool) {
    if tracing::enabled!(target: FAULT_TARGET, tracing::Level::INFO) {
        let how = if forced { "forced" } else { "drawn" };
        tracing::info!(
            target: FAULT_TARGET,
            "injected fault {kind} ({how}) on {method} {}",
            redact_target(uri)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_redacted_wherever_they_are() {
        let uri: Uri = "/api-v2/apps?a=1&key=secret&k%65y=secret2&b=key&key"
            .parse()
            .unwrap();
        let t = redact_target(&uri);
        assert_eq!(t, "/api-v2/apps?a=1&key=***&k%65y=***&b=key&key=***");
        assert!(!t.contains("secret"));
    }

    #[test]
    fn keys_are_redacted_in_any_case_and_in_form_bodies() {
        let uri: Uri = "/api-v2/apps?KEY=s1&Key=s2&kEy=s3&%4B%45%59=s4&keys=ok"
            .parse()
            .unwrap();
        let t = redact_target(&uri);
        assert_eq!(
            t,
            "/api-v2/apps?KEY=***&Key=***&kEy=***&%4B%45%59=***&keys=ok"
        );
        let body = redact_form(b"message=Deployed+v2&Key=secret&key=secret2&appname=shop");
        assert_eq!(body, "message=Deployed+v2&Key=***&key=***&appname=shop");
        assert!(!redact_form(b"KEY=secret\xff").contains("secret"));
    }
}
