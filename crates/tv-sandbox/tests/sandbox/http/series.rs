//! The computed endpoints through real HTTP: shapes, steps, nulls, parameter errors, and
//! the cross-endpoint consistency rules as a client sees them.

use tv_api::types::{
    LatencySummaryEnvelope, LayerTimeseriesListEnvelope, TotalRequestsSummaryEnvelope,
};

use crate::http::common::{NOW, Timeseries, TimeseriesEnvelope, api, expect_error, raw};

const COMPUTED: [&str; 8] = [
    "errors/{}/rate",
    "total_requests/{}/series",
    "total_requests/{}/summary",
    "latency/{}/server/series",
    "latency/{}/client/series",
    "latency/{}/server/summary",
    "latency/{}/client/summary",
    "latency/{}/server/by-layer",
];

fn column(ts: &Timeseries, name: &str) -> Vec<Option<f64>> {
    column_of(&ts.fields, &ts.items, name)
}

fn column_of<R: AsRef<[Option<f64>]>>(fields: &str, items: &[R], name: &str) -> Vec<Option<f64>> {
    let i = fields.split(',').position(|f| f == name).unwrap();
    items.iter().map(|row| row.as_ref()[i]).collect()
}

#[tokio::test]
async fn steps_points_and_fields() {
    let api = api().await;
    for (window, points, step) in [
        ("hour", 120, 30.0),
        ("day", 96, 900.0),
        ("week", 84, 7200.0),
    ] {
        let path = format!("latency/web-shop/server/series?time_window={window}");
        let s: TimeseriesEnvelope = api.get_ok(&path).await;
        assert_eq!(s.data.fields, "timestamp,volume,avg_latency");
        assert_eq!(s.data.items.len(), points, "{window}");
        let ts: Vec<f64> = column(&s.data, "timestamp").into_iter().flatten().collect();
        assert!(ts.windows(2).all(|w| w[1] - w[0] == step), "{window}");
        let last = ts.last().copied().unwrap();
        assert!(
            last < NOW as f64 && last >= (NOW as f64) - 2.0 * step,
            "{window}"
        );
    }
    let e: TimeseriesEnvelope = api.get_ok("errors/web-shop/rate").await;
    assert_eq!(e.data.fields, "timestamp,error_rate");
    let t: TimeseriesEnvelope = api.get_ok("total_requests/web-shop/series").await;
    assert_eq!(t.data.fields, "timestamp,total_requests");
    let c: TimeseriesEnvelope = api.get_ok("latency/web-shop/client/series").await;
    assert_eq!(c.data.items.len(), 120);
}

#[tokio::test]
async fn quiet_slices_have_null_latency_and_error_rate() {
    let api = api().await;
    // Wherever a slice has volume 0 its latency is null, and only there.
    for app in [
        "web-shop",
        "billing-api",
        "search-service",
        "auth-gateway",
        "admin-portal",
    ] {
        for side in ["server", "client"] {
            let path = format!("latency/{app}/{side}/series?time_window=hour&browser=Links");
            let s: TimeseriesEnvelope = api.get_ok(&path).await;
            for row in &s.data.items {
                if row[1] == Some(0.0) {
                    assert_eq!(row[2], None, "{path}");
                } else {
                    assert!(row[2].is_some(), "{path}");
                }
            }
        }
    }
    // An unknown filter value has no traffic at all: every slice is quiet.
    let s: TimeseriesEnvelope = api
        .get_ok("latency/web-shop/server/series?domain=nowhere.invalid")
        .await;
    assert!(
        s.data
            .items
            .iter()
            .all(|r| r[1] == Some(0.0) && r[2].is_none())
    );
    let e: TimeseriesEnvelope = api
        .get_ok("errors/web-shop/rate?domain=nowhere.invalid")
        .await;
    assert!(e.data.items.iter().all(|r| r[1].is_none()));
    let sum = raw(
        &api,
        "latency/web-shop/server/summary?domain=nowhere.invalid",
    )
    .await;
    assert_eq!(sum["data"]["count"], 0.0);
    assert!(sum["data"]["average"].is_null() && sum["data"]["latest"].is_null());
}

#[tokio::test]
async fn summaries_agree_with_series() {
    let api = api().await;
    for query in [
        "time_window=day",
        "time_window=week&time_end=1700000000",
        "time_window=hour&time_end=2023-11-14T22:13:20Z",
        "time_window=day&controller=products",
    ] {
        for side in ["server", "client"] {
            let s: TimeseriesEnvelope = api
                .get_ok(&format!("latency/web-shop/{side}/series?{query}"))
                .await;
            let sum: LatencySummaryEnvelope = api
                .get_ok(&format!("latency/web-shop/{side}/summary?{query}"))
                .await;
            let vols: Vec<f64> = column(&s.data, "volume").into_iter().flatten().collect();
            let lats = column(&s.data, "avg_latency");
            let count: f64 = vols.iter().sum();
            assert_eq!(sum.data.count, Some(count), "{side} {query}");
            assert_eq!(sum.data.volume, Some(count));
            let weighted: f64 = vols
                .iter()
                .zip(&lats)
                .map(|(v, l)| v * l.unwrap_or(0.0))
                .sum();
            if count > 0.0 {
                let avg = sum.data.average.unwrap();
                assert!(
                    (avg - weighted / count).abs() <= 1e-6 * avg.max(1.0),
                    "{side} {query}"
                );
            }
        }
        let total: TimeseriesEnvelope = api
            .get_ok(&format!("total_requests/web-shop/series?{query}"))
            .await;
        let tsum: TotalRequestsSummaryEnvelope = api
            .get_ok(&format!("total_requests/web-shop/summary?{query}"))
            .await;
        let totals: Vec<f64> = column(&total.data, "total_requests")
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(tsum.data.total_requests, totals.iter().sum::<f64>());
        assert!(tsum.data.reqs_per_time_period.ends_with("/sec"));
        // Total requests ≥ traced volume; error rate × volume is whole.
        let s: TimeseriesEnvelope = api
            .get_ok(&format!("latency/web-shop/server/series?{query}"))
            .await;
        let e: TimeseriesEnvelope = api.get_ok(&format!("errors/web-shop/rate?{query}")).await;
        for ((t, v), r) in totals
            .iter()
            .zip(column(&s.data, "volume"))
            .zip(column(&e.data, "error_rate"))
        {
            let v = v.unwrap();
            assert!(*t >= v);
            if let Some(r) = r {
                let failed = r * v;
                assert!((failed - failed.round()).abs() < 1e-6, "{r} × {v}");
            }
        }
    }
}

#[tokio::test]
async fn by_layer_agrees_with_the_server_series() {
    let api = api().await;
    let query = "time_window=day&time_end=1704200000";
    let by: LayerTimeseriesListEnvelope = api
        .get_ok(&format!("latency/web-shop/server/by-layer?{query}"))
        .await;
    assert_eq!(by.data.len(), 10);
    let s: TimeseriesEnvelope = api
        .get_ok(&format!("latency/web-shop/server/series?{query}"))
        .await;
    // The web-server (entry) layer is called once per request.
    let entry = &by.data[0].timeseries;
    let entry_fields = entry.fields.to_string();
    assert_eq!(entry_fields, "timestamp,volume,avg_latency");
    let entry_column = |name| column_of(&entry_fields, &entry.items, name);
    assert_eq!(entry_column("volume"), column(&s.data, "volume"));
    assert_eq!(entry_column("timestamp"), column(&s.data, "timestamp"));
    // Per-call averages are plausible: total µs / calls is a positive latency.
    for layer in &by.data {
        for row in &layer.timeseries.items {
            let (calls, total) = (row[1].unwrap(), row[2].unwrap());
            if calls > 0.0 {
                assert!(
                    total / calls > 0.0 && total / calls < 60e6,
                    "{}",
                    layer.layer
                );
            } else {
                assert_eq!(total, 0.0);
            }
        }
    }
    // The layer filter keeps one series; an unknown layer none.
    let name = &by.data[3].layer;
    let one: LayerTimeseriesListEnvelope = api
        .get_ok(&format!(
            "latency/web-shop/server/by-layer?{query}&layer={name}"
        ))
        .await;
    assert_eq!(one.data.len(), 1);
    assert_eq!(&one.data[0], &by.data[3]);
    let none: LayerTimeseriesListEnvelope = api
        .get_ok("latency/web-shop/server/by-layer?layer=no-such-layer")
        .await;
    assert!(none.data.is_empty());
}

#[tokio::test]
async fn filters_narrow_the_traffic() {
    let api = api().await;
    let all: LatencySummaryEnvelope = api
        .get_ok("latency/web-shop/server/summary?time_window=day")
        .await;
    let domains: tv_api::types::StringListEnvelope = api.get_ok("domains").await;
    let mut narrowed = 0;
    for d in &domains.data {
        let one: LatencySummaryEnvelope = api
            .get_ok(&format!(
                "latency/web-shop/server/summary?time_window=day&domain={d}"
            ))
            .await;
        assert!(one.data.count <= all.data.count);
        if one.data.count < all.data.count {
            narrowed += 1;
        }
    }
    assert!(narrowed > 0);
    let browser: LatencySummaryEnvelope = api
        .get_ok("latency/web-shop/client/summary?time_window=day&browser=Chrome")
        .await;
    let client: LatencySummaryEnvelope = api
        .get_ok("latency/web-shop/client/summary?time_window=day")
        .await;
    assert!(browser.data.count < client.data.count);
}

#[tokio::test]
async fn parameter_errors_name_the_parameter() {
    let api = api().await;
    for template in COMPUTED {
        let path = template.replace("{}", "web-shop");
        let msg = expect_error(api.get(&format!("{path}?time_window=month")).await, 400).await;
        assert!(msg.contains("time_window"), "{path}: {msg}");
        let msg = expect_error(api.get(&format!("{path}?time_end=tomorrow")).await, 400).await;
        assert!(msg.contains("time_end"), "{path}: {msg}");
        let unknown = template.replace("{}", "no-such-app");
        let msg = expect_error(api.get(&unknown).await, 404).await;
        assert!(msg.contains("no-such-app"), "{msg}");
        // As the spec says: an empty or differently cased value is refused, naming it.
        for (bad, name) in [
            ("time_window=", "time_window"),
            ("time_window=Day", "time_window"),
            ("time_end=", "time_end"),
        ] {
            let msg = expect_error(api.get(&format!("{path}?{bad}")).await, 400).await;
            assert!(msg.starts_with(name), "{path}?{bad}: {msg}");
        }
        // time_end in ms and ISO-8601 are accepted; an empty filter counts as absent.
        for ok in [
            "domain=&time_window=day",
            "time_end=1704283200000",
            "time_end=2024-01-03T12:00:00Z",
        ] {
            let resp = api.get(&format!("{path}?{ok}")).await;
            assert_eq!(resp.status(), 200, "{path}?{ok}");
        }
    }
}

#[tokio::test]
async fn answers_are_stable_in_time() {
    // The same window asked at two different "now"s gives the same numbers.
    let a = api().await;
    let b = crate::http::common::api_with(tv_sandbox::server::SandboxConfig {
        now: Some(NOW + 86_400),
        ..crate::http::common::config()
    })
    .await;
    let path = "latency/billing-api/server/series?time_window=day&time_end=1704200000";
    let x: TimeseriesEnvelope = a.get_ok(path).await;
    let y: TimeseriesEnvelope = b.get_ok(path).await;
    assert_eq!(x, y);
}
