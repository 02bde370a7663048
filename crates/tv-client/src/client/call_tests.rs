use super::errors::{json_path, strip_urls};
use super::*;
use crate::error::TransportKind;
use std::time::Duration;

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

/// A call with `deadline` whose attempts never answer; returns the error and how many
/// attempts were sent.
async fn never_answering(kind: Kind, deadline: Deadline) -> (Error, usize) {
    let policy = RetryPolicy::default();
    let counters = Counters::default();
    let slowdown = Slowdown::default();
    let shared = Shared {
        policy: &policy,
        counters: &counters,
        slowdown: &slowdown,
        deadline: Some(deadline),
    };
    let sent = std::sync::atomic::AtomicUsize::new(0);
    let result = call::<tv_api::types::StringListEnvelope, _, _>(
        "get_apps",
        kind,
        shared,
        "k3y-unused",
        || {
            sent.fetch_add(1, Ordering::Relaxed);
            std::future::pending()
        },
    )
    .await;
    match result {
        Ok(_) => panic!("a call that never answers succeeded"),
        Err(error) => (error, sent.load(Ordering::Relaxed)),
    }
}

#[tokio::test]
async fn no_time_left_means_nothing_is_sent() {
    let (error, sent) = never_answering(Kind::Idempotent, Deadline::after(Duration::ZERO)).await;
    assert_eq!(sent, 0);
    assert!(
        matches!(
            error,
            Error::DeadlineExceeded {
                interrupted: false,
                after: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_deadline());
    assert!(!error.may_have_been_applied());
}

#[tokio::test]
async fn the_deadline_cuts_an_attempt_in_flight() {
    let deadline = Deadline::after(Duration::from_millis(50));
    let (error, sent) = never_answering(Kind::Idempotent, deadline).await;
    assert_eq!(sent, 1);
    assert!(
        matches!(
            error,
            Error::DeadlineExceeded {
                interrupted: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("deadline of 50ms"), "{error}");
    // A write cut short may have been applied: its outcome is unknown, still a deadline.
    let (error, _) = never_answering(Kind::Write, Deadline::after(Duration::from_millis(50))).await;
    assert!(matches!(error, Error::OutcomeUnknown { .. }), "{error:?}");
    assert!(error.is_deadline());
}
