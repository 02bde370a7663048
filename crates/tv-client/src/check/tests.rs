use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::*;

fn at(minute: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + minute * 60, 0)
        .single()
        .unwrap_or_default()
}

fn series(volumes: &[u64]) -> Series<LatencyPoint> {
    let points = volumes
        .iter()
        .enumerate()
        .map(|(i, &volume)| LatencyPoint {
            at: at(i as i64),
            volume,
            average: (volume > 0).then_some(Duration::from_millis(100)),
        })
        .collect();
    match Series::new(points) {
        Ok(s) => s.with_step(Duration::from_secs(60)),
        Err(e) => panic!("{e}"),
    }
}

fn thresholds(warning: &str, critical: &str) -> Thresholds {
    Thresholds {
        warning: warning.parse().ok(),
        critical: critical.parse().ok(),
    }
}

fn spec(metrics: Vec<(Metric, Thresholds)>) -> CheckSpec {
    CheckSpec {
        app: "web-shop".into(),
        layer: None,
        window: TimeWindow::Hour,
        metrics,
        end: None,
    }
}

#[test]
fn critical_wins_over_warning_and_unknown_over_ok() {
    let t = thresholds("10", "20");
    assert_eq!(t.judge(Some(5.0)), Status::Ok);
    assert_eq!(t.judge(Some(15.0)), Status::Warning);
    assert_eq!(t.judge(Some(25.0)), Status::Critical);
    assert_eq!(t.judge(None), Status::Unknown);
    assert_eq!(Status::Ok.worst(Status::Unknown), Status::Unknown);
    assert_eq!(Status::Unknown.worst(Status::Warning), Status::Warning);
    assert_eq!(Status::Critical.worst(Status::Warning), Status::Critical);
}

#[test]
fn latency_in_milliseconds_with_perfdata() {
    let data = CheckData {
        summary: Some(LatencySummary {
            count: 10,
            average: Some(Duration::from_micros(1_520_000)),
            latest: Some(Duration::from_micros(80_000)),
        }),
        ..CheckData::default()
    };
    let result = evaluate(
        &spec(vec![
            (Metric::Latency, thresholds("500", "1000")),
            (Metric::Latest, thresholds("500", "1000")),
        ]),
        &data,
    );
    assert_eq!(result.status(), Status::Critical);
    assert_eq!(
        result.output(),
        "TRACEVIEW CRITICAL - web-shop: average latency 1520 ms CRITICAL (range 1000), \
         latest latency 80 ms | 'latency'=1520ms;500;1000;0 'latest'=80ms;500;1000;0"
    );
}

#[test]
fn traffic_drop_and_stale_app() {
    let data = CheckData {
        series: Some(series(&[5, 3, 0, 0, 0])),
        previous: Some(series(&[10, 10, 10, 10, 10])),
        ..CheckData::default()
    };
    let result = evaluate(
        &spec(vec![
            (Metric::Traffic, thresholds("0.5:", "0.2:")),
            (Metric::Stale, thresholds("2", "5")),
        ]),
        &data,
    );
    // 8 of 50 traces: a drop to 0.16, critical; last traces end at minute 2 of 5.
    assert_eq!(result.measurements[0].value, Some(0.16));
    assert_eq!(result.measurements[0].status, Status::Critical);
    assert_eq!(result.measurements[1].value, Some(3.0));
    assert_eq!(result.measurements[1].status, Status::Warning);
    assert_eq!(result.status(), Status::Critical);
}

#[test]
fn no_data_is_unknown_never_ok() {
    let data = CheckData {
        summary: Some(LatencySummary {
            count: 0,
            average: None,
            latest: None,
        }),
        series: Some(series(&[0, 0, 0])),
        previous: Some(series(&[0, 0, 0])),
        ..CheckData::default()
    };
    let result = evaluate(
        &spec(vec![
            (Metric::Latency, thresholds("500", "1000")),
            (Metric::Traffic, Thresholds::default()),
            (Metric::Stale, thresholds("", "")),
        ]),
        &data,
    );
    assert_eq!(result.measurements[0].status, Status::Unknown);
    assert_eq!(result.measurements[1].status, Status::Unknown);
    // No traces in the hour and no longer window looked at: not known, never capped.
    assert_eq!(result.measurements[2].value, None);
    assert_eq!(result.measurements[2].status, Status::Unknown);
    assert_eq!(result.status(), Status::Unknown);
    assert!(result.output().starts_with(
        "TRACEVIEW UNKNOWN - web-shop: average latency unknown (no traces in the window)"
    ));
    assert!(result.output().contains("'latency'=U;500;1000;0"));
    assert_eq!(evaluate(&spec(Vec::new()), &data).status(), Status::Unknown);
}

#[test]
fn unknown_output_is_one_line() {
    assert_eq!(
        unknown_output("server down\nretry\tlater "),
        "TRACEVIEW UNKNOWN - server down retry later"
    );
}

#[test]
fn metric_names_round_trip() {
    for metric in Metric::ALL {
        assert_eq!(metric.name().parse::<Metric>(), Ok(metric));
    }
    assert!("latencyy".parse::<Metric>().is_err());
}

fn stale_check(data: &CheckData) -> Measurement {
    let result = evaluate(&spec(vec![(Metric::Stale, thresholds("", "90"))]), data);
    result.measurements[0].clone()
}

#[test]
fn stale_looks_back_past_the_window_and_is_never_capped() {
    // Nothing in the hour; the day's last traces end 4 minutes into a 10-minute series
    // whose end is the server's clock.
    let data = CheckData {
        series: Some(series(&[0, 0, 0])),
        lookback: vec![(TimeWindow::Day, series(&[1, 2, 3, 4, 0, 0, 0, 0, 0, 0]))],
        server_date: Some(at(10)),
        ..CheckData::default()
    };
    let stale = stale_check(&data);
    assert_eq!(stale.value, Some(6.0));
    assert_eq!(stale.status, Status::Ok);

    let data = CheckData {
        series: Some(series(&[0, 0, 0])),
        lookback: vec![(TimeWindow::Day, series(&[2; 20]))],
        server_date: Some(at(60)),
        ..CheckData::default()
    };
    let result = evaluate(&spec(vec![(Metric::Stale, thresholds("", "30"))]), &data);
    assert_eq!(result.measurements[0].value, Some(40.0));
    assert_eq!(result.status(), Status::Critical);
}

#[test]
fn staleness_of_an_hour_or_more_also_reads_as_days_hours_and_minutes() {
    assert_eq!(Metric::Stale.show(59.5), "59.5 min ago");
    assert_eq!(Metric::Stale.show(60.0), "60 min ago (1h 0m)");
    assert_eq!(Metric::Stale.show(4723.583), "4723.583 min ago (3d 6h 44m)");
}

#[test]
fn no_traces_within_the_horizon_is_critical_whatever_the_thresholds() {
    let data = CheckData {
        series: Some(series(&[0, 0, 0])),
        lookback: vec![
            (TimeWindow::Day, series(&[0, 0, 0])),
            (TimeWindow::Week, series(&[0, 0, 0])),
        ],
        ..CheckData::default()
    };
    let result = evaluate(
        &spec(vec![(Metric::Stale, thresholds("", "100000"))]),
        &data,
    );
    assert_eq!(result.measurements[0].value, Some(10080.0));
    assert_eq!(result.status(), Status::Critical);
    assert!(
        result
            .output()
            .contains("last traces more than 10080 min ago"),
        "{}",
        result.output()
    );
}

#[test]
fn timestamps_far_from_the_servers_clock_are_unknown() {
    let year = 365 * 24 * 60;
    // Every timestamp ten years back: the slices end outside the hour before the clock.
    let shifted = CheckData {
        series: Some(series(&[5, 5, 5])),
        server_date: Some(at(10 * year)),
        ..CheckData::default()
    };
    let stale = stale_check(&shifted);
    assert_eq!(stale.status, Status::Unknown);
    assert!(
        stale
            .note
            .as_deref()
            .unwrap_or_default()
            .contains("outside the hour")
    );
    // Slices ending an hour past the clock.
    let future = CheckData {
        series: Some(series(&[5, 5, 5])),
        server_date: Some(at(-60)),
        ..CheckData::default()
    };
    let stale = stale_check(&future);
    assert_eq!(stale.status, Status::Unknown);
    assert!(
        stale
            .note
            .as_deref()
            .unwrap_or_default()
            .contains("in the future")
    );
}

fn rates(rates: &[Option<f64>]) -> Series<ErrorRatePoint> {
    let points = rates
        .iter()
        .enumerate()
        .map(|(i, &rate)| ErrorRatePoint {
            at: at(i as i64),
            rate,
        })
        .collect();
    match Series::new(points) {
        Ok(s) => s.with_step(Duration::from_secs(60)),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn an_idle_apps_error_rate_is_unknown_not_a_measured_zero() {
    let check = |errors: Series<ErrorRatePoint>, volumes: &[u64]| {
        let data = CheckData {
            series: Some(series(volumes)),
            errors: Some(errors),
            ..CheckData::default()
        };
        evaluate(
            &spec(vec![(Metric::ErrorRate, thresholds("1", "5"))]),
            &data,
        )
    };
    // No traces: the server's rates are null (or 0): no rate to measure.
    for idle in [rates(&[None, None, None]), rates(&[Some(0.0); 3])] {
        let result = check(idle, &[0, 0, 0]);
        assert_eq!(result.status(), Status::Unknown);
        assert!(
            result.output().starts_with(
                "TRACEVIEW UNKNOWN - web-shop: error rate unknown (no traces in the window) |"
            ),
            "{}",
            result.output()
        );
        assert!(result.output().contains("'error_rate'=U;1;5;0;100"));
    }
    // No slices at all: not known.
    let result = check(rates(&[]), &[]);
    assert_eq!(result.status(), Status::Unknown);
    assert!(result.output().contains("(the server sent no slices)"));
    // Traces without errors: a measured 0 %, OK.
    let result = check(rates(&[Some(0.0); 3]), &[5, 5, 5]);
    assert_eq!(result.status(), Status::Ok);
    assert!(
        result.output().contains("'error_rate'=0%;1;5;0;100"),
        "{}",
        result.output()
    );
}
