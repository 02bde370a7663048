//! What a write reports when the network or the server misbehaves: a retried delete
//! that finds the thing gone after a lost answer is a success, refusals are definite,
//! and answers larger than the limit stop being read.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tv_client::{Deletion, Error, NewAnnotation, RetryPolicy, TraceView};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(base: &str, policy: RetryPolicy) -> TraceView {
    TraceView::builder()
        .site(&format!("{base}/api-v2"))
        .api_key("k3y")
        .timeout(Duration::from_secs(20))
        .retry(policy.base_delay(Duration::from_millis(1)))
        .build()
        .unwrap()
}

fn envelope(status: u16, data: serde_json::Value, response: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"data": data, "response": response}))
}

#[tokio::test]
async fn a_delete_gone_after_a_lost_answer_is_a_success() {
    let server = MockServer::start().await;
    // The first DELETE is applied but its answer is lost (a 503 from a proxy); the
    // retry then finds nothing to delete.
    Mock::given(method("DELETE"))
        .and(path("/api-v2/app/search-service"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api-v2/app/search-service"))
        .respond_with(envelope(404, json!("No app named search-service"), "error"))
        .mount(&server)
        .await;
    let tv = client(&server.uri(), RetryPolicy::default());
    let deletion = tv.apps().delete("search-service").await.unwrap();
    assert_eq!(deletion, Deletion::AfterLostAnswer);

    // A first 404 (nothing was ever attempted before) is a plain "not found".
    let error = tv.apps().delete("search-service").await.unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn a_delete_that_runs_out_of_attempts_has_an_unknown_outcome() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let tv = client(&server.uri(), RetryPolicy::default().max_attempts(2));
    let error = tv.hosts().delete(7).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::OutcomeUnknown {
                operation: "delete_host",
                retried: true,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn refusals_of_writes_are_definite() {
    let server = MockServer::start().await;
    Mock::given(path("/api-v2/log_message"))
        .respond_with(ResponseTemplate::new(413).set_body_string("<html>Too Large</html>"))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(envelope(200, json!(false), "ok"))
        .mount(&server)
        .await;
    let tv = client(&server.uri(), RetryPolicy::default());
    let note = NewAnnotation {
        message: "x".repeat(1000),
        ..NewAnnotation::default()
    };
    let error = tv.annotations().create(&note).await.unwrap_err();
    assert!(
        matches!(error, Error::Refused { status: 413, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("too large"), "{error}");

    let error = tv.apps().delete("web-shop").await.unwrap_err();
    assert!(
        matches!(error, Error::Refused { status: 200, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("did not delete app `web-shop`"),
        "{error}"
    );
}

/// A server that answers every connection with an endless body (chunked, or with a
/// huge `Content-Length`), and counts the bytes it managed to write.
async fn endless_server(declare_length: bool) -> (String, tokio::task::JoinHandle<u64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await;
        let head = if declare_length {
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000000000\r\n\r\n"
        } else {
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
        };
        let mut written = 0u64;
        if socket.write_all(head.as_bytes()).await.is_err() {
            return written;
        }
        let chunk = vec![b' '; 64 * 1024];
        // Stop after 4 GiB at most; a client that stops reading closes the socket first.
        while written < 4 << 30 {
            if socket.write_all(&chunk).await.is_err() {
                break;
            }
            written += chunk.len() as u64;
        }
        written
    });
    (base, task)
}

#[tokio::test]
async fn a_huge_answer_stops_at_the_limit() {
    // Once for an answer parsed by the generated client, once for a series answer
    // read by the typed layer from its bytes.
    for (declare_length, series) in [(false, false), (true, false), (false, true), (true, true)] {
        let (base, server) = endless_server(declare_length).await;
        let tv = TraceView::builder()
            .site(&format!("{base}/api-v2"))
            .api_key("k3y")
            .retry(RetryPolicy::none())
            .max_response_bytes(1024 * 1024)
            .build()
            .unwrap();
        let error = if series {
            let filter = tv_client::ServerFilter::new();
            tv.latency().by_layer("web", &filter).await.unwrap_err()
        } else {
            tv.discovery().apps().await.unwrap_err()
        };
        assert_eq!(
            error,
            Error::ResponseTooLarge {
                limit_bytes: 1024 * 1024
            }
        );
        drop(tv);
        let written = server.await.unwrap();
        // The client stopped reading near the limit; the kernel's socket buffers
        // account for the rest.
        assert!(written < 64 << 20, "the server wrote {written} bytes");
    }
}

#[tokio::test]
async fn a_delete_with_a_cut_answer_is_checked_again() {
    let server = MockServer::start().await;
    // The delete is applied, but its 200 answer is cut short (unreadable JSON): a delete
    // cannot duplicate, so it is tried again, and the retry finds the app gone.
    Mock::given(method("DELETE"))
        .and(path("/api-v2/app/search-service"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"data\": tr", "application/json"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api-v2/app/search-service"))
        .respond_with(envelope(404, json!("No app named search-service"), "error"))
        .mount(&server)
        .await;
    let tv = client(&server.uri(), RetryPolicy::default());
    let deletion = tv.apps().delete("search-service").await.unwrap();
    assert_eq!(deletion, Deletion::AfterLostAnswer);

    // With one attempt allowed, the outcome is unknown, and the wording says why.
    let tv = client(&server.uri(), RetryPolicy::none());
    Mock::given(method("DELETE"))
        .and(path("/api-v2/app/billing-api"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"data\": tr", "application/json"))
        .mount(&server)
        .await;
    let error = tv.apps().delete("billing-api").await.unwrap_err();
    let shown = error.to_string();
    assert!(
        shown.contains("the retry policy allows one attempt"),
        "{shown}"
    );
    assert!(!shown.contains("duplicate"), "{shown}");
}

/// The path the dry-run recorder saw for `tv app delete <name>`, as decoded segments.
fn sent_delete_path(name: &str) -> Result<Vec<String>, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    let tv = client("http://127.0.0.1:9", RetryPolicy::default());
    let dry = tv.dry_run();
    runtime.block_on(dry.client().apps().delete(name))?;
    let requests = dry.requests();
    assert_eq!(requests.len(), 1, "one request per delete: {requests:?}");
    let url = reqwest::Url::parse(&requests[0].url).expect("the recorder keeps a URL");
    Ok(url
        .path_segments()
        .expect("an http URL")
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8()
                .expect("UTF-8 segments")
                .into_owned()
        })
        .collect())
}

#[test]
fn a_backslash_in_an_app_name_deletes_that_app_only() {
    for name in [
        r"x\..\..\app\web-shop",
        r"..\hosts\100486",
        r"a\b",
        "%2e%2e",
        "./x",
    ] {
        assert_eq!(
            sent_delete_path(name).unwrap(),
            ["api-v2", "app", name],
            "{name}"
        );
    }
}

#[test]
fn the_dot_segments_are_refused_before_anything_is_sent() {
    for name in [".", "..", ""] {
        let error = sent_delete_path(name).unwrap_err();
        assert!(
            matches!(error, Error::InvalidArgument { .. }),
            "{name}: {error}"
        );
    }
}

proptest::proptest! {
    /// Any app name reaches the server as exactly one path segment equal to the name.
    #[test]
    fn every_app_name_is_one_segment(name in proptest::prelude::any::<String>()) {
        proptest::prop_assume!(!matches!(name.as_str(), "" | "." | ".."));
        proptest::prop_assert_eq!(
            sent_delete_path(&name).unwrap(),
            vec!["api-v2".to_string(), "app".to_string(), name]
        );
    }
}
