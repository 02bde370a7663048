//! Benchmarks of the world model: a week of by-layer data for the 10-layer app (20,160
//! 30-second slices summed into 84; target: under 20 ms), the same week filtered by a
//! controller and an action (every 30-second slice split twice), a filtered client week
//! (browser and region), a day, and catalog generation for 1,000 apps (target: well
//! under 100 ms).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tv_sandbox::world::Catalog;
use tv_sandbox::world::series;
use tv_sandbox::{Clock, Filter, SeriesQuery, Side, TimeWindow, WindowSpec, World};

const NOW: i64 = tv_sandbox::server::FROZEN_NOW;

fn by_layer_week(c: &mut Criterion) {
    let catalog = Catalog::generate(42, 6, NOW);
    let app = catalog.app("web-shop").expect("web-shop exists");
    assert_eq!(app.layers().len(), 10);
    let window = WindowSpec::ending_at(TimeWindow::Week, NOW);
    let filter = Filter::default();
    c.bench_function("by_layer week 10 layers", |b| {
        b.iter(|| series::by_layer(black_box(app), black_box(&filter), black_box(window)))
    });
    let world = World::in_memory(42, 6, Clock::Frozen(NOW));
    let query = SeriesQuery {
        window: TimeWindow::Week,
        ..SeriesQuery::default()
    };
    c.bench_function("view by_layer week 10 layers", |b| {
        b.iter(|| {
            let view = world.view();
            let out = view.by_layer(black_box("web-shop"), black_box(&query));
            black_box(out.map(|r| r.layers.len()).unwrap_or(0))
        })
    });
    c.bench_function("latency summary week", |b| {
        b.iter(|| {
            series::latency_summary(
                black_box(app),
                Side::Server,
                black_box(&filter),
                black_box(window),
            )
        })
    });
    let day = WindowSpec::ending_at(TimeWindow::Day, NOW);
    c.bench_function("by_layer day 10 layers", |b| {
        b.iter(|| series::by_layer(black_box(app), black_box(&filter), black_box(day)))
    });
}

fn filtered_week(c: &mut Criterion) {
    let catalog = Catalog::generate(42, 6, NOW);
    let app = catalog.app("web-shop").expect("web-shop exists");
    let window = WindowSpec::ending_at(TimeWindow::Week, NOW);
    let server = Filter {
        controller: app.controllers().next().map(str::to_owned),
        action: app.actions().nth(1).map(str::to_owned),
        ..Filter::default()
    };
    let mut group = c.benchmark_group("filtered");
    group.sample_size(20);
    group.bench_function("by_layer week controller+action", |b| {
        b.iter(|| series::by_layer(black_box(app), black_box(&server), black_box(window)))
    });
    let client = Filter {
        browser: Some("Chrome".to_owned()),
        region: Some("US-CA".to_owned()),
        ..Filter::default()
    };
    group.bench_function("client latency week browser+region", |b| {
        b.iter(|| {
            series::latency_series(
                black_box(app),
                Side::Client,
                black_box(&client),
                black_box(window),
            )
        })
    });
    group.finish();
}

fn catalog_1000(c: &mut Criterion) {
    let mut group = c.benchmark_group("catalog");
    group.sample_size(20);
    group.bench_function("generate 1000 apps", |b| {
        b.iter(|| Catalog::generate(black_box(42), black_box(1_000), NOW))
    });
    group.finish();
}

criterion_group!(benches, by_layer_week, filtered_week, catalog_1000);
criterion_main!(benches);
