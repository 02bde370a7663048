//! The exporter's numbers in the statsd line protocol, the way tomograph fed statsd:
//! after each collection, the current values as gauges (`NAME:VALUE|g`) and the
//! collection's own duration as a timer (`NAME:MS|ms`), packed into datagrams.
//!
//! Names follow the Graphite rule ([`super::graphite`]): `PREFIX.APP.LEAF`,
//! `PREFIX.APP.layer.LAYER.LEAF`, plus `PREFIX.up` and the timer `PREFIX.collect_duration`.
//! Apps (or an app's layers) whose names become one component are left out of the push.

use super::collect::Collection;
use super::graphite::{Collision, Prefix, components, leaf};
use super::names::{self, Family};

/// The largest datagram: fits an Ethernet MTU with IP and UDP headers (statsd's advice).
pub const MAX_DATAGRAM_BYTES: usize = 1432;

/// The leaf of the collection timer (milliseconds, as statsd timers are).
pub const COLLECT_DURATION_TIMER: &str = "collect_duration";

/// One collection as statsd lines.
#[derive(Debug, Default)]
pub struct Push {
    /// The lines, without newlines.
    pub lines: Vec<String>,
    /// Names left out because they became one component.
    pub collisions: Vec<Collision>,
}

impl Push {
    /// The lines packed into datagrams of at most [`MAX_DATAGRAM_BYTES`] (newline
    /// separated; a line never straddles two datagrams).
    pub fn datagrams(&self) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        for line in &self.lines {
            match out.last_mut() {
                Some(last) if last.len() + 1 + line.len() <= MAX_DATAGRAM_BYTES => {
                    last.push(b'\n');
                    last.extend_from_slice(line.as_bytes());
                }
                _ => out.push(line.as_bytes().to_vec()),
            }
        }
        out
    }
}

/// A gauge line (two lines for a negative value: statsd reads a leading sign as a change,
/// so the gauge is set to 0 first).
fn gauge(lines: &mut Vec<String>, name: &str, value: Option<f64>) {
    let Some(value) = value.filter(|v| v.is_finite()) else {
        return;
    };
    if value < 0.0 {
        lines.push(format!("{name}:0|g"));
    }
    lines.push(format!("{name}:{value}|g"));
}

/// `collection` as statsd lines under `prefix`.
pub fn push(collection: &Collection, prefix: &Prefix) -> Push {
    let mut out = Push::default();
    let lines = &mut out.lines;
    let up = if collection.is_up() { 1.0 } else { 0.0 };
    gauge(lines, &format!("{prefix}.{}", leaf(names::UP)), Some(up));
    lines.push(format!(
        "{prefix}.{COLLECT_DURATION_TIMER}:{}|ms",
        collection.duration.as_secs_f64() * 1000.0
    ));
    let failed = collection
        .failures
        .iter()
        .filter_map(|(app, _)| app.as_deref());
    let names = collection.apps.iter().map(|a| a.app.as_str()).chain(failed);
    let (safe, collisions) = components(names);
    out.collisions = collisions;
    let mut safe = safe.into_iter();
    for app in &collection.apps {
        let Some(Some(path)) = safe.next() else {
            continue;
        };
        let path = format!("{prefix}.{path}");
        let name = |family: Family| format!("{path}.{}", leaf(family));
        gauge(lines, &name(names::LATENCY_AVERAGE), app.average_seconds);
        gauge(lines, &name(names::LATENCY_LATEST), app.latest_seconds);
        gauge(lines, &name(names::TRACED_RATE), app.traced_per_second);
        gauge(lines, &name(names::REQUEST_RATE), app.requests_per_second);
        gauge(lines, &name(names::ERROR_RATIO), app.error_ratio);
        gauge(
            lines,
            &name(names::LAST_TRACE_AGE),
            app.last_trace_age_seconds,
        );
        gauge(lines, &name(names::APP_UP), Some(1.0));
        let (layers, collisions) = components(app.layers.iter().map(|l| l.layer.as_str()));
        out.collisions.extend(collisions);
        for (layer, safe) in app.layers.iter().zip(layers) {
            let Some(safe) = safe else { continue };
            let name = |family: Family| format!("{path}.layer.{safe}.{}", leaf(family));
            gauge(lines, &name(names::LAYER_SHARE), layer.share);
            gauge(
                lines,
                &name(names::LAYER_CALL_LATENCY),
                layer.per_call_seconds,
            );
        }
    }
    for failed in safe.flatten() {
        gauge(
            lines,
            &format!("{prefix}.{failed}.{}", leaf(names::APP_UP)),
            Some(0.0),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::Error;
    use crate::export::collect::{AppSnapshot, LayerSnapshot};

    fn app(name: &str) -> AppSnapshot {
        AppSnapshot {
            app: name.into(),
            average_seconds: Some(0.25),
            latest_seconds: None,
            traced_per_second: Some(2.0),
            requests_per_second: Some(-1.5),
            error_ratio: Some(f64::NAN),
            last_trace_age_seconds: Some(30.0),
            layers: vec![
                LayerSnapshot {
                    layer: "mysql".into(),
                    share: Some(0.5),
                    per_call_seconds: Some(0.01),
                },
                LayerSnapshot {
                    layer: "my.sql".into(),
                    share: Some(0.1),
                    per_call_seconds: None,
                },
                LayerSnapshot {
                    layer: "my sql".into(),
                    share: Some(0.2),
                    per_call_seconds: None,
                },
            ],
        }
    }

    #[test]
    fn a_collection_becomes_gauges_and_one_timer() {
        let collection = Collection {
            listed: true,
            apps: vec![app("web.shop")],
            failures: vec![(Some("billing".into()), Error::Timeout)],
            duration: Duration::from_millis(1500),
        };
        let push = push(&collection, &"tv".parse().unwrap_or_default());
        assert_eq!(
            push.lines,
            [
                "tv.up:1|g",
                "tv.collect_duration:1500|ms",
                "tv.web_shop.request_latency_average_seconds:0.25|g",
                "tv.web_shop.traced_requests_per_second:2|g",
                "tv.web_shop.requests_per_second:0|g",
                "tv.web_shop.requests_per_second:-1.5|g",
                "tv.web_shop.last_trace_age_seconds:30|g",
                "tv.web_shop.app_up:1|g",
                "tv.web_shop.layer.mysql.layer_time_share_ratio:0.5|g",
                "tv.web_shop.layer.mysql.layer_call_latency_seconds:0.01|g",
                "tv.billing.app_up:0|g",
            ]
        );
        assert_eq!(push.collisions.len(), 1, "{:?}", push.collisions);
    }

    #[test]
    fn datagrams_stay_under_the_mtu_and_never_split_a_line() {
        let collection = Collection {
            listed: true,
            apps: (0..40).map(|i| app(&format!("app-{i:02}"))).collect(),
            ..Collection::default()
        };
        let push = push(&collection, &Prefix::default());
        let datagrams = push.datagrams();
        assert!(datagrams.len() > 1);
        assert!(datagrams.iter().all(|d| d.len() <= MAX_DATAGRAM_BYTES));
        let joined: Vec<String> = datagrams
            .iter()
            .flat_map(|d| {
                String::from_utf8_lossy(d)
                    .split('\n')
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(joined, push.lines);
    }
}
