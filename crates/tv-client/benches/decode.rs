//! What the typed layer costs on top of plain serde: decoding series and by-layer
//! answers, and the latency math.
//!
//! `cargo bench -p tv-client --bench decode` (criterion; `cargo xtask bench` runs it and
//! reads the medians from `target/criterion/*/*/new/estimates.json`).
//!
//! Each pair compares, on the same bytes, plain `serde_json` decoding into the generated
//! `tv-api` wire types (what any client must do) with the full typed decode from the
//! bytes (`serde_and_typed`: `Series::from_body` / `LayerSeries::from_body`, what the
//! `tv-client` calls run on each body — columns by name, every cell checked, sorted,
//! `Duration`s). `typed_conversion_only` is the conversion of already parsed wire types
//! (`Series::decode` / `LayerSeries::decode_all`), the second half of `serde_and_typed`.
//! The inputs are synthetic but shaped like the sandbox's answers: a
//! week (84 slices of 2 h), quiet slices with `null` latency, fractional averages.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use tv_api::types::{LatencySeriesEnvelope, LayerTimeseriesListEnvelope};
use tv_client::{ErrorRatePoint, LatencyPoint, LayerSeries, Series, TimeWindow, math};

/// 2024-01-03T12:00:00Z, the end of the benchmarked week.
const END: i64 = tv_testkit::FROZEN_NOW;
/// Layers in the by-layer answer.
const LAYERS: usize = 20;

/// A small deterministic generator (xorshift), so every run decodes the same bytes.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Rows `[timestamp, volume, latency]` of one window; about one slice in twelve is quiet.
fn latency_rows(window: TimeWindow, noise: &mut Noise, scale: f64) -> Vec<Value> {
    let step = window.step().as_secs() as i64;
    let points = window.points() as i64;
    (0..points)
        .map(|i| {
            let at = END - (points - i) * step;
            if noise.next() < 1.0 / 12.0 {
                json!([at, 0, null])
            } else {
                let volume = (noise.next() * 5000.0).round() + 1.0;
                json!([at, volume as u64, scale * (0.5 + noise.next())])
            }
        })
        .collect()
}

fn envelope(data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({ "data": data, "response": "ok" })).expect("serializable")
}

fn series_bytes(window: TimeWindow) -> Vec<u8> {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    envelope(json!({
        "fields": "timestamp,volume,avg_latency",
        "items": latency_rows(window, &mut noise, 180_000.0),
    }))
}

fn by_layer_bytes(window: TimeWindow) -> Vec<u8> {
    let mut noise = Noise(0x2545_f491_4f6c_dd1d);
    let layers: Vec<Value> = (0..LAYERS)
        .map(|i| {
            json!({
                "layer": format!("layer-{i:02}:client"),
                "timeseries": {
                    "fields": "timestamp,volume,avg_latency",
                    "items": latency_rows(window, &mut noise, 2.0e8 / (i + 1) as f64),
                },
            })
        })
        .collect();
    envelope(Value::Array(layers))
}

fn error_rate_series(window: TimeWindow) -> Series<ErrorRatePoint> {
    let mut noise = Noise(0x1234_5678_9abc_def1);
    let step = window.step().as_secs() as i64;
    let points = window.points() as i64;
    let items: Vec<Vec<Option<f64>>> = (0..points)
        .map(|i| {
            vec![
                Some((END - (points - i) * step) as f64),
                Some(noise.next() * 0.05),
            ]
        })
        .collect();
    Series::decode("timestamp,error_rate", &items).expect("valid rates")
}

fn decode_series(bytes: &[u8]) -> Series<LatencyPoint> {
    Series::from_body(bytes)
        .expect("valid series")
        .with_window(TimeWindow::Week)
}

fn convert_layers(envelope: &LayerTimeseriesListEnvelope) -> Vec<LayerSeries> {
    LayerSeries::decode_all(envelope.data.iter().map(|l| {
        (
            l.layer.as_str(),
            "timestamp,volume,avg_latency",
            l.timeseries.items.as_slice(),
        )
    }))
    .expect("valid layers")
    .into_iter()
    .map(|l| l.with_window(TimeWindow::Week))
    .collect()
}

fn decode_layers(bytes: &[u8]) -> Vec<LayerSeries> {
    LayerSeries::from_body(bytes)
        .expect("valid layers")
        .into_iter()
        .map(|l| l.with_window(TimeWindow::Week))
        .collect()
}

fn by_layer(c: &mut Criterion) {
    let bytes = by_layer_bytes(TimeWindow::Week);
    let mut group = c.benchmark_group("by_layer_week_20_layers");
    group.bench_function("serde_only", |b| {
        b.iter(|| {
            serde_json::from_slice::<LayerTimeseriesListEnvelope>(black_box(&bytes))
                .expect("valid envelope")
        })
    });
    group.bench_function("serde_and_typed", |b| {
        b.iter(|| decode_layers(black_box(&bytes)))
    });
    let envelope: LayerTimeseriesListEnvelope =
        serde_json::from_slice(&bytes).expect("valid envelope");
    assert_eq!(
        decode_layers(&bytes),
        convert_layers(&envelope),
        "both paths agree"
    );
    group.bench_function("typed_conversion_only", |b| {
        b.iter(|| convert_layers(black_box(&envelope)))
    });
    group.finish();
}

fn series(c: &mut Criterion) {
    for (name, window) in [
        ("series_week", TimeWindow::Week),
        ("series_hour", TimeWindow::Hour),
    ] {
        let bytes = series_bytes(window);
        let mut group = c.benchmark_group(name);
        group.bench_function("serde_only", |b| {
            b.iter(|| {
                serde_json::from_slice::<LatencySeriesEnvelope>(black_box(&bytes))
                    .expect("valid envelope")
            })
        });
        group.bench_function("serde_and_typed", |b| {
            b.iter(|| decode_series(black_box(&bytes)))
        });
        group.finish();
    }
}

fn latency_math(c: &mut Criterion) {
    let series = decode_series(&series_bytes(TimeWindow::Week));
    let layers = decode_layers(&by_layer_bytes(TimeWindow::Week));
    let previous: Vec<LayerSeries> = layers.iter().rev().cloned().collect();
    let rates = error_rate_series(TimeWindow::Week);
    let hour = Series::<LatencyPoint>::from_body(&series_bytes(TimeWindow::Hour))
        .expect("valid series")
        .with_window(TimeWindow::Hour);
    let mut group = c.benchmark_group("math");
    group.bench_function("weighted_mean_week", |b| {
        b.iter(|| math::weighted_mean(black_box(&series)))
    });
    group.bench_function("layer_breakdown_20_layers", |b| {
        b.iter(|| math::layer_breakdown(black_box(&layers), Some(black_box(&series))))
    });
    group.bench_function("estimate_errors_week", |b| {
        b.iter(|| math::estimate_errors(black_box(&rates), black_box(&series)))
    });
    group.bench_function("compare_layers_20", |b| {
        b.iter(|| math::compare_layers(black_box(&layers), black_box(&previous)))
    });
    group.bench_function("resample_hour_to_5min", |b| {
        b.iter(|| math::resample(black_box(&hour), Duration::from_secs(300)).expect("resample"))
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = by_layer, series, latency_math
}
criterion_main!(benches);
