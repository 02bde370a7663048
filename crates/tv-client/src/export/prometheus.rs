//! The exporter's registry (prometheus-client): TraceView's numbers as gauges, the
//! exporter's own health as gauges and counters, encoded as the Prometheus text format
//! (0.0.4) or OpenMetrics.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::{prometheus_text, text as openmetrics_text};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family as MetricFamily;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use super::collect::Collection;
use super::names::{self, Family};
use super::printable;

type Labels = Vec<(&'static str, String)>;
type Gauges = MetricFamily<Labels, Gauge<f64, AtomicU64>>;
type Counters = MetricFamily<Labels, Counter<f64, AtomicU64>>;

/// The registry and handles on its metrics.
#[derive(Debug)]
pub struct Exporter {
    registry: Registry,
    latency_average: Gauges,
    latency_latest: Gauges,
    traced_rate: Gauges,
    request_rate: Gauges,
    error_ratio: Gauges,
    last_trace_age: Gauges,
    layer_share: Gauges,
    layer_call_latency: Gauges,
    app_up: Gauges,
    up: Gauge<f64, AtomicU64>,
    collect_duration: Gauge<f64, AtomicU64>,
    cache_age: Gauge<f64, AtomicU64>,
    collections: Counter,
    collect_errors: Counter,
    late_scrapes: Counter,
    api_requests: Counters,
    api_request_time: Counters,
    build_info: Gauges,
}

/// Which exposition format a scrape gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The Prometheus text format 0.0.4 (the default).
    Prometheus,
    /// OpenMetrics 1.0.0 text (when the scraper's `Accept` asks for it).
    OpenMetrics,
}

impl Format {
    /// The format an `Accept` header asks for: OpenMetrics when it names
    /// `application/openmetrics-text`, else the Prometheus text format.
    pub fn negotiate(accept: Option<&str>) -> Format {
        match accept {
            Some(accept) if accept.contains("application/openmetrics-text") => Format::OpenMetrics,
            _ => Format::Prometheus,
        }
    }

    /// The `Content-Type` of the answer.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

fn unit(family: &Family) -> Option<(&'static str, Unit)> {
    let unit = family.unit?;
    let base = family.name.strip_suffix(&format!("_{unit}")[..])?;
    let unit = match unit {
        "seconds" => Unit::Seconds,
        other => Unit::Other(other.to_string()),
    };
    Some((base, unit))
}

fn register<M: prometheus_client::registry::Metric + Clone>(
    registry: &mut Registry,
    family: Family,
    metric: M,
) -> M {
    match unit(&family) {
        Some((base, unit)) => registry.register_with_unit(base, family.help, unit, metric.clone()),
        None => registry.register(family.name, family.help, metric.clone()),
    }
    metric
}

impl Default for Exporter {
    fn default() -> Self {
        Self::new()
    }
}

impl Exporter {
    /// An exporter with every family registered and no data yet (`traceview_up` 0).
    pub fn new() -> Self {
        let mut r = Registry::default();
        Exporter {
            latency_average: register(&mut r, names::LATENCY_AVERAGE, Gauges::default()),
            latency_latest: register(&mut r, names::LATENCY_LATEST, Gauges::default()),
            traced_rate: register(&mut r, names::TRACED_RATE, Gauges::default()),
            request_rate: register(&mut r, names::REQUEST_RATE, Gauges::default()),
            error_ratio: register(&mut r, names::ERROR_RATIO, Gauges::default()),
            last_trace_age: register(&mut r, names::LAST_TRACE_AGE, Gauges::default()),
            layer_share: register(&mut r, names::LAYER_SHARE, Gauges::default()),
            layer_call_latency: register(&mut r, names::LAYER_CALL_LATENCY, Gauges::default()),
            app_up: register(&mut r, names::APP_UP, Gauges::default()),
            up: register(&mut r, names::UP, Gauge::default()),
            collect_duration: register(&mut r, names::COLLECT_DURATION, Gauge::default()),
            cache_age: register(&mut r, names::CACHE_AGE, Gauge::default()),
            collections: register(&mut r, names::COLLECTIONS, Counter::default()),
            collect_errors: register(&mut r, names::COLLECT_ERRORS, Counter::default()),
            late_scrapes: register(&mut r, names::LATE_SCRAPES, Counter::default()),
            api_requests: register(&mut r, names::API_REQUESTS, Counters::default()),
            api_request_time: register(&mut r, names::API_REQUEST_TIME, Counters::default()),
            build_info: register(&mut r, names::BUILD_INFO, Gauges::default()),
            registry: r,
        }
    }

    /// Publishes `traceview_build_info{version="…"} 1` for the program serving the
    /// metrics.
    pub fn set_build_info(&self, version: &str) {
        self.build_info.clear();
        self.build_info
            .get_or_create(&vec![("version", printable(version))])
            .set(1.0);
    }

    /// A scrape whose collection was not finished by its deadline: it is served the last
    /// collection with `traceview_up 0`, and counted.
    pub fn note_late_scrape(&self) {
        self.up.set(0.0);
        self.late_scrapes.inc();
    }

    /// Publishes a client's HTTP requests by operation and outcome (the totals of
    /// [`TraceView::api_calls`](crate::TraceView::api_calls); counters only grow, so
    /// totals from another client are ignored where they are lower).
    pub fn set_api_calls(&self, calls: &[crate::ApiCalls]) {
        for call in calls {
            let labels = vec![
                ("operation", call.operation.to_string()),
                ("outcome", call.outcome.to_string()),
            ];
            let requests = self.api_requests.get_or_create(&labels);
            let more = call.requests as f64 - requests.get();
            if more > 0.0 {
                requests.inc_by(more);
            }
            let time = self.api_request_time.get_or_create(&labels);
            let more = call.time.as_secs_f64() - time.get();
            if more > 0.0 {
                time.inc_by(more);
            }
        }
    }

    /// Replaces TraceView's numbers with those of `collection` (apps that vanished or
    /// failed lose their series; failed apps get `traceview_app_up 0`). A collection
    /// that could not list the apps (TraceView unreachable, a collection cut short)
    /// keeps the numbers of the last one, with `traceview_up 0`: the age of what is
    /// served is `traceview_cache_age_seconds`.
    pub fn update(&self, collection: &Collection) {
        self.up.set(if collection.is_up() { 1.0 } else { 0.0 });
        self.collect_duration.set(collection.duration.as_secs_f64());
        self.collections.inc();
        self.collect_errors.inc_by(collection.failures.len() as u64);
        if !collection.listed {
            return;
        }
        for family in [
            &self.latency_average,
            &self.latency_latest,
            &self.traced_rate,
            &self.request_rate,
            &self.error_ratio,
            &self.last_trace_age,
            &self.layer_share,
            &self.layer_call_latency,
            &self.app_up,
        ] {
            family.clear();
        }
        let set = |family: &Gauges, labels: Labels, value: Option<f64>| {
            if let Some(value) = value.filter(|v| v.is_finite()) {
                family.get_or_create(&labels).set(value);
            }
        };
        for app in &collection.apps {
            let labels = vec![("app", printable(&app.app))];
            set(&self.latency_average, labels.clone(), app.average_seconds);
            set(&self.latency_latest, labels.clone(), app.latest_seconds);
            set(&self.traced_rate, labels.clone(), app.traced_per_second);
            set(&self.request_rate, labels.clone(), app.requests_per_second);
            set(&self.error_ratio, labels.clone(), app.error_ratio);
            set(
                &self.last_trace_age,
                labels.clone(),
                app.last_trace_age_seconds,
            );
            set(&self.app_up, labels.clone(), Some(1.0));
            for layer in &app.layers {
                let mut labels = labels.clone();
                labels.push(("layer", printable(&layer.layer)));
                set(&self.layer_share, labels.clone(), layer.share);
                set(&self.layer_call_latency, labels, layer.per_call_seconds);
            }
        }
        for (app, _) in &collection.failures {
            if let Some(app) = app {
                set(&self.app_up, vec![("app", printable(app))], Some(0.0));
            }
        }
    }

    /// Sets the age of the data the next scrape serves.
    pub fn set_cache_age(&self, age: std::time::Duration) {
        self.cache_age.set(age.as_secs_f64());
    }

    /// The exposition in `format`.
    pub fn encode(&self, format: Format) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        match format {
            Format::Prometheus => prometheus_text::encode(&mut text, &self.registry)?,
            Format::OpenMetrics => openmetrics_text::encode(&mut text, &self.registry)?,
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests;
