//! True to time: no traffic after now, none before an app existed, no timestamp before
//! the epoch, annotations listed where their time is.

use tv_sandbox::{
    AnnotationRange, AssignApp, Clock, LogMessage, SeriesQuery, Side, TimeWindow, World,
    WorldConfig,
};

/// 2024-01-03T12:00:00Z.
const NOW: i64 = tv_sandbox::server::FROZEN_NOW;

fn query(window: TimeWindow, time_end: Option<i64>) -> SeriesQuery {
    SeriesQuery {
        window,
        time_end,
        ..SeriesQuery::default()
    }
}

#[test]
fn a_window_into_the_future_is_empty_past_now() {
    let w = World::in_memory(42, 6, Clock::Frozen(NOW));
    let v = w.view();
    let q = query(TimeWindow::Hour, Some(NOW + 1_800));
    let series = v.latency_series("web-shop", Side::Server, &q).unwrap();
    assert_eq!(series.points.len(), 120);
    let (past, future): (Vec<&tv_sandbox::world::LatencyPoint>, Vec<_>) =
        series.points.iter().partition(|p| p.timestamp + 30 <= NOW);
    assert_eq!(future.len(), 60);
    assert!(
        future
            .iter()
            .all(|p| p.volume == 0 && p.avg_latency_us().is_none())
    );
    assert!(past.iter().map(|p| p.volume).sum::<u64>() > 0);
    let summary = v.latency_summary("web-shop", Side::Server, &q).unwrap();
    assert_eq!(summary.count, past.iter().map(|p| p.volume).sum::<u64>());
    let layers = v.by_layer("web-shop", &q).unwrap();
    assert!(
        layers
            .layers
            .iter()
            .all(|l| l.points[60..].iter().all(|p| p.calls == 0))
    );
    let errors = v.error_rate_series("web-shop", &q).unwrap();
    assert!(errors.points[60..].iter().all(|p| p.error_rate().is_none()));
    let total = v.total_requests_series("web-shop", &q).unwrap();
    assert!(total.points[60..].iter().all(|p| p.total_requests == 0));
}

#[test]
fn early_time_ends_are_clamped_and_far_ones_are_empty() {
    let w = World::in_memory(42, 6, Clock::Frozen(NOW));
    let v = w.view();
    // Less than one window after the epoch: moved to one window after it (the spec's
    // rule), so no timestamp is ever negative.
    for (window, end) in [
        (TimeWindow::Hour, 0),
        (TimeWindow::Hour, 3_599),
        (TimeWindow::Week, 86_400),
    ] {
        let series = v
            .latency_series("web-shop", Side::Server, &query(window, Some(end)))
            .unwrap();
        assert!(
            series.points.iter().all(|p| p.timestamp >= 0),
            "{window} {end}"
        );
        assert_eq!(
            series.points.first().map(|p| p.timestamp),
            Some(0),
            "{window} ending {end} starts at the epoch"
        );
    }
    // Far in the future: every slice is empty, none is invented.
    let far = v
        .latency_series(
            "web-shop",
            Side::Server,
            &query(TimeWindow::Day, Some(NOW + 2 * 366 * 86_400)),
        )
        .unwrap();
    assert!(
        far.points
            .iter()
            .all(|p| p.volume == 0 && p.avg_latency_us().is_none())
    );
}

#[test]
fn a_created_app_has_traffic_only_from_its_creation() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let open = |now: i64| {
        World::open(WorldConfig {
            seed: 42,
            apps: 6,
            clock: Clock::Frozen(now),
            state_file: Some(state.clone()),
        })
        .unwrap()
    };
    let created = NOW - 6 * 3_600;
    {
        let then = open(created);
        then.assign_app(&AssignApp {
            appname: Some("fresh-app".into()),
            hostname: Some("fresh-host".into()),
            layer: Some("nginx".into()),
            create: true,
            ..AssignApp::default()
        })
        .unwrap();
        let v = then.view();
        let series = v
            .latency_series("fresh-app", Side::Server, &query(TimeWindow::Day, None))
            .unwrap();
        assert!(series.points.iter().all(|p| p.volume == 0), "no history");
    }
    let later = open(NOW);
    let v = later.view();
    let series = v
        .latency_series("fresh-app", Side::Server, &query(TimeWindow::Day, None))
        .unwrap();
    let before: u64 = series
        .points
        .iter()
        .filter(|p| p.timestamp < created)
        .map(|p| p.volume)
        .sum();
    let after: u64 = series
        .points
        .iter()
        .filter(|p| p.timestamp >= created)
        .map(|p| p.volume)
        .sum();
    assert_eq!(before, 0);
    assert!(
        after > 0,
        "the assigned host brings traffic from the assignment on"
    );
    assert_eq!(v.layers("fresh-app", None).unwrap(), vec!["nginx"]);
}

#[test]
fn an_annotation_is_listed_in_a_window_that_holds_its_time() {
    let w = World::in_memory(42, 6, Clock::Frozen(NOW));
    for (message, time) in [("past", NOW - 30 * 3_600), ("future", NOW + 600)] {
        w.log_message(&LogMessage {
            message: Some(message.into()),
            appname: Some("web-shop".into()),
            time: Some(time),
            ..LogMessage::default()
        })
        .unwrap();
        let range = AnnotationRange {
            start: Some(time - 60),
            end: Some(time + 60),
        };
        let v = w.view();
        let listed = v.app_annotations("web-shop", range).unwrap();
        assert!(
            listed
                .iter()
                .any(|a| a.message == message && a.time == time),
            "{message}"
        );
        assert!(
            v.annotations(range).iter().any(|a| a.message == message),
            "{message}"
        );
    }
    let view = w.view();
    let default = view.annotations(AnnotationRange::default());
    assert!(default.iter().any(|a| a.message == "past"));
}
