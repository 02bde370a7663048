//! Fault injection through real HTTP: every forced kind, counts, seeded reproducibility,
//! and faults on writes applied after the write.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tv_api::types::{AnnotationListEnvelope, StringListEnvelope};
use tv_sandbox::server::{FAULT_HEADER, FaultKind, SandboxConfig};

use crate::http::common::{Api, KEY, api, api_with, config, content_type, decode_ok, expect_error};

async fn forced(api: &Api, kind: &str, path: &str) -> reqwest::Result<reqwest::Response> {
    api.http
        .get(api.keyed(path))
        .header(FAULT_HEADER, kind)
        .send()
        .await
}

#[tokio::test]
async fn every_forced_kind() {
    let api = api().await;
    let normal = api.get("apps").await.bytes().await.unwrap();
    for (kind, status) in [("500", 500), ("502", 502), ("503", 503)] {
        let resp = forced(&api, kind, "apps").await.unwrap();
        assert_eq!(resp.headers()[FAULT_HEADER], kind);
        let msg = expect_error(resp, status).await;
        assert!(msg.contains("injected"), "{msg}");
    }
    let resp = forced(&api, "429", "apps").await.unwrap();
    assert_eq!(resp.headers()["retry-after"], "1");
    expect_error(resp, 429).await;

    let resp = forced(&api, "html", "apps").await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(content_type(&resp), "text/html");
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("<h1>502 Bad Gateway</h1>")
    );

    let resp = forced(&api, "truncated", "apps").await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(content_type(&resp), "application/json");
    let cut = resp.bytes().await.unwrap();
    assert_eq!(cut.len(), normal.len() / 2);
    assert!(normal.starts_with(&cut));
    assert!(serde_json::from_slice::<serde_json::Value>(&cut).is_err());

    let resp = forced(&api, "redirect", "latency/web-shop/server/series")
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        "/login?next=%2Fapi-v2%2Flatency%2Fweb-shop%2Fserver%2Fseries"
    );
    assert!(!location.contains(KEY));

    let err = forced(&api, "reset", "apps").await.unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    // The client recovers on a new connection.
    assert_eq!(api.get("apps").await.status(), 200);

    let started = Instant::now();
    let err = api
        .http
        .get(api.keyed("apps"))
        .header(FAULT_HEADER, "slow")
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Other requests are not held meanwhile.
    assert_eq!(api.get("apps").await.status(), 200);

    // Unknown kind: 400; `none` forces no fault.
    let msg = expect_error(forced(&api, "teapot", "apps").await.unwrap(), 400).await;
    assert!(msg.contains("X-Sandbox-Fault"), "{msg}");
    assert_eq!(forced(&api, "none", "apps").await.unwrap().status(), 200);

    let counts = api.sandbox.fault_counts();
    for kind in FaultKind::ALL {
        assert_eq!(counts.get(kind), 1, "{kind}: {counts:?}");
    }
    assert_eq!(counts.total(), 9);
    let json = serde_json::to_value(counts).unwrap();
    assert_eq!(json["503"], 1);
    assert_eq!(json["truncated"], 1);

    // A held `slow` answer does not hold the shutdown.
    let started = Instant::now();
    api.sandbox.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(3));
}

async fn post_message(api: &Api, message: &str, fault: &str) -> reqwest::Result<reqwest::Response> {
    api.http
        .post(api.url("log_message"))
        .header(FAULT_HEADER, fault)
        .form(&[("key", KEY), ("message", message)])
        .send()
        .await
}

async fn messages(api: &Api) -> Vec<String> {
    let list: AnnotationListEnvelope = api.get_ok("annotations").await;
    list.data.into_iter().map(|a| a.message).collect()
}

#[tokio::test]
async fn faults_on_writes_hit_after_or_before_the_write() {
    let api = api().await;
    // The write lands, the answer is lost.
    for kind in ["500", "502", "503", "html", "truncated", "reset"] {
        let msg = format!("landed despite {kind}");
        let resp = post_message(&api, &msg, kind).await;
        match resp {
            Ok(r) => assert_ne!(r.headers().get(FAULT_HEADER), None, "{kind}"),
            Err(e) => assert_eq!(kind, "reset", "{e:?}"),
        }
        assert!(messages(&api).await.contains(&msg), "{kind}");
    }
    // Refused before the write.
    for kind in ["429", "redirect"] {
        let msg = format!("refused by {kind}");
        let resp = post_message(&api, &msg, kind).await.unwrap();
        assert!(resp.status() == 429 || resp.status() == 302, "{kind}");
        assert!(!messages(&api).await.contains(&msg), "{kind}");
    }
}

/// Sends each request of `order` and returns the status (0 for a connection error) of
/// each, grouped by request and in the order of its repetitions.
async fn statuses(api: &Api, order: &[usize], paths: &[&str]) -> Vec<Vec<u16>> {
    let mut out = vec![Vec::new(); paths.len()];
    for &i in order {
        let status = match api.http.get(api.keyed(paths[i])).send().await {
            Ok(r) => r.status().as_u16(),
            Err(_) => 0,
        };
        out[i].push(status);
    }
    out
}

#[tokio::test]
async fn seeded_faults_are_reproducible_whatever_the_interleaving() {
    let faulty = || SandboxConfig {
        fault_rate: 0.4,
        faults: vec![
            FaultKind::Status500,
            FaultKind::Status503,
            FaultKind::Status429,
            FaultKind::Reset,
        ],
        ..config()
    };
    let paths = [
        "apps",
        "hosts",
        "latency/web-shop/server/summary?time_window=day",
        "latency/web-shop/server/summary?time_window=week",
    ];
    let interleaved: Vec<usize> = (0..40).map(|i| i % 4).collect();
    let grouped: Vec<usize> = (0..40).map(|i| i / 10).collect();
    let a = api_with(faulty()).await;
    let b = api_with(faulty()).await;
    let sa = statuses(&a, &interleaved, &paths).await;
    let sb = statuses(&b, &grouped, &paths).await;
    assert_eq!(sa, sb);
    let all: Vec<u16> = sa.iter().flatten().copied().collect();
    assert!(
        all.contains(&200) && all.iter().any(|s| *s != 200),
        "{all:?}"
    );
    // Retries of one request get independent draws.
    assert!(
        sa.iter()
            .any(|s| s.contains(&200) && s.iter().any(|x| *x != 200))
    );
    let faults = all.iter().filter(|s| **s != 200).count() as u64;
    assert_eq!(a.sandbox.fault_counts().total(), faults);
    assert_eq!(a.sandbox.fault_counts(), b.sandbox.fault_counts());
    // Another seed draws differently.
    let c = api_with(SandboxConfig {
        seed: 43,
        ..faulty()
    })
    .await;
    assert_ne!(statuses(&c, &interleaved, &paths).await, sa);
}

#[tokio::test]
async fn the_key_does_not_change_the_draw() {
    let faulty = SandboxConfig {
        fault_rate: 0.5,
        faults: vec![FaultKind::Status503],
        api_keys: vec!["one".into(), "two".into()],
        ..config()
    };
    let a = api_with(faulty.clone()).await;
    let b = api_with(faulty).await;
    for (api, key) in [(&a, "one"), (&b, "two")] {
        for _ in 0..12 {
            let _ = api
                .http
                .get(format!("{}?key={key}", api.url("apps")))
                .send()
                .await
                .unwrap();
        }
    }
    assert_eq!(a.sandbox.fault_counts(), b.sandbox.fault_counts());
}

#[tokio::test]
async fn added_latency() {
    let api = api_with(SandboxConfig {
        latency: Some(Duration::from_millis(150)),
        ..config()
    })
    .await;
    let started = Instant::now();
    let _: StringListEnvelope = decode_ok(api.get("apps").await).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
}
