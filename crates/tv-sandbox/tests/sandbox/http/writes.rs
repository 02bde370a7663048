//! The writes through real HTTP: both parameter transports, body wins, the rules, and
//! every write visible in every later read.

use tv_api::types::{
    AnnotationListEnvelope, BooleanEnvelope, HostListEnvelope, LayerTimeseriesListEnvelope,
    StringListEnvelope,
};

use crate::http::common::{KEY, api, decode_ok, expect_error};

async fn apps(api: &crate::http::common::Api) -> Vec<String> {
    let list: StringListEnvelope = api.get_ok("apps").await;
    list.data
}

#[tokio::test]
async fn assign_app_python_style_query_only() {
    let api = api().await;
    let resp = api
        .post_query(
            "assign_app",
            &[
                ("key", KEY),
                ("appname", "TEST_APP_ABC123"),
                ("hostname", "test.example.com"),
                ("create", "True"),
                ("layer", "test"),
            ],
        )
        .await;
    let ok: BooleanEnvelope = decode_ok(resp).await;
    assert!(ok.data);
    assert!(apps(&api).await.contains(&"TEST_APP_ABC123".to_owned()));
    let hosts: HostListEnvelope = api.get_ok("app/TEST_APP_ABC123/hosts").await;
    assert_eq!(hosts.data.len(), 1);
    assert_eq!(hosts.data[0].name, "test.example.com");
    let all: HostListEnvelope = api.get_ok("hosts").await;
    assert!(all.data.iter().any(|h| h.name == "test.example.com"));
    let by: LayerTimeseriesListEnvelope =
        api.get_ok("latency/TEST_APP_ABC123/server/by-layer").await;
    assert_eq!(by.data.len(), 1);
    assert_eq!(by.data[0].layer, "test");
    // python-traceview then deletes it.
    let deleted: BooleanEnvelope = decode_ok(
        api.call(reqwest::Method::DELETE, "app/TEST_APP_ABC123")
            .await,
    )
    .await;
    assert!(deleted.data);
    assert!(!apps(&api).await.contains(&"TEST_APP_ABC123".to_owned()));
    expect_error(api.get("latency/TEST_APP_ABC123/server/series").await, 404).await;
}

#[tokio::test]
async fn assign_app_curl_style_form_body() {
    let api = api().await;
    let resp = api
        .post_form(
            "assign_app",
            &[
                ("key", KEY),
                ("hostname", "web-7"),
                ("appname", "chef app"),
                ("layer", "PHP"),
                ("create", "true"),
                ("tags", "development,staging"),
            ],
        )
        .await;
    let ok: BooleanEnvelope = decode_ok(resp).await;
    assert!(ok.data);
    // Add a second host to the existing app with only hostname + appname (Docker hook).
    let resp = api
        .post_form(
            "assign_app",
            &[("key", KEY), ("hostname", "web-8"), ("appname", "chef app")],
        )
        .await;
    decode_ok::<BooleanEnvelope>(resp).await;
    let hosts: HostListEnvelope = api.get_ok("app/chef%20app/hosts").await;
    assert_eq!(hosts.data.len(), 2);
}

#[tokio::test]
async fn body_wins_over_the_query_string() {
    let api = api().await;
    // Same parameter in both: the body's value is used.
    let resp = api
        .http
        .post(format!(
            "{}?appname=from-query&key=wrong",
            api.url("assign_app")
        ))
        .form(&[
            ("key", KEY),
            ("appname", "from-body"),
            ("hostname", "h1"),
            ("create", "1"),
            ("layer", "nginx"),
        ])
        .send()
        .await
        .unwrap();
    decode_ok::<BooleanEnvelope>(resp).await;
    let names = apps(&api).await;
    assert!(names.contains(&"from-body".to_owned()));
    assert!(!names.contains(&"from-query".to_owned()));
    // A wrong key in the body beats a right one in the query.
    let resp = api
        .http
        .post(api.keyed("log_message"))
        .form(&[("key", "wrong"), ("message", "x")])
        .send()
        .await
        .unwrap();
    expect_error(resp, 403).await;
    // Parameters only in the query still count next to a body.
    let resp = api
        .http
        .post(format!("{}?message=from-query", api.url("log_message")))
        .form(&[("key", KEY), ("username", "dan")])
        .send()
        .await
        .unwrap();
    decode_ok::<BooleanEnvelope>(resp).await;
    let list: AnnotationListEnvelope = api.get_ok("annotations").await;
    assert_eq!(list.data[0].message, "from-query");
    assert_eq!(list.data[0].username.as_deref(), Some("dan"));
}

#[tokio::test]
async fn assign_app_rules() {
    let api = api().await;
    let post = |form: Vec<(&'static str, String)>| {
        let api = &api;
        async move {
            let mut form = form;
            form.push(("key", KEY.to_owned()));
            api.http
                .post(api.url("assign_app"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let msg = expect_error(
        post(vec![
            ("appname", "Default".into()),
            ("hostname", "h".into()),
        ])
        .await,
        400,
    )
    .await;
    assert!(msg.contains("appname") && msg.contains("Default"), "{msg}");
    let long = "x".repeat(41);
    let msg = expect_error(
        post(vec![
            ("appname", long),
            ("hostname", "h".into()),
            ("create", "1".into()),
            ("layer", "l".into()),
        ])
        .await,
        400,
    )
    .await;
    assert!(msg.contains("appname") && msg.contains("40"), "{msg}");
    let msg = expect_error(post(vec![("appname", "web-shop".into())]).await, 400).await;
    assert!(msg.contains("hostname"), "{msg}");
    // Each hostname rule is refused with its own reason.
    let with_host = |host: String| vec![("appname", "web-shop".into()), ("hostname", host)];
    let msg = expect_error(post(with_host("web\t1".into())).await, 400).await;
    assert!(
        msg.starts_with("hostname") && msg.contains("control"),
        "{msg}"
    );
    let msg = expect_error(post(with_host("h".repeat(256))).await, 400).await;
    assert!(msg.starts_with("hostname") && msg.contains("255"), "{msg}");
    let msg = expect_error(post(vec![("hostname", "h".into())]).await, 400).await;
    assert!(msg.contains("appname"), "{msg}");
    // Unknown app without create: 404; with create but no layer: 400 naming layer.
    expect_error(
        post(vec![("appname", "new".into()), ("hostname", "h".into())]).await,
        404,
    )
    .await;
    let msg = expect_error(
        post(vec![
            ("appname", "new".into()),
            ("hostname", "h".into()),
            ("create", "yes".into()),
        ])
        .await,
        400,
    )
    .await;
    assert!(msg.contains("layer"), "{msg}");
    // create=false is not create.
    expect_error(
        post(vec![
            ("appname", "new".into()),
            ("hostname", "h".into()),
            ("create", "false".into()),
            ("layer", "l".into()),
        ])
        .await,
        404,
    )
    .await;
    assert_eq!(apps(&api).await.len(), 6);
}

#[tokio::test]
async fn log_message_both_transports_and_listing() {
    let api = api().await;
    // WordPress / Ansible: a form body.
    let resp = api
        .post_form(
            "log_message",
            &[
                ("key", KEY),
                ("message", "Code deployed"),
                ("appname", "web-shop"),
                ("username", "dan"),
                ("hostname", "prod-web.example.com"),
                ("time", "1704283100"),
            ],
        )
        .await;
    let ok: BooleanEnvelope = decode_ok(resp).await;
    assert!(ok.data);
    // Heroku hook / python-traceview: the query string.
    let resp = api
        .post_query(
            "log_message",
            &[
                ("key", KEY),
                ("message", "Deploy 1a2b3c"),
                ("username", "heroku"),
            ],
        )
        .await;
    decode_ok::<BooleanEnvelope>(resp).await;
    let list: AnnotationListEnvelope = api.get_ok("annotations").await;
    assert_eq!(list.data[0].message, "Deploy 1a2b3c");
    assert_eq!(list.data[0].app, None);
    assert_eq!(list.data[0].time, crate::http::common::NOW);
    let mine: AnnotationListEnvelope = api.get_ok("app/web-shop/annotations").await;
    let deployed = mine
        .data
        .iter()
        .find(|a| a.message == "Code deployed")
        .expect("listed under its app");
    assert_eq!(deployed.time, 1_704_283_100);
    assert_eq!(deployed.host.as_deref(), Some("prod-web.example.com"));
    assert_eq!(deployed.app, Some(2));
    // Errors: no message, bad time, unknown app.
    let msg = expect_error(api.post_form("log_message", &[("key", KEY)]).await, 400).await;
    assert!(msg.contains("message"), "{msg}");
    let msg = expect_error(
        api.post_form(
            "log_message",
            &[("key", KEY), ("message", "m"), ("time", "noon")],
        )
        .await,
        400,
    )
    .await;
    assert!(msg.contains("time"), "{msg}");
    expect_error(
        api.post_form(
            "log_message",
            &[("key", KEY), ("message", "m"), ("appname", "nope")],
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn deletes() {
    let api = api().await;
    let hosts: HostListEnvelope = api.get_ok("hosts").await;
    let victim = hosts.data[0].id;
    let path = format!("hosts/{victim}");
    let ok: BooleanEnvelope = decode_ok(api.call(reqwest::Method::DELETE, &path).await).await;
    assert!(ok.data);
    let after: HostListEnvelope = api.get_ok("hosts").await;
    assert!(after.data.iter().all(|h| h.id != victim));
    let msg = expect_error(api.call(reqwest::Method::DELETE, &path).await, 404).await;
    assert_eq!(msg, format!("No host found with ID {victim}"));
    expect_error(api.get(&format!("hosts/{victim}/versions")).await, 404).await;
    // Deleting Default is refused; an unknown app is 404.
    let msg = expect_error(api.call(reqwest::Method::DELETE, "app/Default").await, 400).await;
    assert!(msg.contains("Default"), "{msg}");
    expect_error(api.call(reqwest::Method::DELETE, "app/nope").await, 404).await;
}

#[tokio::test]
async fn writes_are_visible_in_memoized_reads() {
    let api = api().await;
    let path = "latency/billing-api/server/summary?time_window=week";
    let before = api.get(path).await;
    assert_eq!(before.status(), 200);
    let again = api.get(path).await; // from the memo
    assert_eq!(again.status(), 200);
    decode_ok::<BooleanEnvelope>(api.call(reqwest::Method::DELETE, "app/billing-api").await).await;
    expect_error(api.get(path).await, 404).await;
    expect_error(api.get("layers/billing-api").await, 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_all_land() {
    let api = std::sync::Arc::new(api().await);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let api = std::sync::Arc::clone(&api);
        tasks.push(tokio::spawn(async move {
            let msg = format!("concurrent {i}");
            let resp = api
                .post_form("log_message", &[("key", KEY), ("message", &msg)])
                .await;
            decode_ok::<BooleanEnvelope>(resp).await
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap().data);
    }
    let list: AnnotationListEnvelope = api.get_ok("annotations").await;
    let mine: Vec<_> = list
        .data
        .iter()
        .filter(|a| a.message.starts_with("concurrent "))
        .collect();
    assert_eq!(mine.len(), 24);
    let mut ids: Vec<i64> = mine.iter().map(|a| a.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 24);
}

#[tokio::test]
async fn a_write_that_cannot_be_saved_is_500_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("gone");
    std::fs::create_dir(&sub).unwrap();
    let api = crate::http::common::api_with(tv_sandbox::server::SandboxConfig {
        state_file: Some(sub.join("state.json")),
        ..crate::http::common::config()
    })
    .await;
    std::fs::remove_dir_all(&sub).unwrap();
    let resp = api
        .post_form("log_message", &[("key", KEY), ("message", "never saved")])
        .await;
    let msg = expect_error(resp, 500).await;
    assert!(msg.contains("state file"), "{msg}");
    let list: AnnotationListEnvelope = api.get_ok("annotations").await;
    assert!(list.data.iter().all(|a| a.message != "never saved"));
}
