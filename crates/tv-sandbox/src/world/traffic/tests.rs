//! Unit tests of the slice computation.

use super::*;
use crate::world::app::AppId;
use crate::world::layers::LayerRole;

fn app() -> App {
    App::generate(11, AppId(2), "web-shop", "example", 8, true)
}

const T0: i64 = 1_704_283_200; // 2024-01-03 12:00 UTC, a Wednesday

#[test]
fn slices_are_pure() {
    let a = app();
    for k in 0..50 {
        let t = T0 + k * 30;
        assert_eq!(
            slice(&a, &Filter::default(), Side::Server, t, 30),
            slice(&a, &Filter::default(), Side::Server, t, 30)
        );
    }
}

#[test]
fn layer_totals_are_self_times_that_add_up_to_the_requests() {
    let a = app();
    let mut busy = 0;
    for k in 0..200 {
        let s = slice(&a, &Filter::default(), Side::Server, T0 + k * 900, 900);
        let layers = s.layers();
        assert_eq!(layers.len(), 10);
        assert_eq!(layers[0].calls, s.volume);
        assert_eq!(layers[1].calls, s.volume);
        let sum: u64 = layers.iter().map(|l| l.total_us).sum();
        assert_eq!(sum, s.latency_total_us);
        assert!(s.errors <= s.volume && s.total_requests >= s.volume);
        for (l, p) in layers.iter().zip(a.layers()) {
            assert!(l.calls >= l.touching && l.touching <= s.volume);
            assert_eq!(l.calls > 0, l.touching > 0);
            if p.role == LayerRole::Leaf && l.calls > 0 && s.volume > 100 {
                let per_call_ms = l.total_us as f64 / l.calls as f64 / 1_000.0;
                assert!(per_call_ms < 5_000.0, "{}: {per_call_ms} ms", p.name);
            }
        }
        if s.volume > 0 {
            busy += 1;
            let avg = s.latency_total_us as f64 / s.volume as f64;
            assert!((avg * s.volume as f64 - sum as f64).abs() <= 1e-6 * sum as f64);
            let avg_ms = avg / 1_000.0;
            assert!((5.0..20_000.0).contains(&avg_ms), "{avg_ms} ms");
        }
    }
    assert!(busy > 150);
}

/// Median per-call self time of each layer over a day of 15-minute slices, in ms, with
/// the layers' shares of the day's total time.
fn day_profile(a: &App) -> Vec<(f64, f64)> {
    let n = a.layers().len();
    let mut per_call: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut totals = vec![0u64; n];
    for k in 0..96 {
        let s = slice(a, &Filter::default(), Side::Server, T0 + k * 900, 900);
        for (i, l) in s.layers().iter().enumerate() {
            totals[i] += l.total_us;
            if l.calls > 0 {
                per_call[i].push(l.total_us as f64 / l.calls as f64 / 1_000.0);
            }
        }
    }
    let all: u64 = totals.iter().sum();
    per_call
        .into_iter()
        .zip(totals)
        .map(|(mut v, t)| {
            v.sort_by(f64::total_cmp);
            let median = v.get(v.len() / 2).copied().unwrap_or(0.0);
            (median, t as f64 / all.max(1) as f64)
        })
        .collect()
}

#[test]
fn per_call_self_times_are_plausible() {
    for (seed, name) in [
        (11, "web-shop"),
        (3, "blog"),
        (42, "web-shop"),
        (7, "billing-api"),
    ] {
        let a = App::generate(seed, AppId(2), name, "example", 8, true);
        let profile = day_profile(&a);
        let shares: f64 = profile.iter().map(|(_, s)| s).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        for (l, (ms, share)) in a.layers().iter().zip(&profile) {
            let ok = match (l.role, l.name.as_str()) {
                (LayerRole::Entry, _) => (0.8..6.0).contains(ms) && *share < 0.1,
                (LayerRole::Framework, _) => (10.0..200.0).contains(ms) && *share > 0.25,
                (_, "http_client" | "cURL") => (15.0..250.0).contains(ms),
                (_, "elasticsearch" | "rabbitmq" | "file_get_contents") => (0.4..60.0).contains(ms),
                _ => (0.08..20.0).contains(ms),
            };
            assert!(
                ok,
                "{name}/{}: {ms} ms per call, {share} of the time",
                l.name
            );
        }
        // The framework takes more time than the web server and any single leaf.
        let framework = profile[1].1;
        assert!(
            profile
                .iter()
                .enumerate()
                .all(|(i, p)| i == 1 || p.1 < framework)
        );
    }
}

#[test]
fn filters_narrow() {
    let a = app();
    let c0 = a.filters.controllers[0].value.clone();
    let c1 = a.filters.controllers[1].value.clone();
    let f0 = Filter {
        controller: Some(c0),
        ..Filter::default()
    };
    let f1 = Filter {
        controller: Some(c1),
        ..Filter::default()
    };
    let (mut sum0, mut sum1) = (0, 0);
    for k in 0..120 {
        let t = T0 + k * 30;
        let all = slice(&a, &Filter::default(), Side::Server, t, 30);
        let s0 = slice(&a, &f0, Side::Server, t, 30);
        let s1 = slice(&a, &f1, Side::Server, t, 30);
        for s in [&s0, &s1] {
            assert!(s.volume <= all.volume);
            for (l, u) in s.layers().iter().zip(all.layers()) {
                assert!(l.calls <= u.calls && l.touching <= u.touching && l.calls >= l.touching);
                assert_eq!(l.calls > 0, l.touching > 0);
            }
            assert_eq!(s.layers()[0].calls, s.volume);
            let sum: u64 = s.layers().iter().map(|l| l.total_us).sum();
            assert_eq!(sum, s.latency_total_us);
        }
        sum0 += s0.volume;
        sum1 += s1.volume;
    }
    assert!(sum0 > 0 && sum1 > 0 && sum0 != sum1);
    let unknown = Filter {
        url: Some("/nope".into()),
        ..Filter::default()
    };
    assert_eq!(slice(&a, &unknown, Side::Server, T0, 30).volume, 0);
}

#[test]
fn layer_filter_counts_requests_through_the_layer() {
    let a = app();
    let leaf = a.layers()[2].name.clone();
    let f = Filter {
        layer: Some(leaf),
        ..Filter::default()
    };
    for k in 0..100 {
        let t = T0 + k * 900;
        let all = slice(&a, &Filter::default(), Side::Server, t, 900);
        let s = slice(&a, &f, Side::Server, t, 900);
        assert_eq!(s.volume, all.layers()[2].touching);
        assert!(s.volume <= all.volume && s.errors <= s.volume);
        assert!(s.total_requests >= s.volume);
        // The requests through the layer spent all of its self time, and part of the rest.
        assert!(s.latency_total_us >= all.layers()[2].total_us);
        assert!(s.latency_total_us <= all.latency_total_us);
        assert_eq!(s.volume == 0, all.layers()[2].calls == 0);
    }
    // Every request goes through the entry and framework layers.
    for i in 0..2 {
        let f = Filter {
            layer: Some(a.layers()[i].name.clone()),
            ..Filter::default()
        };
        let all = slice(&a, &Filter::default(), Side::Server, T0, 900);
        let s = slice(&a, &f, Side::Server, T0, 900);
        assert_eq!(
            (s.volume, s.latency_total_us),
            (all.volume, all.latency_total_us)
        );
    }
}

#[test]
fn client_side_is_slower_and_smaller() {
    let a = app();
    let mut views = 0;
    for k in 0..96 {
        let t = T0 + k * 900;
        let server = slice(&a, &Filter::default(), Side::Server, t, 900);
        let client = slice(&a, &Filter::default(), Side::Client, t, 900);
        assert_eq!(server.volume, client.volume);
        assert!(client.client_volume <= server.volume);
        assert_eq!(server.client_volume, 0);
        if client.client_volume > 0 && server.volume > 0 {
            views += client.client_volume;
            let page = client.client_latency_total_us as f64 / client.client_volume as f64;
            let req = server.latency_total_us as f64 / server.volume as f64;
            assert!(page > req && page < 30_000_000.0);
        }
        let chrome = Filter {
            browser: Some("Chrome".into()),
            ..Filter::default()
        };
        assert!(slice(&a, &chrome, Side::Client, t, 900).client_volume <= client.client_volume);
    }
    assert!(views > 0);
}

#[test]
fn there_are_quiet_slices_and_incidents() {
    let a = App::generate(11, AppId(3), "blog", "example", 3, false);
    let mut quiet = 0;
    let mut spikes = 0;
    let mut sum = 0.0;
    let mut n = 0.0;
    let avgs: Vec<f64> = (0..2_880)
        .filter_map(|k| {
            let s = slice(&a, &Filter::default(), Side::Server, T0 + k * 30, 30);
            if s.volume == 0 {
                quiet += 1;
                None
            } else {
                Some(s.latency_total_us as f64 / s.volume as f64)
            }
        })
        .collect();
    for x in &avgs {
        sum += x;
        n += 1.0;
    }
    let mean = sum / n;
    for x in &avgs {
        if *x > 2.0 * mean {
            spikes += 1;
        }
    }
    assert!(quiet > 0, "no quiet slices in a day");
    assert!(spikes > 0, "no latency spikes in a day");
}
