//! Snapshots of answers at seed 42 and a frozen `now` (2024-01-03T12:00:00Z).

use serde_json::Value;

use crate::http::common::{api, raw};

/// Keeps the first `n` items of every `items` array (series stay short in snapshots).
fn shorten(value: &mut Value, n: usize) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "items"
                    && let Value::Array(items) = v
                {
                    items.truncate(n);
                } else {
                    shorten(v, n);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| shorten(v, n)),
        _ => {}
    }
}

#[tokio::test]
async fn answers_at_a_fixed_seed_and_now() {
    let api = api().await;
    insta::assert_json_snapshot!("apps", raw(&api, "apps").await);

    let mut hosts = raw(&api, "app/web-shop/hosts").await;
    if let Some(items) = hosts["data"].as_array_mut() {
        items.truncate(4);
    }
    insta::assert_json_snapshot!("web_shop_hosts", hosts);

    let mut series = raw(&api, "latency/web-shop/server/series?time_window=hour").await;
    shorten(&mut series, 6);
    insta::assert_json_snapshot!("server_series_hour_first_6", series);

    insta::assert_json_snapshot!(
        "server_summary_day",
        raw(&api, "latency/web-shop/server/summary?time_window=day").await
    );
    insta::assert_json_snapshot!(
        "total_requests_summary_week",
        raw(&api, "total_requests/web-shop/summary?time_window=week").await
    );

    let mut by_layer = raw(&api, "latency/web-shop/server/by-layer?time_window=week").await;
    shorten(&mut by_layer, 2);
    insta::assert_json_snapshot!("by_layer_week_first_2", by_layer);

    let missing = api.get("latency/nope/server/series").await;
    let status = missing.status().as_u16();
    let body: Value = missing.json().await.unwrap();
    insta::assert_json_snapshot!(
        "unknown_app",
        serde_json::json!({"status": status, "body": body})
    );
}
