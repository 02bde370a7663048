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
            slice(&a, &Filter::none(), Side::Server, t, 30),
            slice(&a, &Filter::none(), Side::Server, t, 30)
        );
    }
}

#[test]
fn layer_totals_are_inclusive_and_entry_equals_requests() {
    let a = app();
    let mut busy = 0;
    for k in 0..200 {
        let s = slice(&a, &Filter::none(), Side::Server, T0 + k * 900, 900);
        let layers = s.layers();
        assert_eq!(layers.len(), 10);
        assert_eq!(layers[0].calls, s.volume);
        assert_eq!(layers[0].total_us, s.latency_total_us);
        assert!(s.errors <= s.volume && s.total_requests >= s.volume);
        let leaves: u64 = layers[2..].iter().map(|l| l.total_us).sum();
        assert!(layers[1].total_us >= leaves);
        assert!(layers[0].total_us >= layers[1].total_us);
        for (l, p) in layers.iter().zip(a.layers()) {
            assert!(l.calls >= l.touching && l.touching <= s.volume);
            if p.role == LayerRole::Leaf && l.calls > 0 && s.volume > 100 {
                let per_call_ms = l.total_us as f64 / l.calls as f64 / 1_000.0;
                assert!(per_call_ms < 5_000.0, "{}: {per_call_ms} ms", p.name);
            }
        }
        if s.volume > 0 {
            busy += 1;
            let avg_ms = s.latency_total_us as f64 / s.volume as f64 / 1_000.0;
            assert!((5.0..20_000.0).contains(&avg_ms), "{avg_ms} ms");
        }
    }
    assert!(busy > 150);
}

#[test]
fn filters_narrow() {
    let a = app();
    let c0 = a.filters.controllers[0].value.clone();
    let c1 = a.filters.controllers[1].value.clone();
    let f0 = Filter {
        controller: Some(c0),
        ..Filter::none()
    };
    let f1 = Filter {
        controller: Some(c1),
        ..Filter::none()
    };
    let (mut sum0, mut sum1) = (0, 0);
    for k in 0..120 {
        let t = T0 + k * 30;
        let all = slice(&a, &Filter::none(), Side::Server, t, 30);
        let s0 = slice(&a, &f0, Side::Server, t, 30);
        let s1 = slice(&a, &f1, Side::Server, t, 30);
        for s in [&s0, &s1] {
            assert!(s.volume <= all.volume);
            for (l, u) in s.layers().iter().zip(all.layers()) {
                assert!(l.calls <= u.calls && l.touching <= u.touching && l.calls >= l.touching);
            }
            assert_eq!(s.layers()[0].calls, s.volume);
        }
        sum0 += s0.volume;
        sum1 += s1.volume;
    }
    assert!(sum0 > 0 && sum1 > 0 && sum0 != sum1);
    let unknown = Filter {
        url: Some("/nope".into()),
        ..Filter::none()
    };
    assert_eq!(slice(&a, &unknown, Side::Server, T0, 30).volume, 0);
}

#[test]
fn layer_filter_counts_requests_through_the_layer() {
    let a = app();
    let leaf = a.layers()[2].name.clone();
    let f = Filter {
        layer: Some(leaf),
        ..Filter::none()
    };
    for k in 0..100 {
        let t = T0 + k * 900;
        let all = slice(&a, &Filter::none(), Side::Server, t, 900);
        let s = slice(&a, &f, Side::Server, t, 900);
        assert_eq!(s.volume, all.layers()[2].touching);
        assert!(s.volume <= all.volume && s.errors <= s.volume);
        assert!(s.total_requests >= s.volume);
        if s.volume > 0 {
            assert!(s.latency_total_us >= all.layers()[2].total_us);
        }
    }
    let entry = Filter {
        layer: Some(a.layers()[0].name.clone()),
        ..Filter::none()
    };
    let all = slice(&a, &Filter::none(), Side::Server, T0, 900);
    let s = slice(&a, &entry, Side::Server, T0, 900);
    assert_eq!(
        (s.volume, s.latency_total_us),
        (all.volume, all.latency_total_us)
    );
}

#[test]
fn client_side_is_slower_and_smaller() {
    let a = app();
    let mut views = 0;
    for k in 0..96 {
        let t = T0 + k * 900;
        let server = slice(&a, &Filter::none(), Side::Server, t, 900);
        let client = slice(&a, &Filter::none(), Side::Client, t, 900);
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
            ..Filter::none()
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
            let s = slice(&a, &Filter::none(), Side::Server, T0 + k * 30, 30);
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
