//! TraceView's numbers for other tools: the Prometheus exporter's collection and
//! registry, the OpenMetrics history writer for `promtool tsdb create-blocks-from
//! openmetrics`, the carbon plaintext writer for Graphite, and the statsd push.
//!
//! Metric names live in [`names`], shared by all; Graphite and statsd paths derive from
//! them by one rule ([`graphite`]).

pub mod collect;
pub mod graphite;
pub mod history;
pub mod names;
#[cfg(feature = "otlp")]
pub mod otlp;
#[cfg(feature = "prometheus")]
pub mod prometheus;
pub mod statsd;

/// A server string made safe for a label value: control characters become `U+FFFD`
/// and the length is bounded (the encoders escape quotes and backslashes). It is not
/// [`crate::redact::printable`], which cleans text for a terminal by dropping whole
/// escape sequences and turning controls into spaces: a label value is data that
/// dashboards group by, so every character other than a control is kept as sent and
/// each control is marked in place rather than hidden.
pub fn printable(text: &str) -> String {
    const MAX_CHARS: usize = 200;
    text.chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}
