//! The same traffic at every step: a coarse slice (15 min of the day window, 2 h of the
//! week window) is the aggregate of exactly the fine slices it covers (30 s of the hour
//! window, 15 min of the day window). Volumes, errors, total requests, latency totals
//! (hence the volume-weighted mean latency) and the by-layer calls and time sum, for
//! random apps, filters (every dimension, the layer scope, browsers and regions client
//! side), windows and alignments, through the same views the HTTP handlers use.

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

/// A filter of `kind` (0 none, 1–4 a server dimension, 5 the layer scope, 6 a browser,
/// 7 a region) with its `pick`-th value, and the side it acts on.
fn filter_of(v: &View, app: &str, kind: u8, pick: usize) -> (Filter, Side) {
    let a = v.app(app).unwrap();
    let nth = |values: Vec<String>| values[pick % values.len()].clone();
    let owned = |it: &mut dyn Iterator<Item = &str>| it.map(str::to_owned).collect::<Vec<_>>();
    let mut f = Filter::default();
    let side = match kind {
        1 => {
            f.domain = Some(nth(owned(&mut a.domains())));
            Side::Server
        }
        2 => {
            f.url = Some(nth(owned(&mut a.urls())));
            Side::Server
        }
        3 => {
            f.controller = Some(nth(owned(&mut a.controllers())));
            Side::Server
        }
        4 => {
            f.action = Some(nth(owned(&mut a.actions())));
            Side::Server
        }
        5 => {
            f.layer = Some(nth(a.layers().iter().map(|l| l.name.clone()).collect()));
            Side::Server
        }
        6 => {
            f.browser = Some(nth(v.browsers().to_vec()));
            Side::Client
        }
        7 => {
            f.region = Some(nth(v.regions().to_vec()));
            Side::Client
        }
        _ => Side::Server,
    };
    (f, side)
}

/// Per slice of a window: (start, volume, latency total, errors, total requests,
/// per-layer (calls, time)).
type Row = (i64, u64, u64, u64, u64, Vec<(u64, u64)>);

fn rows(
    v: &View,
    app: &str,
    side: Side,
    filter: &Filter,
    window: TimeWindow,
    end: i64,
) -> Vec<Row> {
    let q = SeriesQuery {
        window,
        time_end: Some(end),
        filter: filter.clone(),
    };
    let latency = v.latency_series(app, side, &q).unwrap().points;
    let errors = v.error_rate_series(app, &q).unwrap().points;
    let total = v.total_requests_series(app, &q).unwrap().points;
    let layers = v.by_layer(app, &q).unwrap().layers;
    latency
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let by_layer = layers
                .iter()
                .map(|l| (l.points[i].calls, l.points[i].total_us))
                .collect();
            (
                p.timestamp,
                p.volume,
                p.total_latency_us,
                errors[i].errors,
                total[i].total_requests,
                by_layer,
            )
        })
        .collect()
}

/// The sum of the rows starting in `[from, to)`.
fn sum(rows: &[Row], from: i64, to: i64, layers: usize) -> (u64, u64, u64, u64, Vec<(u64, u64)>) {
    let mut out = (0, 0, 0, 0, vec![(0, 0); layers]);
    for r in rows.iter().filter(|r| (from..to).contains(&r.0)) {
        out.0 += r.1;
        out.1 += r.2;
        out.2 += r.3;
        out.3 += r.4;
        for (o, l) in out.4.iter_mut().zip(&r.5) {
            o.0 += l.0;
            o.1 += l.1;
        }
    }
    out
}

/// The wire's mean latency (µs, a float; `null` without volume).
fn mean(volume: u64, total: u64) -> Option<f64> {
    (volume > 0).then(|| total as f64 / volume as f64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_coarse_slice_is_the_sum_of_its_fine_slices(
        seed in 0u64..500,
        app in 0usize..6,
        kind in 0u8..8,
        pick in 0usize..64,
        coarse_week in any::<bool>(),
        back in 0i64..3_000_000,
        slice in 0usize..84,
        shift in 0i64..90,
    ) {
        let w = World::in_memory(seed, 6, Clock::Frozen(NOW));
        let v = w.view();
        let app = APPS[app];
        let (filter, side) = filter_of(&v, app, kind, pick);
        // The coarse window and the window of its fine slices.
        let (coarse, fine) = if coarse_week {
            (TimeWindow::Week, TimeWindow::Day)
        } else {
            (TimeWindow::Day, TimeWindow::Hour)
        };
        let big = rows(&v, app, side, &filter, coarse, NOW - back);
        let c = &big[slice % big.len()];
        let step = big[1].0 - big[0].0;
        // (A layer filter keeps one series.)
        let layers = c.5.len();
        // A fine window that covers the coarse slice, ending anywhere from the slice's
        // end to (its span − the slice) later, on the fine grid.
        let fine_step = fine.step().as_secs() as i64;
        let room = (fine.duration().as_secs() as i64 - step) / fine_step;
        let end = c.0 + step + (shift % (room + 1)) * fine_step;
        let small = rows(&v, app, side, &filter, fine, end);
        let s = sum(&small, c.0, c.0 + step, layers);
        prop_assert_eq!(small.iter().filter(|r| (c.0..c.0 + step).contains(&r.0)).count() as i64, step / fine_step);
        prop_assert_eq!(s.0, c.1, "volume");
        prop_assert_eq!(s.1, c.2, "latency total");
        prop_assert_eq!(s.2, c.3, "errors");
        prop_assert_eq!(s.3, c.4, "total requests");
        prop_assert_eq!(&s.4, &c.5, "by-layer calls and time");
        // The weighted mean of the fine slices' wire means is the coarse slice's mean.
        let weighted: f64 = small
            .iter()
            .filter(|r| (c.0..c.0 + step).contains(&r.0))
            .filter_map(|r| mean(r.1, r.2).map(|m| m * r.1 as f64))
            .sum();
        match mean(c.1, c.2) {
            Some(m) => prop_assert!((weighted / c.1 as f64 - m).abs() <= 1e-6 * m.max(1.0)),
            None => prop_assert_eq!(s.0, 0),
        }
    }

    #[test]
    fn a_two_hour_slice_is_the_sum_of_two_hours_of_30_second_slices(
        seed in 0u64..500,
        app in 0usize..6,
        kind in 0u8..8,
        pick in 0usize..64,
        back in 0i64..3_000_000,
        slice in 0usize..84,
    ) {
        let w = World::in_memory(seed, 6, Clock::Frozen(NOW));
        let v = w.view();
        let app = APPS[app];
        let (filter, side) = filter_of(&v, app, kind, pick);
        let week = rows(&v, app, side, &filter, TimeWindow::Week, NOW - back);
        let c = &week[slice % week.len()];
        let layers = c.5.len();
        let mut hours = rows(&v, app, side, &filter, TimeWindow::Hour, c.0 + 3_600);
        hours.extend(rows(&v, app, side, &filter, TimeWindow::Hour, c.0 + 7_200));
        let s = sum(&hours, c.0, c.0 + 7_200, layers);
        prop_assert_eq!((s.0, s.1, s.2, s.3), (c.1, c.2, c.3, c.4));
        prop_assert_eq!(&s.4, &c.5);
    }
}

/// The two-hour example of issue 23: the same two hours at the three steps.
#[test]
fn the_same_two_hours_at_every_step() {
    let w = World::in_memory(42, 6, Clock::Frozen(NOW));
    let v = w.view();
    let end = NOW - NOW.rem_euclid(7_200);
    let week = rows(
        &v,
        "web-shop",
        Side::Server,
        &Filter::default(),
        TimeWindow::Week,
        end,
    );
    let day = rows(
        &v,
        "web-shop",
        Side::Server,
        &Filter::default(),
        TimeWindow::Day,
        end,
    );
    let mut hours = rows(
        &v,
        "web-shop",
        Side::Server,
        &Filter::default(),
        TimeWindow::Hour,
        end - 3_600,
    );
    hours.extend(rows(
        &v,
        "web-shop",
        Side::Server,
        &Filter::default(),
        TimeWindow::Hour,
        end,
    ));
    let at = |r: &[Row]| {
        let s = sum(r, end - 7_200, end, 10);
        (s.0, s.1)
    };
    let (w2h, d15, h30) = (at(&week), at(&day), at(&hours));
    eprintln!(
        "web-shop, the 2 h before {end}: 30 s {} traces {:.1} ms, 15 min {} traces {:.1} ms, 2 h {} traces {:.1} ms",
        h30.0,
        h30.1 as f64 / h30.0 as f64 / 1e3,
        d15.0,
        d15.1 as f64 / d15.0 as f64 / 1e3,
        w2h.0,
        w2h.1 as f64 / w2h.0 as f64 / 1e3,
    );
    assert_eq!(h30, d15);
    assert_eq!(d15, w2h);
}
