//! Paths, methods, limits, percent-decoding, and a property test throwing random
//! requests at the router.

use axum::body::Body;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use tower::ServiceExt;
use tv_api::types::{BooleanEnvelope, StringListEnvelope};
use tv_sandbox::server::{MAX_BODY_BYTES, MAX_QUERY_BYTES, Sandbox, router};

use crate::http::common::{KEY, TimeseriesEnvelope, api, config, decode_ok, expect_error, seg};

#[tokio::test]
async fn unknown_paths_are_404_with_the_envelope() {
    let api = api().await;
    let base = api
        .sandbox
        .base_url()
        .trim_end_matches("/api-v2")
        .to_owned();
    for path in [
        "/",
        "/api-v2",
        "/api-v2/",
        "/api-v2/apps/",
        "/api-v2/nope",
        "/api-v1/apps",
        "/api-v2.1/apps",
        "/api-v2/latency/web-shop/server",
        "/api-v2/latency/web-shop/middle/series",
        "/login",
    ] {
        let resp = api
            .http
            .get(format!("{base}{path}?key={KEY}"))
            .send()
            .await
            .unwrap();
        expect_error(resp, 404).await;
    }
}

#[tokio::test]
async fn wrong_methods_are_405_with_allow() {
    let api = api().await;
    for (method, path, allow) in [
        (Method::PUT, "log_message", "POST"),
        (Method::DELETE, "log_message", "POST"),
        (Method::GET, "assign_app", "POST"),
        (Method::POST, "apps", "GET,HEAD"),
        (Method::GET, "app/web-shop", "DELETE"),
        (Method::GET, "hosts/1", "DELETE"),
        (Method::PATCH, "latency/web-shop/server/series", "GET,HEAD"),
        (Method::OPTIONS, "hosts", "GET,HEAD"),
    ] {
        let resp = api.call(method.clone(), path).await;
        assert_eq!(resp.headers()["allow"], allow, "{method} {path}");
        let msg = expect_error(resp, 405).await;
        assert!(msg.contains(method.as_str()), "{msg}");
    }
}

#[tokio::test]
async fn limits() {
    let api = api().await;
    // A body over the limit, declared or streamed (chunked).
    let big = "m".repeat(MAX_BODY_BYTES + 1);
    let resp = api
        .http
        .post(api.keyed("log_message"))
        .form(&[("message", big.as_str())])
        .send()
        .await
        .unwrap();
    expect_error(resp, 413).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..3).map(|_| Ok(vec![b'a'; 40_000])).collect();
    let resp = api
        .http
        .post(api.keyed("log_message"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    expect_error(resp, 413).await;
    // Just under the limit is fine.
    let fits = "m".repeat(MAX_BODY_BYTES - 100);
    let resp = api
        .http
        .post(api.keyed("log_message"))
        .form(&[("message", fits.as_str())])
        .send()
        .await
        .unwrap();
    decode_ok::<BooleanEnvelope>(resp).await;
    // A long query string.
    let long = format!("apps?pad={}", "x".repeat(MAX_QUERY_BYTES));
    expect_error(api.get(&long).await, 414).await;
    // A body that is not a form.
    let resp = api
        .http
        .post(api.keyed("log_message"))
        .header("content-type", "application/json")
        .body(r#"{"message":"m"}"#)
        .send()
        .await
        .unwrap();
    let msg = expect_error(resp, 400).await;
    assert!(msg.contains("x-www-form-urlencoded"), "{msg}");
}

#[tokio::test]
async fn app_names_round_trip_through_paths() {
    let api = api().await;
    for name in [
        "my app",
        "a/b",
        "100%",
        "c+d",
        "ünï-cødé",
        "q?x=1#y",
        "semi;colon",
    ] {
        let resp = api
            .post_form(
                "assign_app",
                &[
                    ("key", KEY),
                    ("appname", name),
                    ("hostname", &format!("host-of-{name}")),
                    ("create", "1"),
                    ("layer", "nginx"),
                ],
            )
            .await;
        decode_ok::<BooleanEnvelope>(resp).await;
        let apps: StringListEnvelope = api.get_ok("apps").await;
        assert!(apps.data.contains(&name.to_owned()), "{name}");
        let layers: StringListEnvelope = api.get_ok(&format!("layers/{}", seg(name))).await;
        // Created just now: no traces yet, so no layer has been seen.
        assert!(layers.data.is_empty(), "{name}: {:?}", layers.data);
        let s: TimeseriesEnvelope = api
            .get_ok(&format!("latency/{}/server/series", seg(name)))
            .await;
        assert_eq!(s.data.items.len(), 120);
        let hosts: tv_api::types::HostListEnvelope =
            api.get_ok(&format!("app/{}/hosts", seg(name))).await;
        assert_eq!(hosts.data.len(), 1, "{name}");
    }
    // A bare `%` (not an escape) is taken literally.
    let hosts: tv_api::types::HostListEnvelope = api.get_ok("app/100%/hosts").await;
    assert_eq!(hosts.data[0].name, "host-of-100%");
    // `+` in a path is a plus, not a space.
    expect_error(api.get("layers/my+app").await, 404).await;
    // A segment that is not UTF-8 once decoded names nothing.
    expect_error(api.get("layers/%FF%FE").await, 404).await;
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let api = api().await;
    let addr = api.sandbox.local_addr();
    assert_eq!(api.get("apps").await.status(), 200);
    drop(api);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// The statuses the router may answer with (no faults configured).
const ALLOWED: [u16; 7] = [200, 400, 403, 404, 405, 413, 414];

fn path_strategy() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("api-v2".to_owned()),
        Just("apps".to_owned()),
        Just("latency".to_owned()),
        Just("web-shop".to_owned()),
        Just("Default".to_owned()),
        Just("server".to_owned()),
        Just("client".to_owned()),
        Just("series".to_owned()),
        Just("summary".to_owned()),
        Just("by-layer".to_owned()),
        Just("hosts".to_owned()),
        Just("app".to_owned()),
        Just("versions".to_owned()),
        Just("errors".to_owned()),
        Just("rate".to_owned()),
        Just("total_requests".to_owned()),
        Just("annotations".to_owned()),
        Just("organization".to_owned()),
        Just("%2F".to_owned()),
        Just("%FF".to_owned()),
        Just("100486".to_owned()),
        "[a-zA-Z0-9%._~+-]{0,12}",
    ];
    proptest::collection::vec(fragment, 0..6).prop_map(|parts| {
        let mut p = String::from("/api-v2");
        for part in parts {
            p.push('/');
            p.push_str(&part);
        }
        p
    })
}

fn params_strategy() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("key".to_owned()),
        Just("time_window".to_owned()),
        Just("time_end".to_owned()),
        Just("since_time".to_owned()),
        Just("time_start".to_owned()),
        Just("layer".to_owned()),
        Just("domain".to_owned()),
        Just("message".to_owned()),
        Just("appname".to_owned()),
        Just("hostname".to_owned()),
        Just("create".to_owned()),
        Just("time".to_owned()),
        "[a-z_%]{0,8}",
    ];
    let value = prop_oneof![
        Just(KEY.to_owned()),
        Just("week".to_owned()),
        Just("day".to_owned()),
        Just("1704283200".to_owned()),
        Just("1e300".to_owned()),
        Just("-5".to_owned()),
        Just("NaN".to_owned()),
        Just("2024-02-30T25:00:00Z".to_owned()),
        Just("web-shop".to_owned()),
        Just("Default".to_owned()),
        "[ -~]{0,16}",
        ".{0,8}",
    ];
    proptest::collection::vec((name, value), 0..6)
        .prop_map(|pairs| serde_urlencoded::to_string(pairs).unwrap_or_default())
}

#[test]
fn random_requests_never_panic_and_always_answer_an_envelope() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sandbox = Sandbox::in_memory(&config());
    let app = router(sandbox);
    let method = prop_oneof![
        Just("GET"),
        Just("POST"),
        Just("DELETE"),
        Just("PUT"),
        Just("PATCH"),
        Just("OPTIONS"),
    ];
    let strategy = (
        method,
        path_strategy(),
        params_strategy(),
        params_strategy(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(method, path, query, form)| {
            let uri = if query.is_empty() {
                path.clone()
            } else {
                format!("{path}?{query}")
            };
            let mut builder = axum::http::Request::builder().method(method).uri(&uri);
            if method == "POST" || method == "DELETE" {
                builder = builder.header("content-type", "application/x-www-form-urlencoded");
            }
            let Ok(req) = builder.body(Body::from(form.clone())) else {
                return Ok(()); // not a valid URI: no server would see it
            };
            let resp = runtime
                .block_on(app.clone().oneshot(req))
                .expect("the router is infallible");
            let status = resp.status().as_u16();
            let ct = resp.headers().get("content-type").cloned();
            let body = runtime
                .block_on(axum::body::to_bytes(resp.into_body(), usize::MAX))
                .expect("a body");
            prop_assert!(ALLOWED.contains(&status), "{method} {uri} -> {status}");
            prop_assert_eq!(
                ct.as_ref().and_then(|v| v.to_str().ok()),
                Some("application/json")
            );
            let json: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| TestCaseError::fail(format!("{method} {uri}: {e}")))?;
            let expected = if status == 200 { "ok" } else { "error" };
            prop_assert_eq!(json["response"].as_str(), Some(expected));
            prop_assert!(json.get("data").is_some());
            if status != 200 {
                prop_assert!(json["data"].is_string());
            }
            Ok(())
        })
        .unwrap();
}
