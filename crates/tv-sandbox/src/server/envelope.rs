//! The envelopes on the wire, built from the tv-api types.
//!
//! Success is exactly `200` with `{"data": ..., "response": "ok"}`; every error is
//! `{"data": "<message>", "response": "error"}` with its status.
//!
//! Fields the spec marks required and nullable (`last_trace`, the annotation's
//! `app`/`host`/`username`) are always serialized, as `null` when empty. Fields the spec
//! keeps optional so that clients tolerate their absence (`platform`, the summary's
//! `average`/`latest`) are omitted by the generated types when `None`; the handlers add
//! them back as `null` with [`add_nulls`] where the decisions want them present.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;
use tv_api::types::{ErrorEnvelope, ResponseError};

/// `application/json`.
pub(crate) const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A response with a body and a content type.
pub(crate) fn response(status: StatusCode, content_type: HeaderValue, body: Bytes) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    resp
}

/// An HTTP date (RFC 9110 IMF-fixdate: `Wed, 03 Jan 2024 12:00:00 GMT`).
pub(crate) fn http_date(seconds: i64) -> Option<HeaderValue> {
    let t = chrono::DateTime::from_timestamp(seconds, 0)?;
    HeaderValue::from_str(&t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).ok()
}

/// serde_json's compact output with a fast path for integral floats (timestamps,
/// counts and microsecond totals in series): they are written with `itoa` plus `.0`,
/// which is exactly what the default formatter (`ryu`) writes for them. The bytes are
/// identical to `serde_json::to_vec`; series serialize about twice as fast.
#[derive(Debug, Clone, Copy, Default)]
struct IntegralFloats;

/// Integral floats below this magnitude are written as integers plus `.0` (ryu writes
/// them the same way; from 1e16 on it switches to exponents).
const INTEGRAL_LIMIT: f64 = 1e15;

impl serde_json::ser::Formatter for IntegralFloats {
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        if value.fract() == 0.0 && value.abs() < INTEGRAL_LIMIT && !value.is_sign_negative() {
            let mut buf = itoa::Buffer::new();
            writer.write_all(buf.format(value as i64).as_bytes())?;
            writer.write_all(b".0")
        } else {
            serde_json::ser::CompactFormatter.write_f64(writer, value)
        }
    }
}

/// Serializes a value to JSON bytes (a failure, which the wire types cannot cause,
/// becomes `None`).
pub(crate) fn to_json<T: Serialize>(value: &T) -> Option<Bytes> {
    let mut out = Vec::with_capacity(256);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, IntegralFloats);
    value.serialize(&mut serializer).ok()?;
    Some(Bytes::from(out))
}

/// `200` with already serialized envelope bytes.
pub(crate) fn ok_bytes(body: Bytes) -> Response {
    response(StatusCode::OK, JSON, body)
}

/// `200` with a success envelope.
pub(crate) fn ok<T: Serialize>(envelope: &T) -> Response {
    match to_json(envelope) {
        Some(body) => ok_bytes(body),
        None => internal(),
    }
}

/// Adds `key: null` to an object for each missing key.
pub(crate) fn add_nulls(value: &mut Value, keys: &[&str]) {
    if let Value::Object(map) = value {
        for key in keys {
            if !map.contains_key(*key) {
                map.insert((*key).to_owned(), Value::Null);
            }
        }
    }
}

/// The error envelope's bytes.
pub(crate) fn error_body(message: &str) -> Bytes {
    let envelope = ErrorEnvelope {
        data: message.to_owned(),
        response: ResponseError::Error,
    };
    to_json(&envelope)
        .unwrap_or_else(|| Bytes::from_static(br#"{"data":"internal error","response":"error"}"#))
}

/// An error envelope with a status (`400`, `403`, `404`, ...).
pub(crate) fn error(status: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response(status, JSON, error_body(message))
}

/// `500` for a failure of the server itself.
pub(crate) fn internal() -> Response {
    error(500, "internal error of the sandbox")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn integral_floats_are_written_like_serde_json(
            whole in any::<i64>(),
            any_float in any::<f64>(),
            bits in any::<u64>(),
        ) {
            let values = vec![
                whole as f64,
                (whole % 10_000_000_000_000_000) as f64,
                any_float,
                f64::from_bits(bits),
                -0.0,
                0.0,
                1e15,
                1e15 - 1.0,
                -(1e15 - 1.0),
                1e16,
                0.5,
            ];
            let ours = to_json(&values).unwrap();
            let theirs = serde_json::to_vec(&values).unwrap();
            prop_assert_eq!(ours.as_ref(), theirs.as_slice());
        }
    }

    #[test]
    fn nulls_are_added_only_where_missing() {
        let mut v = serde_json::json!({"a": 1});
        add_nulls(&mut v, &["a", "b"]);
        assert_eq!(v, serde_json::json!({"a": 1, "b": null}));
        let mut s = Value::String("x".into());
        add_nulls(&mut s, &["a"]);
        assert_eq!(s, Value::String("x".into()));
    }

    #[test]
    fn error_envelope_shape() {
        let body = error_body("No host found with ID 1");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"data": "No host found with ID 1", "response": "error"})
        );
    }
}
