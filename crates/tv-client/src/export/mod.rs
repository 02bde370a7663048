//! TraceView's numbers for other tools: the Prometheus exporter's collection and
//! registry, and the OpenMetrics history writer for `promtool tsdb
//! create-blocks-from openmetrics`.
//!
//! Metric names live in [`names`], shared by both.

pub mod collect;
pub mod history;
pub mod names;
#[cfg(feature = "otlp")]
pub mod otlp;
#[cfg(feature = "prometheus")]
pub mod prometheus;

/// A server string made safe for a label value: control characters become `U+FFFD`
/// and the length is bounded (the encoders escape quotes and backslashes).
pub fn printable(text: &str) -> String {
    const MAX_CHARS: usize = 200;
    text.chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}
