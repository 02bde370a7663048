//! The read endpoints through real HTTP: happy paths into the tv-api envelopes, the
//! decided shapes (nulls, order), 400/403/404 answers.

use reqwest::Method;
use tv_api::types::{
    AnnotationListEnvelope, HostListEnvelope, InstrumentationVersionListEnvelope, LicensesEnvelope,
    OrganizationEnvelope, StringListEnvelope, UserListEnvelope,
};

use crate::http::common::{Api, KEY, NOW, api, expect_error, raw};

/// Every endpoint with its method and a valid path.
pub const ENDPOINTS: [(&str, &str); 28] = [
    ("GET", "apps"),
    ("GET", "layers/web-shop"),
    ("GET", "actions"),
    ("GET", "controllers"),
    ("GET", "domains"),
    ("GET", "browsers"),
    ("GET", "regions"),
    ("GET", "metrics"),
    ("GET", "hosts"),
    ("GET", "app/web-shop/hosts"),
    ("GET", "hosts/100486/versions"),
    ("DELETE", "hosts/100486"),
    ("POST", "assign_app"),
    ("DELETE", "app/web-shop"),
    ("GET", "annotations"),
    ("GET", "app/Default/annotations"),
    ("POST", "log_message"),
    ("GET", "organization"),
    ("GET", "organization/users"),
    ("GET", "organization/licenses"),
    ("GET", "errors/web-shop/rate"),
    ("GET", "total_requests/web-shop/series"),
    ("GET", "total_requests/web-shop/summary"),
    ("GET", "latency/web-shop/server/series"),
    ("GET", "latency/web-shop/client/series"),
    ("GET", "latency/web-shop/server/summary"),
    ("GET", "latency/web-shop/client/summary"),
    ("GET", "latency/web-shop/server/by-layer"),
];

#[tokio::test]
async fn every_endpoint_wants_the_key() {
    let api = api().await;
    for (method, path) in ENDPOINTS {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let missing = api
            .http
            .request(method.clone(), api.url(path))
            .send()
            .await
            .unwrap();
        let msg = expect_error(missing, 403).await;
        assert!(msg.contains("key"), "{path}: {msg}");
        let wrong = api
            .http
            .request(method.clone(), format!("{}?key=sandbox2", api.url(path)))
            .send()
            .await
            .unwrap();
        expect_error(wrong, 403).await;
        let empty = api
            .http
            .request(method, format!("{}?key=", api.url(path)))
            .send()
            .await
            .unwrap();
        expect_error(empty, 403).await;
    }
    // Nothing was written by the refused writes.
    let apps: StringListEnvelope = api.get_ok("apps").await;
    assert!(apps.data.contains(&"web-shop".to_owned()));
}

#[tokio::test]
async fn several_keys_are_accepted() {
    let api = crate::http::common::api_with(tv_sandbox::server::SandboxConfig {
        api_keys: vec!["first-key".into(), "second-key".into()],
        ..crate::http::common::config()
    })
    .await;
    for key in ["first-key", "second-key"] {
        let resp = api
            .http
            .get(format!("{}?key={key}", api.url("apps")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let default = api.http.get(api.keyed("apps")).send().await.unwrap();
    expect_error(default, 403).await;
}

#[tokio::test]
async fn discovery_lists() {
    let api = api().await;
    let apps: StringListEnvelope = api.get_ok("apps").await;
    assert_eq!(apps.data.len(), 6);
    assert_eq!(apps.data[0], "Default");
    for path in [
        "actions",
        "controllers",
        "domains",
        "browsers",
        "regions",
        "metrics",
    ] {
        let list: StringListEnvelope = api.get_ok(path).await;
        assert!(!list.data.is_empty(), "{path}");
    }
    let layers: StringListEnvelope = api.get_ok("layers/web-shop").await;
    assert_eq!(layers.data.len(), 10);
    // since_time in float seconds (python-traceview's test) and in milliseconds.
    let secs = format!("layers/web-shop?since_time={}.5", NOW - 3600);
    let ms = format!("layers/web-shop?since_time={}", (NOW - 3600) * 1000);
    let a: StringListEnvelope = api.get_ok(&secs).await;
    let b: StringListEnvelope = api.get_ok(&ms).await;
    assert_eq!(a.data, b.data);
    assert!(!a.data.is_empty());
    let msg = expect_error(api.get("layers/web-shop?since_time=yesterday").await, 400).await;
    assert!(msg.contains("since_time"), "{msg}");
    expect_error(api.get("layers/no-such-app").await, 404).await;
}

#[tokio::test]
async fn hosts_are_sorted_and_last_trace_is_present() {
    let api = api().await;
    let hosts: HostListEnvelope = api.get_ok("hosts").await;
    assert!(hosts.data.len() > 5);
    let traces: Vec<Option<i64>> = hosts.data.iter().map(|h| h.last_trace).collect();
    let first_null = traces
        .iter()
        .position(Option::is_none)
        .unwrap_or(traces.len());
    assert!(traces[first_null..].iter().all(Option::is_none));
    assert!(traces[..first_null].windows(2).all(|w| w[0] >= w[1]));
    // `last_trace` is always a key, `null` when the host never traced.
    let json = raw(&api, "hosts").await;
    for host in json["data"].as_array().unwrap() {
        assert!(
            host.as_object().unwrap().contains_key("last_trace"),
            "{host}"
        );
    }
    let mine: HostListEnvelope = api.get_ok("app/web-shop/hosts").await;
    assert!(!mine.data.is_empty());
    assert!(mine.data.iter().all(|h| hosts.data.contains(h)));
    expect_error(api.get("app/nope/hosts").await, 404).await;
}

#[tokio::test]
async fn host_versions() {
    let api = api().await;
    let hosts: HostListEnvelope = api.get_ok("hosts").await;
    let mut platforms = (0, 0, 0); // absent, null, value
    for host in &hosts.data {
        let path = format!("hosts/{}/versions", host.id);
        let versions: InstrumentationVersionListEnvelope = api.get_ok(&path).await;
        assert!(!versions.data.is_empty());
        for v in raw(&api, &path).await["data"].as_array().unwrap() {
            match v.get("platform") {
                None => platforms.0 += 1,
                Some(serde_json::Value::Null) => platforms.1 += 1,
                Some(p) => {
                    assert!(p == "linux" || p == "windows", "{p}");
                    platforms.2 += 1;
                }
            }
        }
    }
    assert!(
        platforms.0 > 0 && platforms.1 > 0 && platforms.2 > 0,
        "{platforms:?}"
    );
    let msg = expect_error(api.get("hosts/123456789/versions").await, 404).await;
    assert_eq!(msg, "No host found with ID 123456789");
    expect_error(api.get("hosts/not-a-number/versions").await, 404).await;
}

#[tokio::test]
async fn annotations_newest_first_with_nulls() {
    let api = api().await;
    let all: AnnotationListEnvelope = api.get_ok("annotations").await;
    assert!(!all.data.is_empty());
    assert!(all.data.windows(2).all(|w| w[0].time >= w[1].time));
    assert!(
        all.data
            .iter()
            .all(|a| a.time >= NOW - 7 * 86_400 && a.time <= NOW)
    );
    for a in raw(&api, "annotations").await["data"].as_array().unwrap() {
        let obj = a.as_object().unwrap();
        for key in ["app", "host", "username", "id", "message", "time"] {
            assert!(obj.contains_key(key), "{a}");
        }
    }
    let default: AnnotationListEnvelope = api.get_ok("app/Default/annotations").await;
    assert!(default.data.iter().all(|a| a.app == Some(1)));
    // A range in milliseconds and in ISO-8601.
    let range = format!(
        "annotations?time_start={}&time_end=2024-01-03T12:00:00Z",
        (NOW - 30 * 86_400) * 1000
    );
    let month: AnnotationListEnvelope = api.get_ok(&range).await;
    assert!(month.data.len() >= all.data.len());
    let msg = expect_error(api.get("annotations?time_start=soon").await, 400).await;
    assert!(msg.contains("time_start"), "{msg}");
    let msg = expect_error(api.get("app/Default/annotations?time_end=x").await, 400).await;
    assert!(msg.contains("time_end"), "{msg}");
    expect_error(api.get("app/nope/annotations").await, 404).await;
}

#[tokio::test]
async fn organization_users_licenses() {
    let api = api().await;
    let org: OrganizationEnvelope = api.get_ok("organization").await;
    assert!(!org.data.name.is_empty() && !org.data.fullname.is_empty());
    let users: UserListEnvelope = api.get_ok("organization/users").await;
    assert!(users.data.iter().any(|u| u.admin));
    let lic: LicensesEnvelope = api.get_ok("organization/licenses").await;
    assert!(lic.data.hosts_used > 0 && lic.data.hosts_used <= lic.data.hosts_limit);
}

#[tokio::test]
async fn unknown_query_parameters_are_ignored() {
    let api: Api = api().await;
    let plain: StringListEnvelope = api.get_ok("apps").await;
    let extra: StringListEnvelope = api.get_ok("apps?foo=bar&key2=x&&=").await;
    assert_eq!(plain, extra);
    let resp = api
        .http
        .get(format!(
            "{}?whatever=1&key={KEY}&layer=x",
            api.url("organization")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
