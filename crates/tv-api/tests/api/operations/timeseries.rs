//! The timeseries operations with every filter, app names as one path segment, typed
//! error envelopes and the observer: the same loopback mock as the other operations.

use super::*;

/// A timeseries request with a day window, a fixed end and the scope's filters (every
/// family takes them), through the generated `TimeseriesRequest` impls.
fn filtered<R: TimeseriesRequest>(request: R) -> R {
    let params = R::Params::from_params(|name| match name {
        "domain" => Some("www.example.com"),
        "url" => Some("/index.php"),
        "controller" => Some("products"),
        "action" => Some("show"),
        _ => None,
    });
    request
        .with_window(TimeWindow::Day)
        .with_end("2024-01-01T00:00:00Z".to_owned())
        .with_filters(&params)
}

#[tokio::test]
async fn timeseries_operations_send_every_filter() {
    let (server, client) = setup().await;
    let common = [
        ("time_window", "day"),
        ("time_end", "2024-01-01T00:00:00Z"),
        ("domain", "www.example.com"),
        ("url", "/index.php"),
        ("controller", "products"),
        ("action", "show"),
    ];
    let with_layer: Vec<(&str, &str)> = common.iter().copied().chain([("layer", "PHP")]).collect();
    let client_side: Vec<(&str, &str)> = with_layer
        .iter()
        .copied()
        .chain([("browser", "Chrome"), ("region", "US-RI")])
        .collect();

    expect(
        &server,
        "GET",
        "/errors/web-shop/rate",
        &with_layer,
        series("timestamp,error_rate"),
    )
    .await;
    expect(
        &server,
        "GET",
        "/total_requests/web-shop/series",
        &common,
        series("timestamp,total_requests"),
    )
    .await;
    expect(
        &server,
        "GET",
        "/total_requests/web-shop/summary",
        &common,
        json!({"total_requests": 980, "reqs_per_time_period": "0.27/sec"}),
    )
    .await;
    expect(
        &server,
        "GET",
        "/latency/web-shop/server/series",
        &with_layer,
        series("timestamp,volume,avg_latency"),
    )
    .await;
    expect(
        &server,
        "GET",
        "/latency/web-shop/client/series",
        &client_side,
        series("timestamp,volume,avg_latency"),
    )
    .await;
    expect(
        &server,
        "GET",
        "/latency/web-shop/server/summary",
        &with_layer,
        json!({"count": 2402.0, "average": 271437.1, "latest": null}),
    )
    .await;
    expect(
        &server,
        "GET",
        "/latency/web-shop/client/summary",
        &client_side,
        json!({"volume": 93, "average": null, "latest": null}),
    )
    .await;
    let layer = json!([{"layer": "nginx", "timeseries": series("timestamp,volume,avg_latency")}]);
    expect(
        &server,
        "GET",
        "/latency/web-shop/server/by-layer",
        &with_layer,
        layer,
    )
    .await;

    let rate = filtered(client.get_error_rate().app("web-shop"))
        .layer("PHP")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rate.data.fields.to_string(), "timestamp,error_rate");
    let total = filtered(client.get_total_requests_series().app("web-shop"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(total.data.items[1], [Some(1353259530.0), Some(0.0)]);
    let summary = filtered(client.get_total_requests_summary().app("web-shop"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(summary.data.reqs_per_time_period, "0.27/sec");
    let server_series = filtered(client.get_server_latency_series().app("web-shop"))
        .layer("PHP")
        .send()
        .await
        .unwrap();
    assert_eq!(server_series.into_inner().data.items.len(), 2);
    let client_series = filtered(client.get_client_latency_series().app("web-shop"))
        .layer("PHP")
        .browser("Chrome")
        .region("US-RI")
        .send()
        .await
        .unwrap();
    assert_eq!(client_series.into_inner().data.items[0][2], Some(1180500.0));
    let server_summary = filtered(client.get_server_latency_summary().app("web-shop"))
        .layer("PHP")
        .send()
        .await
        .unwrap();
    assert_eq!(server_summary.into_inner().data.count, Some(2402.0));
    let client_summary = filtered(client.get_client_latency_summary().app("web-shop"))
        .layer("PHP")
        .browser("Chrome")
        .region("US-RI")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (client_summary.data.count, client_summary.data.volume),
        (None, Some(93.0))
    );
    let by_layer = filtered(client.get_server_latency_by_layer().app("web-shop"))
        .layer("PHP")
        .send()
        .await
        .unwrap();
    assert_eq!(by_layer.into_inner().data[0].layer, "nginx");
}

#[tokio::test]
async fn app_names_travel_as_one_encoded_path_segment() {
    let (server, client) = setup().await;
    let cases = [
        ("my app", "my%20app"),
        ("a/b", "a%2Fb"),
        ("100%", "100%25"),
        ("c++", "c++"),
        ("café-日本", "caf%C3%A9-%E6%97%A5%E6%9C%AC"),
    ];
    for (name, encoded) in cases {
        expect(
            &server,
            "GET",
            &format!("/latency/{encoded}/server/summary"),
            &[],
            json!({"count": 1}),
        )
        .await;
        let answer = client.get_server_latency_summary().app(name).send().await;
        assert!(answer.is_ok(), "{name}: {answer:?}");
    }
}

#[tokio::test]
async fn error_envelopes_come_back_typed() {
    let (server, client) = setup().await;
    for (status, p, message) in [
        (403, "/apps", "invalid or missing access key"),
        (404, "/layers/nope", "No app named nope"),
        (400, "/errors/web-shop/rate", "invalid time_window"),
    ] {
        Mock::given(path(format!("/api-v2{p}")))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"data": message, "response": "error"})),
            )
            .mount(&server)
            .await;
    }
    let check = |error: tv_api::Error<tv_api::types::ErrorEnvelope>, status: u16, message: &str| {
        match error {
            tv_api::Error::ErrorResponse(body) => {
                assert_eq!(body.status().as_u16(), status);
                assert_eq!(body.data, message);
            }
            other => panic!("expected an error envelope, got {other:?}"),
        }
    };
    check(
        client.list_apps().send().await.unwrap_err(),
        403,
        "invalid or missing access key",
    );
    check(
        client.list_layers().app("nope").send().await.unwrap_err(),
        404,
        "No app named nope",
    );
    check(
        client
            .get_error_rate()
            .app("web-shop")
            .send()
            .await
            .unwrap_err(),
        400,
        "invalid time_window",
    );
}

#[tokio::test]
async fn the_observer_sees_every_exchange() {
    use std::sync::{Arc, Mutex};
    struct Recorder(Mutex<Vec<(String, Option<u16>)>>);
    impl tv_api::ResponseObserver for Recorder {
        fn observe(&self, exchange: &tv_api::Exchange<'_>) {
            let status = exchange.status.map(|s| s.as_u16());
            self.0
                .lock()
                .unwrap()
                .push((exchange.operation.to_string(), status));
        }
    }
    let server = MockServer::start().await;
    Mock::given(path("/api-v2/apps"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .mount(&server)
        .await;
    let recorder = Arc::new(Recorder(Mutex::new(Vec::new())));
    let context = ApiContext::new(ApiKey::new(KEY)).with_observer(recorder.clone());
    let client = Client::new(&format!("{}/api-v2", server.uri()), context);
    assert!(client.list_apps().send().await.is_err());
    assert_eq!(
        *recorder.0.lock().unwrap(),
        vec![("list_apps".to_string(), Some(502))]
    );
}
