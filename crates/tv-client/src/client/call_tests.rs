use super::errors::{json_path, strip_urls};
use super::*;
use crate::error::TransportKind;

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
    let error = unknown_write_outcome(
        "log_message",
        Kind::Write,
        false,
        Error::Server { status: 503 },
    );
    assert!(matches!(error, Error::OutcomeUnknown { .. }));
    let refused = Error::transport(TransportKind::ConnectionRefused, "refused", None);
    assert!(matches!(
        unknown_write_outcome("log_message", Kind::Write, false, refused),
        Error::Transport { .. }
    ));
    let lost = Error::transport(TransportKind::Send, "connection reset", None);
    assert!(matches!(
        unknown_write_outcome("log_message", Kind::Write, false, lost),
        Error::OutcomeUnknown { .. }
    ));
    assert!(matches!(
        unknown_write_outcome("log_message", Kind::Write, false, Error::Auth),
        Error::Auth
    ));
    // Any 4xx is a definite refusal, even as an HTML page.
    let too_large = Error::from_status(413, "<html>Request Entity Too Large</html>", None);
    assert!(matches!(
        unknown_write_outcome("log_message", Kind::Write, false, too_large),
        Error::Refused { status: 413, .. }
    ));
    let teapot = Error::unexpected_response(418, "<html>");
    assert!(matches!(
        unknown_write_outcome("log_message", Kind::Write, false, teapot),
        Error::UnexpectedResponse { status: 418, .. }
    ));
}
