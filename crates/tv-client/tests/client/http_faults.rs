//! The client against a loopback mock, for what a well-behaved server never does:
//! faults, odd bodies, slowness. Every error must be typed, keep its status, and never
//! show the key.

use std::time::Duration;

use serde_json::json;
use tv_client::{Error, NewAnnotation, RetryPolicy, ServerFilter, TraceView, TransportKind};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "s3cr3t-KEY&x=1";

fn client(server: &MockServer, policy: RetryPolicy) -> TraceView {
    TraceView::builder()
        .site(&format!("{}/api-v2", server.uri()))
        .api_key(KEY)
        .timeout(Duration::from_millis(500))
        .retry(policy.base_delay(Duration::from_millis(1)))
        .build()
        .unwrap()
}

fn ok(data: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"data": data, "response": "ok"}))
}

fn assert_no_key(error: &Error) {
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("s3cr3t"), "the key leaked: {text}");
    }
}

#[tokio::test]
async fn transient_failures_are_retried_and_counted() {
    let server = MockServer::start().await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"data": "busy", "response": "error"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(ok(json!(["Default"])))
        .mount(&server)
        .await;
    let tv = client(&server, RetryPolicy::default());
    assert_eq!(tv.discovery().apps().await.unwrap(), vec!["Default"]);
    let stats = tv.stats();
    assert_eq!((stats.requests, stats.retries), (3, 2));
}

#[tokio::test]
async fn a_503_with_retry_after_is_retried_after_that_long() {
    let server = MockServer::start().await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"data": "at the connection cap", "response": "error"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(ok(json!(["Default"])))
        .mount(&server)
        .await;
    // The backoff alone would wait at most a few milliseconds.
    let tv = client(&server, RetryPolicy::default());
    assert_eq!(tv.discovery().apps().await.unwrap(), vec!["Default"]);
    let stats = tv.stats();
    assert_eq!((stats.requests, stats.retries), (2, 1));
    assert!(stats.waited >= Duration::from_secs(1), "{stats:?}");
}

#[tokio::test]
async fn waiting_out_a_timed_429_is_not_a_failed_attempt() {
    let server = MockServer::start().await;
    // Six 429s with `Retry-After`, twice the default attempts: obeyed, then answered.
    Mock::given(path("/api-v2/apps"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(6)
        .mount(&server)
        .await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(ok(json!(["Default"])))
        .mount(&server)
        .await;
    let tv = client(&server, RetryPolicy::default());
    assert_eq!(tv.discovery().apps().await.unwrap(), vec!["Default"]);
    assert_eq!(tv.stats().requests, 7);

    // Without a budget for them, each 429 is an attempt again: the call gives up.
    let server = MockServer::start().await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .mount(&server)
        .await;
    let policy = RetryPolicy::default().rate_limit_budget(Duration::ZERO);
    let tv = client(&server, policy);
    let error = tv.discovery().apps().await.unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert_eq!(tv.stats().requests, 3);
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(
            ResponseTemplate::new(502).set_body_string("<html><body>Bad Gateway</body></html>"),
        )
        .expect(3)
        .mount(&server)
        .await;
    let tv = client(&server, RetryPolicy::default());
    let error = tv.discovery().apps().await.unwrap_err();
    match &error {
        Error::UnexpectedResponse {
            status: 502,
            snippet,
        } => assert!(snippet.contains("Bad Gateway")),
        other => panic!("{other:?}"),
    }
    assert_no_key(&error);
}

#[tokio::test]
async fn writes_are_not_retried_and_say_the_outcome_is_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api-v2/log_message"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"data": "busy", "response": "error"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let tv = client(&server, RetryPolicy::default());
    let note = NewAnnotation {
        message: "deploy".into(),
        ..NewAnnotation::default()
    };
    let error = tv.annotations().create(&note).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::OutcomeUnknown {
                operation: "log_message",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("not retried"), "{error}");
}

#[tokio::test]
async fn redirects_to_a_login_page_keep_their_status() {
    let server = MockServer::start().await;
    Mock::given(path("/api-v2/hosts"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", "/login?next=/api-v2/hosts%3Fkey%3Ds3cr3t"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let tv = client(&server, RetryPolicy::default());
    let error = tv.hosts().list().await.unwrap_err();
    assert!(
        matches!(error, Error::UnexpectedResponse { status: 302, .. }),
        "{error:?}"
    );
    assert_no_key(&error);
}

#[tokio::test]
async fn bad_bodies_are_decode_errors_with_a_path() {
    let server = MockServer::start().await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"data": ["Default", "sh"#))
        .mount(&server)
        .await;
    Mock::given(path("/api-v2/hosts"))
        .respond_with(ok(
            json!([{"id": "seven", "name": "x", "first_heartbeat": 1, "last_heartbeat": 2}]),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/api-v2/latency/web/server/series"))
        .respond_with(ok(
            json!({"fields": "timestamp,volume,avg_latency", "items": [[1, 2, 3], [31, 2]]}),
        ))
        .mount(&server)
        .await;
    let tv = client(&server, RetryPolicy::default());
    let truncated = tv.discovery().apps().await.unwrap_err();
    assert!(matches!(truncated, Error::Decode { .. }), "{truncated:?}");
    let wrong_type = tv.hosts().list().await.unwrap_err();
    match &wrong_type {
        Error::Decode { path, .. } => assert_eq!(path, "data[0].id"),
        other => panic!("{other:?}"),
    }
    let short_row = tv
        .latency()
        .server_series("web", &ServerFilter::new())
        .await
        .unwrap_err();
    match &short_row {
        Error::Decode { path, .. } => assert!(path.starts_with("data.items[1]"), "{path}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn error_envelopes_map_to_typed_errors() {
    let server = MockServer::start().await;
    let envelope = |message: &str| json!({"data": message, "response": "error"});
    Mock::given(path("/api-v2/apps"))
        .respond_with(ResponseTemplate::new(403).set_body_json(envelope("invalid key")))
        .mount(&server)
        .await;
    Mock::given(path("/api-v2/layers/nope"))
        .respond_with(ResponseTemplate::new(404).set_body_json(envelope("No app named nope")))
        .mount(&server)
        .await;
    Mock::given(path("/api-v2/organization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope("internal")))
        .mount(&server)
        .await;
    let tv = client(&server, RetryPolicy::default());
    assert!(matches!(tv.discovery().apps().await, Err(Error::Auth)));
    match tv.discovery().layers("nope", None).await {
        Err(Error::NotFound(message)) => assert_eq!(
            message,
            tv_client::error::Missing::Server("No app named nope".into())
        ),
        other => panic!("{other:?}"),
    }
    let error = tv.organization().get().await.unwrap_err();
    assert!(
        matches!(error, Error::UnexpectedResponse { status: 200, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn slow_answers_time_out() {
    let server = MockServer::start().await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(ok(json!([])).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let tv = client(&server, RetryPolicy::none());
    let error = tv.discovery().apps().await.unwrap_err();
    assert!(matches!(error, Error::Timeout), "{error:?}");
}

#[tokio::test]
async fn a_dead_server_is_a_transport_error_without_the_key() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let tv = TraceView::builder()
        .site(&format!("http://{address}/api-v2"))
        .api_key(KEY)
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let error = tv.discovery().apps().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::ConnectionRefused,
                source: Some(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("connection refused"), "{error}");
    // The cause is kept, and its chain carries no URL (hence no key).
    let mut source = std::error::Error::source(&error);
    assert!(source.is_some());
    while let Some(cause) = source {
        assert!(!cause.to_string().contains("s3cr3t"), "{cause}");
        source = cause.source();
    }
    assert_no_key(&error);
    assert_eq!(tv.stats().requests, 3);
}
