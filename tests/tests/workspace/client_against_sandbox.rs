//! Every operation of the typed client against the sandbox, through real HTTP on
//! loopback, and the cross-endpoint promises the typed layer relies on.

use chrono::{DateTime, TimeZone, Utc};
use tv_client::math;
use tv_client::{
    AnnotationRange, Assignment, ClientFilter, NewAnnotation, RequestsFilter, ServerFilter,
    TimeRange, TimeWindow, TraceView,
};
use tv_testkit::{FROZEN_NOW, LocalSandbox};

fn end() -> DateTime<Utc> {
    Utc.timestamp_opt(FROZEN_NOW, 0).unwrap()
}

#[tokio::test]
async fn every_read_operation_works() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let discovery = tv.discovery();
    let apps = discovery.apps().await.unwrap();
    assert!(
        apps.contains(&"Default".to_string()) && apps.contains(&"web-shop".to_string()),
        "{apps:?}"
    );
    assert!(!discovery.layers("web-shop", None).await.unwrap().is_empty());
    for names in [
        discovery.actions().await.unwrap(),
        discovery.controllers().await.unwrap(),
        discovery.domains().await.unwrap(),
        discovery.browsers().await.unwrap(),
        discovery.regions().await.unwrap(),
        discovery.metrics().await.unwrap(),
    ] {
        assert!(!names.is_empty());
    }
    let hosts = tv.hosts().list().await.unwrap();
    assert!(!hosts.is_empty());
    let traced: Vec<_> = hosts.iter().map(|h| h.last_trace).collect();
    let mut sorted = traced.clone();
    sorted.sort_by(|a, b| match (a, b) {
        (Some(a), Some(b)) => b.cmp(a),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    assert_eq!(
        traced, sorted,
        "hosts are sorted by last trace, never-traced last"
    );
    assert!(!tv.hosts().of_app("web-shop").await.unwrap().is_empty());
    assert!(!tv.hosts().versions(hosts[0].id).await.unwrap().is_empty());
    let range = AnnotationRange {
        start: None,
        end: Some(end()),
    };
    let all = tv.annotations().list(range).await.unwrap();
    let default = tv.annotations().of_app("Default", range).await.unwrap();
    assert!(!all.is_empty() && all.len() >= default.len());
    assert!(
        all.windows(2).all(|w| w[0].time >= w[1].time),
        "newest first"
    );
    assert!(!tv.organization().get().await.unwrap().name.is_empty());
    assert!(!tv.organization().users().await.unwrap().is_empty());
    let licenses = tv.organization().licenses().await.unwrap();
    assert!(licenses.hosts_used <= licenses.hosts_limit);
}

#[tokio::test]
async fn series_and_summaries_agree() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    for window in TimeWindow::ALL {
        let filter = ServerFilter::new().window(window).end(end());
        let series = tv
            .latency()
            .server_series("web-shop", &filter)
            .await
            .unwrap();
        assert_eq!(series.len() as u32, window.points());
        assert_eq!(series.step(), Some(window.step()));
        let summary = tv
            .latency()
            .server_summary("web-shop", &filter)
            .await
            .unwrap();
        assert_eq!(summary.count, math::total_volume(&series), "{window}");
        let mean = math::weighted_mean(&series).unwrap();
        let average = summary.average.unwrap();
        let diff = mean.as_secs_f64() - average.as_secs_f64();
        assert!(
            diff.abs() < 1e-6 * average.as_secs_f64().max(1e-3),
            "{window}: {mean:?} vs {average:?}"
        );

        let layers = tv.latency().by_layer("web-shop", &filter).await.unwrap();
        let entry = &layers[0];
        let calls: u64 = entry.series.iter().map(|p| p.calls).sum();
        assert_eq!(
            calls, summary.count,
            "the entry layer's calls are the requests"
        );
        let shares: f64 = math::time_shares(&layers)
            .iter()
            .filter_map(|s| s.share)
            .sum();
        assert!((shares - 1.0).abs() < 1e-9);

        let requests = RequestsFilter::new().window(window).end(end());
        let total = tv.requests().summary("web-shop", &requests).await.unwrap();
        assert!(
            total.total_requests >= summary.count,
            "all requests ≥ traced ones"
        );
        let request_series = tv.requests().series("web-shop", &requests).await.unwrap();
        assert_eq!(math::total_requests(&request_series), total.total_requests);

        let rates = tv.errors().rate("web-shop", &filter).await.unwrap();
        let estimate = math::estimate_errors(&rates, &series);
        assert!(estimate.errors.get() <= summary.count);
    }
}

#[tokio::test]
async fn filters_narrow_the_traffic() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let all = ServerFilter::new().window(TimeWindow::Day).end(end());
    let total = tv
        .latency()
        .server_summary("web-shop", &all)
        .await
        .unwrap()
        .count;
    let controller = tv.discovery().controllers().await.unwrap().remove(0);
    let narrowed = tv
        .latency()
        .server_summary("web-shop", &all.clone().controller(controller))
        .await
        .unwrap()
        .count;
    assert!(narrowed < total, "{narrowed} < {total}");
    let client = ClientFilter::new().window(TimeWindow::Day).end(end());
    let views = tv
        .latency()
        .client_summary("web-shop", &client)
        .await
        .unwrap()
        .count;
    let chrome = tv
        .latency()
        .client_summary("web-shop", &client.clone().browser("Chrome"))
        .await
        .unwrap()
        .count;
    assert!(chrome < views, "{chrome} < {views}");
}

#[tokio::test]
async fn history_longer_than_a_window_is_stitched_without_gaps() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let start = end() - chrono::Duration::hours(3);
    let range = TimeRange::new(start, end()).unwrap();
    let filter = ServerFilter::new().window(TimeWindow::Hour);
    let stitched = tv
        .latency()
        .server_history("web-shop", &filter, range)
        .await
        .unwrap();
    assert!(stitched.coverage.is_complete(), "{:?}", stitched.coverage);
    assert_eq!(stitched.series.len(), 360);
}

#[tokio::test]
async fn writes_are_visible_in_later_reads() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let assignment = Assignment {
        app: "new shop/ü".into(),
        host: "web-new-1".into(),
        layer: Some("nginx".into()),
        tags: vec!["staging".into()],
        create: true,
    };
    tv.apps().assign(&assignment).await.unwrap();
    assert!(
        tv.discovery()
            .apps()
            .await
            .unwrap()
            .contains(&assignment.app)
    );
    let hosts = tv.hosts().of_app(&assignment.app).await.unwrap();
    assert_eq!(hosts.len(), 1);
    let note = NewAnnotation {
        message: "deploy 1.0".into(),
        app: Some(assignment.app.clone()),
        time: Some(end() - chrono::Duration::minutes(5)),
        ..NewAnnotation::default()
    };
    tv.annotations().create(&note).await.unwrap();
    let notes = tv
        .annotations()
        .of_app(
            &assignment.app,
            AnnotationRange {
                start: None,
                end: Some(end()),
            },
        )
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    tv.hosts().delete(hosts[0].id).await.unwrap();
    assert!(matches!(
        tv.hosts().versions(hosts[0].id).await,
        Err(tv_client::Error::NotFound(_))
    ));
    tv.apps().delete(&assignment.app).await.unwrap();
    assert!(
        !tv.discovery()
            .apps()
            .await
            .unwrap()
            .contains(&assignment.app)
    );
    assert!(matches!(
        tv.apps().delete("Default").await,
        Err(tv_client::Error::BadRequest(_))
    ));
}

#[tokio::test]
async fn fan_out_yields_every_app_and_per_app_errors() {
    use futures::StreamExt;
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let mut apps = tv.discovery().apps().await.unwrap();
    apps.push("no-such-app".into());
    let filter = ServerFilter::new().end(end());
    let results: Vec<_> = tv
        .fan_out(apps.clone(), 4, |tv, app| {
            let filter = filter.clone();
            async move { tv.latency().server_summary(&app, &filter).await }
        })
        .collect()
        .await;
    assert_eq!(results.len(), apps.len());
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.result.is_err())
        .map(|r| r.app.as_str())
        .collect();
    assert_eq!(failed, vec!["no-such-app"]);
}

#[tokio::test]
async fn a_wrong_key_is_auth() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = TraceView::builder()
        .site(sandbox.base_url())
        .api_key("not-the-key")
        .build()
        .unwrap();
    assert!(matches!(
        tv.discovery().apps().await,
        Err(tv_client::Error::Auth)
    ));
}
