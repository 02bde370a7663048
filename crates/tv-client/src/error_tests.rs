use chrono::{DateTime, Utc};

use super::*;

#[test]
fn messages_are_one_clear_line() {
    let errors = [
        Error::Auth,
        Error::NotFound(Missing::Server("No host found with ID 123456789".into())),
        Error::BadRequest("invalid time_window".into()),
        Error::RateLimited {
            retry_after: Some(Duration::from_millis(1500)),
        },
        Error::RateLimited { retry_after: None },
        Error::Server { status: 502 },
        Error::Timeout,
        Error::transport(
            TransportKind::Send,
            "error sending request for url (http://h/apps?key=SECRET)\ncaused by: refused",
            None,
        ),
        Error::decode(
            "data.items[3][2]",
            "negative latency -5",
            "[1353259590, 8, -5]",
        ),
        Error::unexpected_response(302, "<html>\n<body>Login</body></html>"),
        Error::config(
            ConfigKind::MissingKey,
            "no API key: set TV_API_KEY or add a profile",
        ),
        Error::invalid_argument("step 7 s is not a multiple of 30 s"),
        Error::Refused {
            status: 413,
            reason: "the request is too large".into(),
        },
        Error::ResponseTooLarge {
            limit_bytes: 64 << 20,
        },
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
        Error::NotFound(Missing::Server("No host found with ID 123456789".into()))
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
    assert!(Error::transport(TransportKind::ConnectionRefused, "refused", None).is_retryable());
    assert!(!Error::transport(TransportKind::Tls, "bad certificate", None).is_retryable());
    assert!(!Error::ResponseTooLarge { limit_bytes: 1 }.is_retryable());
    assert!(!Error::from_status(413, "", None).is_retryable());
    assert!(Error::Server { status: 500 }.is_retryable());
    assert!(!Error::Server { status: 501 }.is_retryable());
    assert!(Error::Timeout.is_retryable());
    assert!(Error::unexpected_response(502, "<html>").is_retryable());
    assert!(!Error::unexpected_response(302, "<html>").is_retryable());
    assert!(!Error::Auth.is_retryable());
}

#[test]
fn configuration_errors_say_so_once() {
    let error = "ftp://x".parse::<crate::Site>().unwrap_err();
    let error = error.from_origin("environment variable TV_BASE_URL");
    let text = error.to_string();
    assert_eq!(text.matches("configuration error").count(), 1, "{text}");
    assert!(
        text.ends_with("(from environment variable TV_BASE_URL)"),
        "{text}"
    );
}

#[test]
fn outcomes_are_decided_by_kind() {
    let applied = [
        Error::Server { status: 503 },
        Error::Timeout,
        Error::transport(TransportKind::Send, "reset", None),
        Error::transport(TransportKind::Body, "eof", None),
        Error::unexpected_response(502, "<html>"),
    ];
    for error in applied {
        assert!(error.may_have_been_applied(), "{error:?}");
    }
    let not_applied = [
        Error::transport(TransportKind::ConnectionRefused, "refused", None),
        Error::transport(TransportKind::Dns, "no such host", None),
        Error::from_status(413, "", None),
        Error::unexpected_response(405, "Method Not Allowed"),
        Error::Auth,
        Error::BadRequest("no".into()),
    ];
    for error in not_applied {
        assert!(!error.may_have_been_applied(), "{error:?}");
    }
}

#[test]
fn server_text_is_cleaned_and_bounded() {
    let hostile = format!("app\x1b]0;owned\x07\x1b[2J-{}", "y".repeat(500));
    let error = Error::from_status(
        404,
        &serde_json::json!({"data": hostile, "response": "error"}).to_string(),
        None,
    );
    let text = error.to_string();
    assert!(
        !text.contains('\x1b') && !text.contains("owned"),
        "{text:?}"
    );
    assert!(text.chars().count() < SNIPPET_CHARS + 20, "{text}");
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
            Error::transport(TransportKind::Send, format!("error sending request for url ({url})"), None),
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

#[test]
fn a_response_limit_is_shown_in_the_unit_it_was_given() {
    let text = |limit_bytes| Error::ResponseTooLarge { limit_bytes }.to_string();
    assert_eq!(
        text(500 * 1024),
        "the response is larger than the limit of 500 KiB"
    );
    assert_eq!(
        text(8 * 1024 * 1024),
        "the response is larger than the limit of 8 MiB"
    );
    assert_eq!(
        text(1536 * 1024),
        "the response is larger than the limit of 1.5 MiB"
    );
    assert_eq!(
        text(100),
        "the response is larger than the limit of 100 bytes"
    );
}
