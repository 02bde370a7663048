//! The sandbox's idea of now is on every answer, in the `Date` header.

use reqwest::Method;

use crate::http::common::{api, api_with, config};

fn date_of(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("date")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn every_answer_carries_the_frozen_now() {
    let api = api().await;
    let frozen = "Wed, 03 Jan 2024 12:00:00 GMT";
    for (method, path) in [
        (Method::GET, "apps"),
        (Method::GET, "latency/web-shop/server/summary"),
        (Method::GET, "latency/no-such-app/server/summary"),
        (Method::GET, "no/such/endpoint"),
        (Method::PUT, "apps"),
        (Method::POST, "log_message"),
    ] {
        let resp = api.call(method.clone(), path).await;
        assert_eq!(date_of(&resp), frozen, "{method} {path} {}", resp.status());
    }
    // Refused before a route (no key) and injected faults carry it too.
    let resp = api
        .http
        .get(api.url("apps"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(
        (resp.status().as_u16(), date_of(&resp).as_str()),
        (403, frozen)
    );
    let resp = api
        .http
        .get(api.keyed("apps"))
        .header("X-Sandbox-Fault", "503")
        .send()
        .await
        .expect("an answer");
    assert_eq!(
        (resp.status().as_u16(), date_of(&resp).as_str()),
        (503, frozen)
    );
}

#[tokio::test]
async fn on_the_system_clock_it_is_the_clock() {
    let api = api_with(tv_sandbox::server::SandboxConfig {
        now: None,
        ..config()
    })
    .await;
    let before = chrono::Utc::now().timestamp();
    let resp = api.get("apps").await;
    let after = chrono::Utc::now().timestamp();
    let date = chrono::DateTime::parse_from_rfc2822(&date_of(&resp)).expect("an HTTP date");
    assert!((before..=after).contains(&date.timestamp()), "{date}");
}
