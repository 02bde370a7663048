//! TraceView's numbers as OpenTelemetry (OTLP) over HTTP/protobuf, built on the
//! OpenTelemetry project's own protocol types (`opentelemetry-proto`, `prost`): the
//! SDK stamps points with "now", while history needs each slice's own time.
//!
//! Metric names, help texts and values are those of the Prometheus side ([`names`]);
//! units are UCUM as OpenTelemetry wants them (`s`, `1`, `{request}/s`). Every point is
//! a gauge with an `app` attribute (and `layer` for the per-layer families).
//! Annotations become log records with the app and the message as attributes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
/// The OpenTelemetry protocol types the requests are made of (to decode them, e.g. in
/// tests of a receiver).
pub use opentelemetry_proto as proto;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::{
    Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, metric, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
/// The protobuf encoding of the requests (`encode_to_vec`, `decode`).
pub use prost::Message;

use super::collect::Collection;
use super::history::{AppHistory, Sample};
use super::names::{self, Family};
use super::printable;

/// How long sending one request may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// The most of a receiver's error answer quoted.
const MAX_QUOTED_CHARS: usize = 200;

/// The OpenTelemetry unit (UCUM) of a family.
pub fn otel_unit(family: &Family) -> &'static str {
    match family.unit {
        Some("seconds") => "s",
        Some("ratio") => "1",
        _ if family.name.ends_with("_per_second") => "{request}/s",
        _ => "1",
    }
}

fn text(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(printable(value))),
        }),
        ..KeyValue::default()
    }
}

fn nanos(at: DateTime<Utc>) -> u64 {
    at.timestamp_nanos_opt()
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0)
}

fn gauge(family: &Family, points: Vec<NumberDataPoint>) -> Metric {
    Metric {
        name: family.name.to_owned(),
        description: family.help.to_owned(),
        unit: otel_unit(family).to_owned(),
        data: Some(metric::Data::Gauge(Gauge {
            data_points: points,
        })),
        ..Metric::default()
    }
}

fn point(attributes: Vec<KeyValue>, time_unix_nano: u64, value: f64) -> NumberDataPoint {
    NumberDataPoint {
        attributes,
        time_unix_nano,
        value: Some(number_data_point::Value::AsDouble(value)),
        ..NumberDataPoint::default()
    }
}

fn resource() -> Option<Resource> {
    Some(Resource {
        attributes: vec![text("service.name", "tv")],
        ..Resource::default()
    })
}

fn scope() -> Option<InstrumentationScope> {
    Some(InstrumentationScope {
        name: "tv".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        ..InstrumentationScope::default()
    })
}

fn request(metrics: Vec<Metric>) -> ExportMetricsServiceRequest {
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: resource(),
            scope_metrics: vec![ScopeMetrics {
                scope: scope(),
                metrics: metrics
                    .into_iter()
                    .filter(|m| match &m.data {
                        Some(metric::Data::Gauge(g)) => !g.data_points.is_empty(),
                        _ => true,
                    })
                    .collect(),
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

/// The histories of `tv export openmetrics` as one OTLP request: the same families
/// and values, each point stamped with the start of its slice.
pub fn history_metrics(histories: &[AppHistory]) -> ExportMetricsServiceRequest {
    let family = |family: Family, samples: fn(&AppHistory) -> &[Sample]| {
        let points = histories
            .iter()
            .flat_map(|h| {
                samples(h)
                    .iter()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(at, v)| point(vec![text("app", &h.app)], nanos(*at), *v))
            })
            .collect();
        gauge(&family, points)
    };
    request(vec![
        family(names::LATENCY_AVERAGE, |h| &h.latency_average),
        family(names::TRACED_RATE, |h| &h.traced_rate),
        family(names::ERROR_RATIO, |h| &h.error_ratio),
        family(names::REQUEST_RATE, |h| &h.request_rate),
    ])
}

/// One collection of the exporter as one OTLP request, every point stamped `at`.
pub fn collection_metrics(collection: &Collection, at: SystemTime) -> ExportMetricsServiceRequest {
    let at = at
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    type Value = fn(&super::collect::AppSnapshot) -> Option<f64>;
    let per_app = |family: Family, value: Value| {
        let points = collection
            .apps
            .iter()
            .filter_map(|app| {
                let v = value(app).filter(|v| v.is_finite())?;
                Some(point(vec![text("app", &app.app)], at, v))
            })
            .collect();
        gauge(&family, points)
    };
    let mut metrics = vec![
        per_app(names::LATENCY_AVERAGE, |a| a.average_seconds),
        per_app(names::LATENCY_LATEST, |a| a.latest_seconds),
        per_app(names::TRACED_RATE, |a| a.traced_per_second),
        per_app(names::REQUEST_RATE, |a| a.requests_per_second),
        per_app(names::ERROR_RATIO, |a| a.error_ratio),
        per_app(names::LAST_TRACE_AGE, |a| a.last_trace_age_seconds),
    ];
    let mut shares = Vec::new();
    let mut per_call = Vec::new();
    for app in &collection.apps {
        for layer in &app.layers {
            let attributes = vec![text("app", &app.app), text("layer", &layer.layer)];
            if let Some(v) = layer.share.filter(|v| v.is_finite()) {
                shares.push(point(attributes.clone(), at, v));
            }
            if let Some(v) = layer.per_call_seconds.filter(|v| v.is_finite()) {
                per_call.push(point(attributes, at, v));
            }
        }
    }
    metrics.push(gauge(&names::LAYER_SHARE, shares));
    metrics.push(gauge(&names::LAYER_CALL_LATENCY, per_call));
    let up = if collection.is_up() { 1.0 } else { 0.0 };
    metrics.push(gauge(&names::UP, vec![point(Vec::new(), at, up)]));
    request(metrics)
}

/// An annotation to send as a log record: its app, time and message.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// The app it belongs to.
    pub app: String,
    /// When it happened.
    pub time: DateTime<Utc>,
    /// Its text.
    pub message: String,
}

/// Annotations as OTLP log records (body and `message` attribute: the message; `app`
/// attribute: the app; time: the annotation's).
pub fn annotation_logs(notes: &[Note]) -> ExportLogsServiceRequest {
    let records = notes
        .iter()
        .map(|note| LogRecord {
            time_unix_nano: nanos(note.time),
            observed_time_unix_nano: nanos(note.time),
            severity_number: 9, // INFO
            severity_text: "INFO".to_owned(),
            body: Some(AnyValue {
                value: Some(any_value::Value::StringValue(printable(&note.message))),
            }),
            attributes: vec![text("app", &note.app), text("message", &note.message)],
            event_name: "traceview.annotation".to_owned(),
            ..LogRecord::default()
        })
        .collect();
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: resource(),
            scope_logs: vec![ScopeLogs {
                scope: scope(),
                log_records: records,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

/// Why a request did not reach the receiver.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The endpoint is not an http(s) URL.
    #[error("not an OTLP/HTTP endpoint: {0} (e.g. http://collector:4318)")]
    Endpoint(String),
    /// No answer.
    #[error("cannot reach the OTLP receiver at {url}: {detail}")]
    Unreachable {
        /// Where.
        url: String,
        /// Why.
        detail: String,
    },
    /// An answer other than 2xx.
    #[error("the OTLP receiver at {url} answered HTTP {status}: {excerpt}")]
    Refused {
        /// Where.
        url: String,
        /// The status.
        status: u16,
        /// The start of its answer, cleaned.
        excerpt: String,
    },
}

/// The signal a request carries, and so its path under the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// `/v1/metrics`.
    Metrics,
    /// `/v1/logs`.
    Logs,
}

/// The URL of `signal` under an OTLP/HTTP base `endpoint` (`http://host:4318` gives
/// `http://host:4318/v1/metrics`, as `OTEL_EXPORTER_OTLP_ENDPOINT` does).
pub fn signal_url(endpoint: &str, signal: Signal) -> Result<url::Url, SendError> {
    let base = url::Url::parse(endpoint.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| SendError::Endpoint(printable(endpoint)))?;
    let path = match signal {
        Signal::Metrics => "v1/metrics",
        Signal::Logs => "v1/logs",
    };
    let mut base = base;
    if !base.path().ends_with('/') {
        let with_slash = format!("{}/", base.path());
        base.set_path(&with_slash);
    }
    base.join(path)
        .map_err(|_| SendError::Endpoint(printable(endpoint)))
}

/// A client for one OTLP/HTTP receiver.
#[derive(Debug, Clone)]
pub struct Sender {
    http: reqwest::Client,
    endpoint: String,
}

impl Sender {
    /// A sender to the base `endpoint` (`http://collector:4318`), checked.
    pub fn new(endpoint: &str) -> Result<Sender, SendError> {
        signal_url(endpoint, Signal::Metrics)?;
        tv_api::install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(crate::client::USER_AGENT)
            .timeout(SEND_TIMEOUT)
            .build()
            .map_err(|e| SendError::Unreachable {
                url: crate::redact::redact(endpoint).into_owned(),
                detail: printable(&e.to_string()),
            })?;
        Ok(Sender {
            http,
            endpoint: endpoint.to_owned(),
        })
    }

    /// POSTs one request (protobuf) for `signal`.
    pub async fn send(&self, signal: Signal, message: &impl Message) -> Result<(), SendError> {
        let url = signal_url(&self.endpoint, signal)?;
        let shown = crate::redact::redact(url.as_str()).into_owned();
        let mut answer = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-protobuf")
            .body(message.encode_to_vec())
            .send()
            .await
            .map_err(|e| SendError::Unreachable {
                url: shown.clone(),
                detail: printable(&e.without_url().to_string()),
            })?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        let mut excerpt = Vec::new();
        while excerpt.len() < MAX_QUOTED_CHARS * 4 {
            match answer.chunk().await {
                Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                _ => break,
            }
        }
        let excerpt: String = String::from_utf8_lossy(&excerpt)
            .chars()
            .take(MAX_QUOTED_CHARS)
            .collect();
        Err(SendError::Refused {
            url: shown,
            status: status.as_u16(),
            excerpt: printable(&excerpt),
        })
    }
}

#[cfg(test)]
mod tests;
