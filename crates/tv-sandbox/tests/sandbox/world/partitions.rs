//! Sums that add up: the values of every filter dimension partition the traffic. Their
//! volumes sum to the unfiltered volume of each slice, and their latency totals to the
//! unfiltered total (so their volume-weighted mean latency is the unfiltered average),
//! the same for errors, total requests and the by-layer calls and time; client side, the
//! same for browsers and regions. Checked over apps, windows, ends and slices, through
//! the same views the HTTP handlers use.

use proptest::prelude::*;
use tv_sandbox::{Clock, Filter, SeriesQuery, Side, TimeWindow, View, World};

const NOW: i64 = tv_sandbox::server::FROZEN_NOW;

const APPS: [&str; 6] = [
    "Default",
    "web-shop",
    "billing-api",
    "search-service",
    "auth-gateway",
    "admin-portal",
];

/// The values of one server dimension of an app, each as a filter.
fn server_dimensions(v: &View, app: &str) -> Vec<(&'static str, Vec<Filter>)> {
    let a = v.app(app).unwrap();
    let each = |values: Vec<&str>, set: fn(&mut Filter, String)| {
        values
            .into_iter()
            .map(|value| {
                let mut f = Filter::default();
                set(&mut f, value.to_owned());
                f
            })
            .collect::<Vec<_>>()
    };
    vec![
        (
            "domain",
            each(a.domains().collect(), |f, x| f.domain = Some(x)),
        ),
        ("url", each(a.urls().collect(), |f, x| f.url = Some(x))),
        (
            "controller",
            each(a.controllers().collect(), |f, x| f.controller = Some(x)),
        ),
        (
            "action",
            each(a.actions().collect(), |f, x| f.action = Some(x)),
        ),
    ]
}

fn window_of(k: u8) -> TimeWindow {
    TimeWindow::ALL[usize::from(k) % 3]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn every_server_dimension_partitions_the_traffic(
        seed in 0u64..500,
        app in 0usize..6,
        window in 0u8..3,
        back in 0i64..2_000_000,
    ) {
        let w = World::in_memory(seed, 6, Clock::Frozen(NOW));
        let v = w.view();
        let app = APPS[app];
        let window = window_of(window);
        let q = |filter: Filter| SeriesQuery { window, time_end: Some(NOW - back), filter };
        let all = v.latency_series(app, Side::Server, &q(Filter::default())).unwrap().points;
        let all_errors = v.error_rate_series(app, &q(Filter::default())).unwrap().points;
        let all_total = v.total_requests_series(app, &q(Filter::default())).unwrap().points;
        let all_layers = v.by_layer(app, &q(Filter::default())).unwrap().layers;
        for (dimension, filters) in server_dimensions(&v, app) {
            let n = all.len();
            let (mut volume, mut latency, mut errors, mut total) =
                (vec![0u64; n], vec![0u64; n], vec![0u64; n], vec![0u64; n]);
            let mut layer_calls = vec![vec![0u64; n]; all_layers.len()];
            let mut layer_time = vec![vec![0u64; n]; all_layers.len()];
            for f in filters {
                let s = v.latency_series(app, Side::Server, &q(f.clone())).unwrap().points;
                let e = v.error_rate_series(app, &q(f.clone())).unwrap().points;
                let t = v.total_requests_series(app, &q(f.clone())).unwrap().points;
                let l = v.by_layer(app, &q(f)).unwrap().layers;
                for i in 0..n {
                    volume[i] += s[i].volume;
                    latency[i] += s[i].total_latency_us;
                    errors[i] += e[i].errors;
                    total[i] += t[i].total_requests;
                }
                for (k, layer) in l.iter().enumerate() {
                    for i in 0..n {
                        layer_calls[k][i] += layer.points[i].calls;
                        layer_time[k][i] += layer.points[i].total_us;
                    }
                }
            }
            for i in 0..n {
                prop_assert_eq!(volume[i], all[i].volume, "{} volume, slice {}", dimension, i);
                prop_assert_eq!(latency[i], all[i].total_latency_us, "{} latency, slice {}", dimension, i);
                prop_assert_eq!(errors[i], all_errors[i].errors, "{} errors, slice {}", dimension, i);
                prop_assert_eq!(total[i], all_total[i].total_requests, "{} total, slice {}", dimension, i);
                for (k, layer) in all_layers.iter().enumerate() {
                    prop_assert_eq!(layer_calls[k][i], layer.points[i].calls, "{} {} calls", dimension, layer.layer);
                    prop_assert_eq!(layer_time[k][i], layer.points[i].total_us, "{} {} time", dimension, layer.layer);
                }
            }
        }
    }

    #[test]
    fn browsers_and_countries_partition_the_page_views(
        seed in 0u64..500,
        app in 0usize..6,
        window in 0u8..3,
        back in 0i64..2_000_000,
    ) {
        let w = World::in_memory(seed, 6, Clock::Frozen(NOW));
        let v = w.view();
        let app = APPS[app];
        let window = window_of(window);
        let q = |filter: Filter| SeriesQuery { window, time_end: Some(NOW - back), filter };
        let all = v.latency_series(app, Side::Client, &q(Filter::default())).unwrap().points;
        let countries: Vec<String> =
            v.regions().iter().filter(|r| !r.contains('-')).cloned().collect();
        let browsers: Vec<Filter> = v
            .browsers()
            .iter()
            .map(|b| Filter { browser: Some(b.clone()), ..Filter::default() })
            .collect();
        let regions: Vec<Filter> = countries
            .iter()
            .map(|r| Filter { region: Some(r.clone()), ..Filter::default() })
            .collect();
        for (dimension, filters) in [("browser", browsers), ("region", regions)] {
            let mut volume = vec![0u64; all.len()];
            let mut latency = vec![0u64; all.len()];
            for f in filters {
                let s = v.latency_series(app, Side::Client, &q(f)).unwrap().points;
                for (i, p) in s.iter().enumerate() {
                    volume[i] += p.volume;
                    latency[i] += p.total_latency_us;
                }
            }
            for (i, p) in all.iter().enumerate() {
                prop_assert_eq!(volume[i], p.volume, "{} views, slice {}", dimension, i);
                prop_assert_eq!(latency[i], p.total_latency_us, "{} time, slice {}", dimension, i);
            }
        }
        // A country's subdivisions are parts of it, never more.
        let us = v.latency_series(app, Side::Client, &q(Filter { region: Some("US".into()), ..Filter::default() })).unwrap().points;
        let mut subs = vec![0u64; us.len()];
        for r in v.regions().iter().filter(|r| r.starts_with("US-")) {
            let s = v.latency_series(app, Side::Client, &q(Filter { region: Some(r.clone()), ..Filter::default() })).unwrap().points;
            for (i, p) in s.iter().enumerate() {
                subs[i] += p.volume;
            }
        }
        prop_assert!(subs.iter().zip(&us).all(|(s, u)| *s <= u.volume));
    }
}

/// The README's promise, with the issue's own example: web-shop's domains, over an
/// hour, have the unfiltered average latency as their volume-weighted mean.
#[test]
fn domains_average_to_the_unfiltered_average() {
    let w = World::in_memory(42, 6, Clock::Frozen(NOW));
    let v = w.view();
    let q = |filter: Filter| SeriesQuery {
        window: TimeWindow::Hour,
        time_end: None,
        filter,
    };
    let all = v
        .latency_summary("web-shop", Side::Server, &q(Filter::default()))
        .unwrap();
    let (mut count, mut total) = (0u64, 0u64);
    for d in v.app("web-shop").unwrap().domains() {
        let s = v
            .latency_summary(
                "web-shop",
                Side::Server,
                &q(Filter {
                    domain: Some(d.to_owned()),
                    ..Filter::default()
                }),
            )
            .unwrap();
        count += s.count;
        total += s.total_latency_us;
    }
    assert_eq!((count, total), (all.count, all.total_latency_us));
}
