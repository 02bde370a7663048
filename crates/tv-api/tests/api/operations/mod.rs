//! Every generated operation against a loopback mock: the request line, the query, the
//! form body and the key are right, and the envelope decodes.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tv_api::filters::{FilterParams, TimeseriesRequest};
use tv_api::types::{AssignAppForm, LogMessageForm, TimeWindow};
use tv_api::{ApiContext, ApiKey, Client};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

mod timeseries;

const KEY: &str = "k3y&with=special chars/+";

/// The query of a request as a sorted map (decoded).
fn query_of(request: &Request) -> BTreeMap<String, String> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn form_of(request: &Request) -> BTreeMap<String, String> {
    serde_urlencoded::from_bytes(&request.body).unwrap_or_default()
}

/// Mounts a mock that answers `data` only if the method, the encoded path and the
/// exact query (plus the key) match; it must be hit exactly once.
async fn expect(
    server: &MockServer,
    verb: &str,
    encoded_path: &str,
    query: &[(&str, &str)],
    data: Value,
) {
    let mut wanted: BTreeMap<String, String> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    wanted.insert("key".into(), KEY.into());
    Mock::given(method(verb))
        .and(path(format!("/api-v2{encoded_path}")))
        .and(move |request: &Request| query_of(request) == wanted)
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": data, "response": "ok"})),
        )
        .expect(1)
        .mount(server)
        .await;
}

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::new(
        &format!("{}/api-v2", server.uri()),
        ApiContext::new(ApiKey::new(KEY)),
    );
    (server, client)
}

/// A series answer as the spec declares it: the operation's header, rows of its width.
fn series(fields: &str) -> Value {
    let width = fields.split(',').count();
    let rows = [
        json!([1353259500, 11, 1180500]),
        json!([1353259530.0, 0, null]),
    ];
    let items: Vec<Value> = rows
        .iter()
        .map(|row| Value::Array(row.as_array().unwrap()[..width].to_vec()))
        .collect();
    json!({"fields": fields, "items": items})
}

#[tokio::test]
async fn discovery_operations() {
    let (server, client) = setup().await;
    let names = json!(["a", "b"]);
    for (p, _) in [
        ("/apps", ()),
        ("/actions", ()),
        ("/controllers", ()),
        ("/domains", ()),
        ("/browsers", ()),
        ("/regions", ()),
        ("/metrics", ()),
    ] {
        expect(&server, "GET", p, &[], names.clone()).await;
    }
    expect(
        &server,
        "GET",
        "/layers/web-shop",
        &[("since_time", "1399089540.5")],
        names.clone(),
    )
    .await;

    let expected = vec!["a".to_string(), "b".to_string()];
    assert_eq!(
        client.list_apps().send().await.unwrap().into_inner().data,
        expected
    );
    assert_eq!(
        client
            .list_actions()
            .send()
            .await
            .unwrap()
            .into_inner()
            .data,
        expected
    );
    assert_eq!(
        client
            .list_controllers()
            .send()
            .await
            .unwrap()
            .into_inner()
            .data,
        expected
    );
    assert_eq!(
        client
            .list_domains()
            .send()
            .await
            .unwrap()
            .into_inner()
            .data,
        expected
    );
    assert_eq!(
        client
            .list_browsers()
            .send()
            .await
            .unwrap()
            .into_inner()
            .data,
        expected
    );
    assert_eq!(
        client
            .list_regions()
            .send()
            .await
            .unwrap()
            .into_inner()
            .data,
        expected
    );
    assert_eq!(
        client
            .list_metrics()
            .send()
            .await
            .unwrap()
            .into_inner()
            .data,
        expected
    );
    let layers = client
        .list_layers()
        .app("web-shop")
        .since_time(1399089540.5)
        .send()
        .await
        .unwrap();
    assert_eq!(layers.into_inner().data, expected);
}

#[tokio::test]
async fn host_operations() {
    let (server, client) = setup().await;
    let host = json!({"id": 7, "name": "web-1", "first_heartbeat": 1, "last_heartbeat": 3, "last_trace": null});
    expect(&server, "GET", "/hosts", &[], json!([host])).await;
    expect(&server, "GET", "/app/web-shop/hosts", &[], json!([host])).await;
    let version = json!({"name": "tracelyzer", "version": "1.1.1", "release_date": 1374537600, "update_required": true});
    expect(&server, "GET", "/hosts/7/versions", &[], json!([version])).await;
    expect(&server, "DELETE", "/hosts/7", &[], json!(true)).await;

    let hosts = client.list_hosts().send().await.unwrap().into_inner().data;
    assert_eq!((hosts[0].id, hosts[0].last_trace), (7, None));
    assert_eq!(
        client
            .list_app_hosts()
            .app("web-shop")
            .send()
            .await
            .unwrap()
            .into_inner()
            .data,
        hosts
    );
    let versions = client
        .list_host_versions()
        .host_id(7)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(
        (versions[0].platform.as_deref(), versions[0].update_required),
        (None, true)
    );
    assert!(
        client
            .delete_host()
            .host_id(7)
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
    );
}

#[tokio::test]
async fn app_writes_send_form_bodies() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api-v2/assign_app"))
        .and(|r: &Request| query_of(r).get("key").map(String::as_str) == Some(KEY))
        .and(|r: &Request| {
            r.headers
                .get("content-type")
                .is_some_and(|v| v == "application/x-www-form-urlencoded")
        })
        .and(|r: &Request| {
            let form = form_of(r);
            form.get("appname").map(String::as_str) == Some("shop 2")
                && form.get("hostname").map(String::as_str) == Some("web-9")
                && form.get("tags").map(String::as_str) == Some("development,staging")
                && form.get("create").map(String::as_str) == Some("true")
                && !form.contains_key("key")
        })
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": true, "response": "ok"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    expect(&server, "DELETE", "/app/shop%202", &[], json!(true)).await;

    let form = AssignAppForm {
        appname: "shop 2".parse().unwrap(),
        hostname: "web-9".parse().unwrap(),
        layer: Some("nginx".parse().unwrap()),
        tags: Some("development,staging".parse().unwrap()),
        create: Some("true".to_owned().into()),
        key: None,
    };
    assert!(
        client
            .assign_app()
            .body(form)
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
    );
    assert!(
        client
            .delete_app()
            .app("shop 2")
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
    );
}

#[tokio::test]
async fn annotation_operations() {
    let (server, client) = setup().await;
    let note = json!({"id": 9, "message": "deploy", "time": 1378215829, "username": null, "host": null, "app": 21});
    expect(
        &server,
        "GET",
        "/annotations",
        &[("time_start", "1000.0"), ("time_end", "2000.0")],
        json!([note]),
    )
    .await;
    expect(
        &server,
        "GET",
        "/app/web-shop/annotations",
        &[],
        json!([note]),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/api-v2/log_message"))
        .and(|r: &Request| {
            let form = form_of(r);
            form.get("message").map(String::as_str) == Some("Deploy 1.2 & co")
                && form.get("appname").map(String::as_str) == Some("web-shop")
                && form.get("time").and_then(|t| t.parse::<f64>().ok()) == Some(1409685758.0)
        })
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": true, "response": "ok"})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let all = client
        .list_annotations()
        .time_start(1000.0)
        .time_end(2000.0)
        .send()
        .await
        .unwrap();
    assert_eq!(all.into_inner().data[0].app, Some(21));
    let app = client
        .list_app_annotations()
        .app("web-shop")
        .send()
        .await
        .unwrap();
    assert_eq!(app.into_inner().data[0].message, "deploy");
    let form = LogMessageForm {
        message: "Deploy 1.2 & co".parse().unwrap(),
        appname: Some("web-shop".into()),
        hostname: None,
        username: None,
        layer: None,
        time: Some(1409685758.0),
        key: None,
    };
    assert!(
        client
            .log_message()
            .body(form)
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
    );
}

#[tokio::test]
async fn organization_operations() {
    let (server, client) = setup().await;
    expect(
        &server,
        "GET",
        "/organization",
        &[],
        json!({"name": "example", "fullname": "the example organization"}),
    )
    .await;
    expect(
        &server,
        "GET",
        "/organization/users",
        &[],
        json!([{"admin": true, "name": "Jane Doe", "email": "jdoe@example.com"}]),
    )
    .await;
    expect(
        &server,
        "GET",
        "/organization/licenses",
        &[],
        json!({"hosts_used": 5, "hosts_limit": 10}),
    )
    .await;

    assert_eq!(
        client
            .get_organization()
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
            .name,
        "example"
    );
    assert!(client.list_users().send().await.unwrap().into_inner().data[0].admin);
    assert_eq!(
        client
            .get_licenses()
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
            .hosts_limit,
        10
    );
}
