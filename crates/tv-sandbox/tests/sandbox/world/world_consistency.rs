//! The world's consistency rules: determinism, stability in time, and the cross-endpoint
//! invariants (summaries vs. series, errors, total requests, by-layer, filters), checked
//! as properties over random seeds, apps, windows, `time_end`s and filters.

use proptest::prelude::*;
use tv_sandbox::world::{Catalog, traffic};
use tv_sandbox::{Clock, Filter, SeriesQuery, Side, TimeWindow, View, WindowGrid, World};

const NOW: i64 = tv_sandbox::server::FROZEN_NOW;

fn world(seed: u64) -> World {
    World::in_memory(seed, 6, Clock::Frozen(NOW))
}

/// A world whose now (2030-03-17) lies after every `time_end` the properties draw, so
/// their windows are wholly in the past.
fn world_late(seed: u64) -> World {
    World::in_memory(seed, 6, Clock::Frozen(LATE))
}

/// 2030-03-17T17:46:40Z.
const LATE: i64 = 1_900_000_000;

fn query(window: TimeWindow, time_end: i64, filter: Filter) -> SeriesQuery {
    SeriesQuery {
        window,
        time_end: Some(time_end),
        filter,
    }
}

#[test]
fn same_seed_same_world_other_seed_other_world() {
    let a = Catalog::generate(7, 30, NOW);
    let b = Catalog::generate(7, 30, NOW);
    let c = Catalog::generate(8, 30, NOW);
    let describe = |cat: &Catalog| {
        format!(
            "{:?} {:?} {:?} {:?}",
            cat.organization,
            cat.users,
            cat.hosts(),
            cat.apps()
                .iter()
                .map(|a| (a.name.clone(), a.layers().to_vec()))
                .collect::<Vec<_>>()
        )
    };
    assert_eq!(describe(&a), describe(&b));
    assert_ne!(describe(&a), describe(&c));
    assert_eq!(a.annotations(), b.annotations());
    let q = query(TimeWindow::Day, NOW, Filter::default());
    let (wa, wb, wc) = (world(7), world(7), world(8));
    let sa = wa
        .view()
        .latency_series("web-shop", Side::Server, &q)
        .unwrap();
    let sb = wb
        .view()
        .latency_series("web-shop", Side::Server, &q)
        .unwrap();
    let sc = wc
        .view()
        .latency_series("web-shop", Side::Server, &q)
        .unwrap();
    assert_eq!(sa, sb);
    assert_ne!(sa, sc);
}

#[test]
fn an_apps_traffic_does_not_depend_on_the_app_count() {
    let small = World::in_memory(3, 6, Clock::Frozen(NOW));
    let large = World::in_memory(3, 300, Clock::Frozen(NOW));
    let q = query(TimeWindow::Week, NOW, Filter::default());
    let (vs, vl) = (small.view(), large.view());
    let a = vs.by_layer("billing-api", &q).unwrap().layers;
    let b = vl.by_layer("billing-api", &q).unwrap().layers;
    assert_eq!(a, b);
}

#[test]
fn default_has_traffic_layers_and_the_most_annotations() {
    let w = world(1);
    let v = w.view();
    assert!(!v.layers("Default", None).unwrap().is_empty());
    let total = v
        .total_requests_summary("Default", &SeriesQuery::default())
        .unwrap();
    assert!(total.total_requests > 0);
    let range = tv_sandbox::AnnotationRange::default();
    let default = v.app_annotations("Default", range).unwrap().len();
    for app in v.apps().into_iter().skip(1) {
        assert!(
            v.app_annotations(app, range).unwrap().len() < default,
            "{app}"
        );
    }
    assert!(
        v.apps()
            .iter()
            .any(|a| v.app(a).unwrap().layers().len() == 10)
    );
}

#[test]
fn the_clock_moves_the_default_window() {
    let frozen = world(1);
    let v = frozen.view();
    let q = SeriesQuery::default();
    let s = v.latency_series("web-shop", Side::Server, &q).unwrap();
    assert_eq!(s.window.end, NOW);
    assert_eq!(s.points.first().unwrap().timestamp, NOW - 3_600);
    assert_eq!(s.points.last().unwrap().timestamp, NOW - 30);
}

/// A filter built from values the app has (or, sometimes, does not have).
fn filter_for(view: &View, app: &str, picks: [Option<usize>; 7], unknown: bool) -> Filter {
    let a = view.app(app).unwrap();
    let nth = |it: Vec<&str>, k: Option<usize>| {
        k.and_then(|k| it.get(k % it.len().max(1)).map(|s| (*s).to_owned()))
    };
    let mut f = Filter {
        domain: nth(a.domains().collect(), picks[0]),
        url: nth(a.urls().collect(), picks[1]),
        controller: nth(a.controllers().collect(), picks[2]),
        action: nth(a.actions().collect(), picks[3]),
        layer: nth(
            a.layers().iter().map(|l| l.name.as_str()).collect(),
            picks[4],
        ),
        browser: nth(
            view.browsers().iter().map(String::as_str).collect(),
            picks[5],
        ),
        region: nth(
            view.regions().iter().map(String::as_str).collect(),
            picks[6],
        ),
    };
    if unknown {
        f.controller = Some("no-such-controller".to_owned());
    }
    f
}

fn arb_window() -> impl Strategy<Value = TimeWindow> {
    prop_oneof![
        Just(TimeWindow::Hour),
        Just(TimeWindow::Day),
        Just(TimeWindow::Week)
    ]
}

fn arb_picks() -> impl Strategy<Value = [Option<usize>; 7]> {
    prop::array::uniform7(prop::option::weighted(0.3, 0usize..50))
}

const APPS: [&str; 6] = [
    "Default",
    "web-shop",
    "billing-api",
    "search-service",
    "auth-gateway",
    "admin-portal",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn summaries_agree_with_series(
        seed in 0u64..1_000,
        app in 0usize..6,
        window in arb_window(),
        end in 1_600_000_000i64..1_800_000_000,
        picks in arb_picks(),
        unknown in prop::bool::weighted(0.1),
    ) {
        let w = world_late(seed);
        let v = w.view();
        let app = APPS[app];
        let f = filter_for(&v, app, picks, unknown);
        let q = query(window, end, f.clone());
        for side in [Side::Server, Side::Client] {
            let s = v.latency_series(app, side, &q).unwrap();
            let sum = v.latency_summary(app, side, &q).unwrap();
            prop_assert_eq!(s.points.len(), window.points() as usize);
            prop_assert!(s.points.windows(2).all(|p| p[1].timestamp - p[0].timestamp == window.step_seconds()));
            let count: u64 = s.points.iter().map(|p| p.volume).sum();
            prop_assert_eq!(sum.count, count);
            let weighted: f64 = s.points.iter().filter_map(|p| p.avg_latency_us().map(|a| a * p.volume as f64)).sum();
            match sum.average {
                None => prop_assert_eq!(count, 0),
                Some(avg) => prop_assert!((avg - weighted / count as f64).abs() <= 1e-9 * avg.max(1.0)),
            }
            for p in &s.points {
                prop_assert_eq!(p.avg_latency_us().is_none(), p.volume == 0);
            }
            if unknown {
                prop_assert_eq!(count, 0);
            }
            // `latest` on its documented grid.
            let tail: Vec<_> = if window == TimeWindow::Week {
                v.latency_series(app, side, &query(TimeWindow::Day, s.window.end, f.clone())).unwrap().points[92..].to_vec()
            } else {
                let n = (window.latest_seconds() / window.step_seconds()) as usize;
                s.points[s.points.len() - n..].to_vec()
            };
            let (lv, lt) = tail.iter().fold((0u64, 0u64), |(v, t), p| (v + p.volume, t + p.total_latency_us));
            prop_assert_eq!(sum.latest, (lv > 0).then(|| lt as f64 / lv as f64));
        }
        let server = v.latency_series(app, Side::Server, &q).unwrap();
        let client = v.latency_series(app, Side::Client, &q).unwrap();
        let errors = v.error_rate_series(app, &q).unwrap();
        let totals = v.total_requests_series(app, &q).unwrap();
        let total_summary = v.total_requests_summary(app, &q).unwrap();
        for (((s, c), e), t) in server.points.iter().zip(&client.points).zip(&errors.points).zip(&totals.points) {
            prop_assert_eq!(s.timestamp, e.timestamp);
            prop_assert_eq!(s.volume, e.volume);
            prop_assert!(e.errors <= e.volume);
            if let Some(rate) = e.error_rate() {
                let failed = rate * e.volume as f64;
                prop_assert!((failed - failed.round()).abs() < 1e-6);
                prop_assert!((0.0..=1.0).contains(&rate));
            }
            prop_assert!(t.total_requests >= s.volume);
            prop_assert!(c.volume <= s.volume);
        }
        let total: u64 = totals.points.iter().map(|p| p.total_requests).sum();
        prop_assert_eq!(total_summary.total_requests, total);
        let rate = total_summary.reqs_per_time_period();
        prop_assert!(rate.ends_with("/sec"));
        prop_assert_eq!(rate, format!("{:.2}/sec", total as f64 / window.span_seconds() as f64));
    }

    #[test]
    fn by_layer_agrees_with_the_server_series(
        seed in 0u64..1_000,
        app in 0usize..6,
        window in arb_window(),
        end in 1_600_000_000i64..1_800_000_000,
        picks in arb_picks(),
    ) {
        let w = world_late(seed);
        let v = w.view();
        let app = APPS[app];
        let mut f = filter_for(&v, app, picks, false);
        let only = f.layer.take();
        let q = query(window, end, f.clone());
        let server = v.latency_series(app, Side::Server, &q).unwrap();
        let layers = v.by_layer(app, &q).unwrap().layers;
        let stack = v.app(app).unwrap().layers().len();
        prop_assert_eq!(layers.len(), stack);
        // The entry layer is called once per request.
        for (p, l) in server.points.iter().zip(&layers[0].points) {
            prop_assert_eq!(p.timestamp, l.timestamp);
            prop_assert_eq!(p.volume, l.calls);
        }
        for series in &layers {
            prop_assert_eq!(series.points.len(), window.points() as usize);
            for (p, l) in server.points.iter().zip(&series.points) {
                prop_assert_eq!(p.timestamp, l.timestamp);
                if p.volume == 0 {
                    prop_assert!(l.calls == 0 && l.total_us == 0);
                }
                prop_assert!(l.calls == 0 || l.total_us > 0);
                prop_assert!(l.total_us <= p.total_latency_us);
            }
        }
        // Layer totals are self times: they stack up to the requests' latency, slice by
        // slice, so Σ layer totals = volume × average latency.
        for (k, p) in server.points.iter().enumerate() {
            let sum: u64 = layers.iter().map(|l| l.points[k].total_us).sum();
            prop_assert_eq!(sum, p.total_latency_us);
            match p.avg_latency_us() {
                None => prop_assert_eq!(sum, 0),
                Some(avg) => {
                    let product = avg * p.volume as f64;
                    prop_assert!((product - sum as f64).abs() <= 1e-9 * product.max(1.0));
                }
            }
        }
        // Over the window too: the layers' shares of the time sum to 1.
        let all: u64 = layers.iter().flat_map(|l| &l.points).map(|p| p.total_us).sum();
        let summary = v.latency_summary(app, Side::Server, &q).unwrap();
        prop_assert_eq!(all, summary.total_latency_us);
        if let Some(name) = only {
            let fq = query(window, end, Filter { layer: Some(name.clone()), ..f });
            let one = v.by_layer(app, &fq).unwrap().layers;
            prop_assert_eq!(one.len(), 1);
            prop_assert_eq!(one[0].layer, name.as_str());
            let same = layers.iter().find(|l| l.layer == name).unwrap();
            prop_assert_eq!(&one[0].points, &same.points);
            // The requests through the layer made its calls and spent all of its self
            // time, plus part of the other layers' time.
            let through = v.latency_series(app, Side::Server, &fq).unwrap();
            for ((t, l), p) in through.points.iter().zip(&one[0].points).zip(&server.points) {
                prop_assert_eq!(t.timestamp, l.timestamp);
                prop_assert!(t.volume <= l.calls && t.volume <= p.volume);
                prop_assert_eq!(t.volume == 0, l.calls == 0);
                prop_assert!(t.total_latency_us >= l.total_us);
                prop_assert!(t.total_latency_us <= p.total_latency_us);
            }
        }
    }

    #[test]
    fn windows_agree_slice_by_slice(
        seed in 0u64..1_000,
        app in 0usize..6,
        window in arb_window(),
        end in 1_600_000_000i64..1_800_000_000,
        shift in 1i64..60,
        jitter in 0i64..30,
        picks in arb_picks(),
    ) {
        let w = world_late(seed);
        let v = w.view();
        let app = APPS[app];
        let f = filter_for(&v, app, picks, false);
        let step = window.step_seconds();
        let a = v.latency_series(app, Side::Client, &query(window, end, f.clone())).unwrap();
        // Shifted by whole steps, plus a jitter that stays inside the same step.
        let end_b = end.div_euclid(step) * step + shift * step + jitter.min(step - 1);
        let b = v.latency_series(app, Side::Client, &query(window, end_b, f.clone())).unwrap();
        let overlap = i64::from(window.points()) - shift;
        prop_assert!(overlap > 0);
        let k = shift as usize;
        prop_assert_eq!(&a.points[k..], &b.points[..overlap as usize]);
        let ea = v.error_rate_series(app, &query(window, end, f.clone())).unwrap();
        let eb = v.error_rate_series(app, &query(window, end_b, f.clone())).unwrap();
        prop_assert_eq!(&ea.points[k..], &eb.points[..overlap as usize]);
        let la = v.by_layer(app, &query(window, end, f.clone())).unwrap().layers;
        let lb = v.by_layer(app, &query(window, end_b, f)).unwrap().layers;
        for (x, y) in la.iter().zip(&lb) {
            prop_assert_eq!(&x.points[k..], &y.points[..overlap as usize]);
        }
    }

    #[test]
    fn filters_narrow_traffic(
        seed in 0u64..1_000,
        app in 0usize..6,
        start in 1_600_000_000i64..1_800_000_000,
        step in prop_oneof![Just(30i64), Just(900), Just(7_200)],
        picks in arb_picks(),
    ) {
        let w = world_late(seed);
        let v = w.view();
        let app_name = APPS[app];
        let f = filter_for(&v, app_name, picks, false);
        let a = v.app(app_name).unwrap();
        let start = start.div_euclid(step) * step;
        for side in [Side::Server, Side::Client] {
            let all = traffic::slice(a, &Filter::default(), side, start, step);
            let some = traffic::slice(a, &f, side, start, step);
            prop_assert!(some.volume <= all.volume);
            prop_assert!(some.errors <= some.volume);
            prop_assert!(some.total_requests >= some.volume);
            if side == Side::Client {
                prop_assert!(some.client_volume <= all.client_volume);
            }
            for (x, y) in some.layers().iter().zip(all.layers()) {
                prop_assert!(x.calls <= y.calls && x.touching <= y.touching && x.calls >= x.touching);
                prop_assert_eq!(x.calls > 0, x.touching > 0);
            }
            // Self times stack up to the requests' latency (without a layer filter, whose
            // volume and latency are those of the requests through the layer).
            let sum = |s: &traffic::Slice| s.layers().iter().map(|l| l.total_us).sum::<u64>();
            prop_assert_eq!(sum(&all), all.latency_total_us);
            if f.layer.is_none() {
                prop_assert_eq!(sum(&some), some.latency_total_us);
            } else {
                prop_assert!(some.latency_total_us <= sum(&some));
            }
        }
    }
}

#[test]
fn different_filter_values_give_different_numbers() {
    let w = world(5);
    let v = w.view();
    let app = v.app("web-shop").unwrap();
    let q = |f: Filter| query(TimeWindow::Day, NOW, f);
    let volumes = |f: Filter| -> Vec<u64> {
        v.latency_series("web-shop", Side::Server, &q(f))
            .unwrap()
            .points
            .iter()
            .map(|p| p.volume)
            .collect()
    };
    let all = volumes(Filter::default());
    let mut seen = vec![all.clone()];
    for c in app.controllers() {
        let vols = volumes(Filter {
            controller: Some(c.to_owned()),
            ..Filter::default()
        });
        assert!(vols.iter().zip(&all).all(|(a, b)| a <= b));
        assert!(
            vols.iter().sum::<u64>() > 0,
            "controller {c} has no traffic in a day"
        );
        assert!(
            !seen.contains(&vols),
            "controller {c} repeats another series"
        );
        seen.push(vols);
    }
    for region in ["US", "US-CA", "DE"] {
        let f = Filter {
            region: Some(region.to_owned()),
            ..Filter::default()
        };
        let s = v.latency_summary("web-shop", Side::Client, &q(f)).unwrap();
        let all = v
            .latency_summary("web-shop", Side::Client, &q(Filter::default()))
            .unwrap();
        assert!(s.count > 0 && s.count < all.count, "{region}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any instant, however absurd, gives an answer (clamped), never a panic or overflow.
    #[test]
    fn any_instant_is_safe(t in any::<i64>(), step in any::<i64>(), window in arb_window()) {
        let w = world(1);
        let v = w.view();
        let a = v.app("web-shop").unwrap();
        let s = traffic::slice(a, &Filter::default(), Side::Client, t, step);
        prop_assert!(s.errors <= s.volume);
        let q = query(window, t, Filter::default());
        // A time_end outside [one window after the epoch, a year after now] is refused.
        match v.latency_series("web-shop", Side::Server, &q) {
            Ok(series) => {
                prop_assert_eq!(series.points.len(), window.points() as usize);
                prop_assert!(series.points.iter().all(|p| p.timestamp >= 0));
                v.latency_summary("web-shop", Side::Client, &q).unwrap();
                v.by_layer("web-shop", &q).unwrap();
            }
            Err(e) => {
                prop_assert!(e.message().starts_with("time_end"), "{}", e);
                prop_assert!(t < window.span_seconds() || t > NOW);
            }
        }
        v.layers("web-shop", Some(t)).unwrap();
        v.annotations(tv_sandbox::AnnotationRange { start: Some(t), end: Some(step) });
        v.annotations(tv_sandbox::AnnotationRange { start: None, end: Some(t) });
    }
}

#[test]
fn layers_seen_respects_since() {
    let w = world(2);
    let v = w.view();
    let all = v.layers("web-shop", None).unwrap();
    assert_eq!(all.len(), 10);
    assert_eq!(v.layers("web-shop", Some(0)).unwrap(), all);
    assert!(v.layers("web-shop", Some(NOW)).unwrap().is_empty());
    assert!(v.layers("web-shop", Some(NOW + 86_400)).unwrap().is_empty());
}
