//! `rate_limit` (`--rate-limit N`): a token bucket per key; past it `429` with the error
//! envelope and `Retry-After`, and after waiting that long the key gets through. No
//! timing assertion: the test only relies on a refill taking at least as long as the
//! bucket's rate says (1 request per second here).

use std::time::Duration;

use tv_sandbox::server::SandboxConfig;

use crate::http::common::{api_with, config, expect_error};

#[tokio::test]
async fn a_key_over_its_rate_gets_429_with_retry_after_then_gets_through() {
    let api = api_with(SandboxConfig {
        rate_limit: Some(1.0),
        api_keys: vec!["sandbox".into(), "other".into()],
        ..config()
    })
    .await;
    // A bucket of one token refilled at 1/s: the second request within a second is
    // refused (ten tries leave room for a very slow machine).
    let mut refused = None;
    for _ in 0..10 {
        let resp = api.get("apps").await;
        if resp.status() == 429 {
            refused = Some(resp);
            break;
        }
        assert_eq!(resp.status(), 200);
    }
    let resp = refused.expect("a request over the rate is refused");
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .expect("ASCII")
        .parse()
        .expect("delay-seconds");
    assert_eq!(retry, 1, "a token comes back within a second");
    assert!(
        resp.headers().get("x-sandbox-fault").is_none(),
        "not a fault"
    );
    let message = expect_error(resp, 429).await;
    assert!(message.contains("rate limit"), "{message}");

    // A wrong key is still a 403; the other key has its own bucket; a refused write
    // does not happen.
    let wrong = api.http.get(api.url("apps?key=nope")).send().await.unwrap();
    expect_error(wrong, 403).await;
    let other = api
        .http
        .get(api.url("apps?key=other"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    let write = api
        .post_form("log_message", &[("key", "sandbox"), ("message", "limited")])
        .await;
    if write.status() == 429 {
        let listed = api.get("annotations").await.text().await.unwrap();
        assert!(
            !listed.contains("limited"),
            "a refused write did not happen"
        );
    }

    tokio::time::sleep(Duration::from_secs(retry)).await;
    assert_eq!(api.get("apps").await.status(), 200, "after Retry-After");
}

#[tokio::test]
async fn the_rate_limit_must_be_above_zero() {
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = tv_sandbox::server::start(SandboxConfig {
            rate_limit: Some(bad),
            ..config()
        })
        .await
        .expect_err("refused");
        assert!(err.to_string().contains("rate limit"), "{err}");
    }
}
