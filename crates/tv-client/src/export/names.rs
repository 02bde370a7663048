//! The metric names, help texts and units shared by the exporter and the history
//! writer: one home per name. Prometheus conventions: a `traceview_` prefix, base units
//! (seconds, ratios 0..1), `_total` only on counters, `app` and `layer` labels.

/// A metric family: name (without `_total`), help text, OpenMetrics unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Family {
    /// The name; counters get `_total` on their samples.
    pub name: &'static str,
    /// The `# HELP` text.
    pub help: &'static str,
    /// The `# UNIT` (the name ends in `_<unit>`), if any.
    pub unit: Option<&'static str>,
}

/// Average request latency (window in the exporter, slice in the history).
pub const LATENCY_AVERAGE: Family = Family {
    name: "traceview_request_latency_average_seconds",
    help: "Average latency of traced requests (volume-weighted)",
    unit: Some("seconds"),
};
/// Latency of the most recent slice.
pub const LATENCY_LATEST: Family = Family {
    name: "traceview_request_latency_latest_seconds",
    help: "Average latency of traced requests in the most recent minute of the hour (absent without traces then; the server may still be filling that minute)",
    unit: Some("seconds"),
};
/// Traced requests per second.
pub const TRACED_RATE: Family = Family {
    name: "traceview_traced_requests_per_second",
    help: "Traced requests per second",
    unit: None,
};
/// All requests per second (traced or not).
pub const REQUEST_RATE: Family = Family {
    name: "traceview_requests_per_second",
    help: "Requests per second, traced or not",
    unit: None,
};
/// Age of the app's last trace.
pub const LAST_TRACE_AGE: Family = Family {
    name: "traceview_last_trace_age_seconds",
    help: "Time from the end of the app's last slice with traces to the server's clock (looking back up to a week; 604800 means at least a week)",
    unit: Some("seconds"),
};
/// Share of traces with an error.
pub const ERROR_RATIO: Family = Family {
    name: "traceview_error_ratio",
    help: "Share of traced requests with an error (0..1)",
    unit: Some("ratio"),
};
/// A layer's share of the time of all layers.
pub const LAYER_SHARE: Family = Family {
    name: "traceview_layer_time_share_ratio",
    help: "A layer's share of the time spent in all layers (0..1)",
    unit: Some("ratio"),
};
/// A layer's time per call.
pub const LAYER_CALL_LATENCY: Family = Family {
    name: "traceview_layer_call_latency_seconds",
    help: "Average self time per call into a layer",
    unit: Some("seconds"),
};
/// Whether the last collection reached TraceView.
pub const UP: Family = Family {
    name: "traceview_up",
    help: "1 if the last collection reached TraceView (apps listed, not every app failed), else 0",
    unit: None,
};
/// Whether the last collection got every number of one app.
pub const APP_UP: Family = Family {
    name: "traceview_app_up",
    help: "1 if the last collection got every number of the app, else 0",
    unit: None,
};
/// How long the last collection took.
pub const COLLECT_DURATION: Family = Family {
    name: "traceview_collect_duration_seconds",
    help: "Time the last collection from TraceView took",
    unit: Some("seconds"),
};
/// Age of the data served.
pub const CACHE_AGE: Family = Family {
    name: "traceview_cache_age_seconds",
    help: "Age of the cached TraceView data this scrape serves",
    unit: Some("seconds"),
};
/// Collections from TraceView (counter).
pub const COLLECTIONS: Family = Family {
    name: "traceview_collections",
    help: "Collections from TraceView (scrapes within the cache interval reuse one)",
    unit: None,
};
/// Failed calls to TraceView (counter).
pub const COLLECT_ERRORS: Family = Family {
    name: "traceview_collect_errors",
    help: "Apps or listings whose collection from TraceView failed",
    unit: None,
};
/// Scrapes answered before a running collection finished (counter).
pub const LATE_SCRAPES: Family = Family {
    name: "traceview_late_scrapes",
    help: "Scrapes whose collection did not finish within the scrape's deadline: they got the last collection (see traceview_cache_age_seconds) and traceview_up 0",
    unit: None,
};
/// The exporter's version (an info gauge, always 1).
pub const BUILD_INFO: Family = Family {
    name: "traceview_build_info",
    help: "The version of tv serving these metrics (always 1)",
    unit: None,
};
/// HTTP requests to TraceView by operation and outcome (counter).
pub const API_REQUESTS: Family = Family {
    name: "traceview_api_requests",
    help: "HTTP requests to the TraceView API (attempts, retries included) by operation and outcome",
    unit: None,
};
/// Time spent in HTTP requests to TraceView by operation and outcome (counter).
pub const API_REQUEST_TIME: Family = Family {
    name: "traceview_api_request_seconds",
    help: "Time spent in HTTP requests to the TraceView API by operation and outcome",
    unit: Some("seconds"),
};
