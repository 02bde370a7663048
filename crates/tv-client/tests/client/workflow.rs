//! The workflows against an in-process, frozen sandbox: one "now" (the server's, even
//! with a client clock that is years off), the report, the comparison and its gate.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use futures::StreamExt;
use tv_client::workflow::{self, Baseline, CompareRequest, FixedClock, GateRules, Now, Rule};
use tv_client::{NewAnnotation, ServerFilter, TimeWindow};
use tv_testkit::{FROZEN_NOW, LocalSandbox};

mod export_steps;

fn frozen() -> DateTime<Utc> {
    Utc.timestamp_opt(FROZEN_NOW, 0).unwrap()
}

/// A client clock that is more than two years off.
fn wrong_clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap(),
    ))
}

#[tokio::test]
async fn every_workflow_uses_the_servers_now() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let now = Now::with_clock(tv, wrong_clock());
    assert_eq!(now.get(Some("web-shop")).await.unwrap(), frozen());

    let one = workflow::app_report(tv, &now, "web-shop", TimeWindow::Hour, None)
        .await
        .unwrap();
    let server = tv
        .latency()
        .server_summary("web-shop", &ServerFilter::new())
        .await
        .unwrap();
    assert_eq!(one.end, frozen());
    assert_eq!(
        one.summary.count, server.count,
        "report APP = latency summary"
    );
    assert_eq!(one.summary.average, server.average);

    let all = workflow::report(tv, &now, TimeWindow::Hour, None, 4)
        .await
        .unwrap();
    assert_eq!(all.end, frozen());
    assert!(all.failed.is_empty(), "{:?}", all.failed);
    let row = all.apps.iter().find(|r| r.app == "web-shop").unwrap();
    assert_eq!(row.volume, server.count);
    assert!(all.apps.windows(2).all(|w| w[0].volume >= w[1].volume));

    let compared = workflow::compare(tv, &now, &CompareRequest::new("web-shop"))
        .await
        .unwrap();
    assert_eq!(compared.end, frozen());
    assert_eq!(compared.comparison.overall.current.volume, server.count);
    assert_eq!(frozen() - compared.previous_end, TimeDelta::hours(1));
    assert!(!compared.verdict.active && compared.verdict.passed());
}

#[tokio::test]
async fn the_stream_yields_every_app_once() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let apps = tv.discovery().apps().await.unwrap();
    let mut seen: Vec<String> =
        workflow::report_stream(tv, apps.clone(), TimeWindow::Hour, frozen(), 2)
            .map(|done| {
                assert!(done.result.is_ok(), "{}", done.app);
                done.app
            })
            .collect()
            .await;
    seen.sort();
    let mut expected = apps;
    expected.sort();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn the_gate_names_the_rule_and_refuses_nonsense() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let now = Now::server(tv);
    for bad in [f64::NAN, f64::INFINITY, -1.0, 1e9] {
        let rules = GateRules {
            max_slowdown_fraction: Some(bad),
            ..GateRules::default()
        };
        let request = CompareRequest::new("web-shop").rules(rules);
        let error = workflow::compare(tv, &now, &request).await.unwrap_err();
        assert!(
            matches!(error, tv_client::Error::InvalidArgument { .. }),
            "{bad}: {error}"
        );
    }
    let overlapping =
        CompareRequest::new("web-shop").baseline(Baseline::Earlier(Duration::from_secs(600)));
    assert!(matches!(
        workflow::compare(tv, &now, &overlapping).await,
        Err(tv_client::Error::InvalidArgument { .. })
    ));
    // Any slowdown at all, with no floor: whatever trips is named with its numbers.
    let strict = GateRules {
        max_slowdown_fraction: Some(0.0),
        min_delta: Duration::ZERO,
        min_share_fraction: 0.0,
        min_calls: 0,
        severe_layer_factor: Some(1.0),
        severe_min_calls: 0,
        max_error_increase_fraction: Some(0.0),
        max_traffic_drop_fraction: Some(0.0),
    };
    let request = CompareRequest::new("web-shop").rules(strict);
    let result = workflow::compare(tv, &now, &request).await.unwrap();
    assert!(!result.verdict.passed());
    for trip in &result.verdict.tripped {
        assert!(trip.message.contains('→'), "{}", trip.message);
        let layer_rule = matches!(trip.rule, Rule::LayerLatency | Rule::SevereLayerLatency);
        assert_eq!(trip.layer.is_some(), layer_rule);
    }
    // The same comparison with a floor of an hour cannot trip on latency.
    let floor = GateRules {
        min_delta: Duration::from_secs(3600),
        max_error_increase_fraction: None,
        max_traffic_drop_fraction: None,
        ..strict
    };
    let result = workflow::compare(tv, &now, &request.clone().rules(floor))
        .await
        .unwrap();
    assert!(result.verdict.passed(), "{:?}", result.verdict.tripped);
}

#[tokio::test]
async fn around_an_annotation_compares_before_with_after() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let now = Now::with_clock(tv, wrong_clock());
    let at = frozen() - TimeDelta::hours(3);
    tv.annotations()
        .create(&NewAnnotation {
            message: "deploy 2.0".into(),
            app: Some("web-shop".into()),
            time: Some(at),
            ..NewAnnotation::default()
        })
        .await
        .unwrap();
    // The demo world has its own deploys of web-shop, the newest in the last hour: pick
    // ours by id.
    let ours = tv
        .annotations()
        .list(tv_client::AnnotationRange {
            start: Some(at - TimeDelta::minutes(1)),
            end: Some(at + TimeDelta::minutes(1)),
        })
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.message == "deploy 2.0")
        .unwrap();
    let request = CompareRequest::new("web-shop").baseline(Baseline::Around(ours.id));
    let result = workflow::compare(tv, &now, &request).await.unwrap();
    let note = result.around.as_ref().unwrap();
    assert_eq!(note.message, "deploy 2.0");
    assert_eq!(result.previous_end, at);
    assert_eq!(result.end, at + TimeDelta::hours(1));
    // A day after it is not over yet, nor the hour after the newest (seeded) deploy.
    let day = request.window(TimeWindow::Day);
    assert!(matches!(
        workflow::compare(tv, &now, &day).await,
        Err(tv_client::Error::InvalidArgument { .. })
    ));
    let latest = CompareRequest::new("web-shop").baseline(Baseline::AroundLatest);
    assert!(matches!(
        workflow::compare(tv, &now, &latest).await,
        Err(tv_client::Error::InvalidArgument { .. })
    ));
}

#[tokio::test]
async fn clock_skew_is_the_servers_now_against_this_clock() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let clock = FixedClock(frozen() - TimeDelta::hours(2));
    let skew = workflow::clock_skew(tv, None, &clock)
        .await
        .unwrap()
        .unwrap();
    // Within the 30 s of a slice: the server is two hours ahead of this clock.
    let off = (skew - TimeDelta::hours(2)).num_seconds().abs();
    assert!(off <= 30, "{skew}");
}

#[tokio::test]
async fn a_selection_fetches_only_the_apps_it_picks() {
    use workflow::{AppSelection, SortKey};
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let now = Now::with_clock(tv, wrong_clock());
    let selection = AppSelection::new().patterns(["web-*"]).unwrap();
    let before = tv.stats().requests;
    let web = workflow::report_selected(tv, &now, TimeWindow::Hour, None, 4, &selection)
        .await
        .unwrap();
    let names: Vec<&str> = web.apps.iter().map(|r| r.app.as_str()).collect();
    assert_eq!(names, ["web-shop"]);
    // The app list, the server's now (one series), six calls for the one app.
    assert_eq!(tv.stats().requests - before, 1 + 1 + 6);

    let worst = AppSelection::new().sort(SortKey::Errors).top(2);
    let top = workflow::report_selected(tv, &now, TimeWindow::Hour, None, 4, &worst)
        .await
        .unwrap();
    assert_eq!(top.apps.len(), 2);
    assert!(top.apps[0].error_rate >= top.apps[1].error_rate);
}

#[tokio::test]
async fn a_range_of_error_rates_and_a_chart_are_stitched_and_resampled() {
    use tv_client::TimeRange;
    use tv_client::history::Span;
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let end = frozen();
    let range = TimeRange::new(end - TimeDelta::hours(3), end).unwrap();
    let span = Span {
        range: Some(range),
        window: TimeWindow::Hour,
        resample: Some(Duration::from_secs(600)),
    };
    let filter = ServerFilter::new();
    let errors = workflow::error_history(tv, "web-shop", &filter, &span)
        .await
        .unwrap();
    let coverage = errors.coverage.as_ref().expect("a range has a coverage");
    assert!(coverage.missing.is_empty(), "{coverage:?}");
    // Three hours in ten-minute slices, rates and volumes on the same slices.
    assert_eq!(errors.rates.points().len(), 18);
    assert_eq!(errors.volumes.points().len(), 18);
    let volume: u64 = errors.volumes.points().iter().map(|p| p.volume).sum();
    assert_eq!(errors.estimate.as_ref().map(|e| e.volume), Some(volume));
    assert!(volume > 0);
    assert_eq!(errors.traffic, workflow::Traffic::Seen);

    let chart = workflow::latency_chart(tv, "web-shop", &span, end)
        .await
        .unwrap();
    assert_eq!(
        chart.series.points(),
        errors.volumes.points(),
        "the same traces"
    );
    for note in &chart.annotations {
        assert!(range.start <= note.time && note.time <= end, "{note:?}");
    }
}

#[tokio::test]
async fn series_layers_and_requests_state_traffic_and_no_traffic_apart() {
    use tv_client::history::Span;
    use tv_client::workflow::{LatencyFilter, Traffic};
    use tv_client::{Assignment, RequestsFilter};
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let span = Span::window(TimeWindow::Day);
    let filter = ServerFilter::new().end(frozen());
    let latency = LatencyFilter::Server(filter.clone());
    let requests = RequestsFilter::new().end(frozen());

    let history = workflow::latency_history(tv, "web-shop", &latency, &span)
        .await
        .unwrap();
    assert_eq!(history.traffic, Traffic::Seen);
    let summary = history.summary.as_ref().expect("known");
    assert!(summary.average.is_some());
    let layers = workflow::layer_report(tv, "web-shop", &filter, &span)
        .await
        .unwrap();
    assert_eq!(layers.traffic, Traffic::Seen);
    assert_eq!(layers.requests, Some(summary.volume), "the same traces");
    assert!(layers.layers.iter().all(|l| l.per_request.is_some()));
    let counted = workflow::request_history(tv, "web-shop", &requests, &span)
        .await
        .unwrap();
    let total: u64 = counted.series.iter().map(|p| p.requests).sum();
    assert_eq!(counted.total_requests, Some(total));
    assert!(counted.requests_per_second.is_some_and(|r| r > 0.0));

    // An app that exists and has never traced: its counts are zero, its averages absent.
    let quiet = Assignment {
        app: "quiet-app".into(),
        host: "web-77".into(),
        layer: Some("nginx".into()),
        tags: Vec::new(),
        create: true,
    };
    tv.apps().assign(&quiet).await.unwrap();
    let history = workflow::latency_history(tv, "quiet-app", &latency, &span)
        .await
        .unwrap();
    assert_eq!(history.traffic, Traffic::NoTraffic);
    let summary = history.summary.as_ref().expect("known: no traffic");
    assert_eq!((summary.volume, summary.average), (0, None));
    let layers = workflow::layer_report(tv, "quiet-app", &filter, &span)
        .await
        .unwrap();
    assert_eq!(
        (layers.traffic, layers.requests),
        (Traffic::NoTraffic, Some(0))
    );
    assert!(
        layers
            .layers
            .iter()
            .all(|l| l.per_call.is_none() && l.share.is_none())
    );
    let counted = workflow::request_history(tv, "quiet-app", &requests, &span)
        .await
        .unwrap();
    assert_eq!(counted.traffic, Traffic::NoTraffic);
    assert_eq!(counted.total_requests, Some(0));
    assert_eq!(counted.requests_per_second, Some(0.0));
    let json = serde_json::to_value(&counted).unwrap();
    assert_eq!(json["traffic"], "no_traffic");
    assert!(
        serde_json::to_value(&history)
            .unwrap()
            .get("summary")
            .is_some()
    );

    // A layer report cannot be resampled: it shows totals.
    let resampled = Span {
        resample: Some(Duration::from_secs(3600)),
        ..span
    };
    assert!(
        workflow::layer_report(tv, "web-shop", &filter, &resampled)
            .await
            .is_err()
    );
}
