//! Handlers of the computed reads: latency, error-rate and total-request series and
//! summaries, and the by-layer series. Answers are memoized per
//! `(endpoint, app, window, filters)` until the next write (see [`super::cache`]).

use axum::body::Bytes;
use axum::extract::State;
use tv_api::types::{
    ErrorRateSeries, ErrorRateSeriesEnvelope, ErrorRateSeriesFields, LatencySeries,
    LatencySeriesEnvelope, LatencySeriesFields, LatencySummary, LatencySummaryEnvelope,
    LayerTimeseries, LayerTimeseriesListEnvelope, ResponseOk, TotalRequestsSeries,
    TotalRequestsSeriesEnvelope, TotalRequestsSeriesFields, TotalRequestsSummary,
    TotalRequestsSummaryEnvelope,
};

use crate::state::{SeriesQuery, View};
use crate::world::{LatencyPoint, Side};

use super::cache::{CacheKey, Computed};
use super::envelope::{self, add_nulls, to_json};
use super::error::{Answer, ApiError};
use super::params::{Authorized, Segment};
use super::sandbox::Sandbox;

type Built = Result<Bytes, ApiError>;

/// Answers from the memo or computes, memoizes and answers.
fn memo(
    sb: &Sandbox,
    endpoint: Computed,
    params: &super::params::Params,
    app: String,
    build: impl FnOnce(&View, &str, &SeriesQuery) -> Built,
) -> Answer {
    let query = params.series_query()?;
    let generation = sb.cache().generation();
    let view = sb.world().view().sharing(sb.slices());
    let window = view.window(&query)?;
    let key = CacheKey {
        endpoint,
        window,
        filter: query.filter.clone(),
        app,
    };
    if let Some(body) = sb.cache().get(&key, generation) {
        return Ok(envelope::ok_bytes(body));
    }
    let body = build(&view, &key.app, &query)?;
    sb.cache().put(key, generation, body.clone());
    Ok(envelope::ok_bytes(body))
}

fn serialized<T: serde::Serialize>(value: &T) -> Built {
    to_json(value).ok_or(ApiError::Internal("could not serialize the answer"))
}

fn latency_envelope(items: Vec<[Option<f64>; 3]>) -> Built {
    serialized(&LatencySeriesEnvelope {
        data: LatencySeries {
            fields: LatencySeriesFields::TimestampVolumeAvgLatency,
            items,
        },
        response: ResponseOk::Ok,
    })
}

fn latency_items(points: &[LatencyPoint]) -> Vec<[Option<f64>; 3]> {
    points
        .iter()
        .map(|p| {
            [
                Some(p.timestamp as f64),
                Some(p.volume as f64),
                p.avg_latency_us(),
            ]
        })
        .collect()
}

fn latency_series(
    sb: &Sandbox,
    endpoint: Computed,
    side: Side,
    p: &Authorized,
    app: String,
) -> Answer {
    memo(sb, endpoint, &p.0, app, |view, app, q| {
        let series = view.latency_series(app, side, q)?;
        latency_envelope(latency_items(&series.points))
    })
}

fn latency_summary(
    sb: &Sandbox,
    endpoint: Computed,
    side: Side,
    p: &Authorized,
    app: String,
) -> Answer {
    memo(sb, endpoint, &p.0, app, |view, app, q| {
        let s = view.latency_summary(app, side, q)?;
        let count = Some(s.count as f64);
        let envelope = LatencySummaryEnvelope {
            data: LatencySummary {
                average: s.average,
                count,
                latest: s.latest,
                volume: count,
            },
            response: ResponseOk::Ok,
        };
        let mut value = serde_json::to_value(&envelope)
            .map_err(|_| ApiError::Internal("could not serialize the answer"))?;
        if let Some(data) = value.get_mut("data") {
            add_nulls(data, &["average", "latest"]);
        }
        serialized(&value)
    })
}

/// `GET latency/{app}/server/series`.
pub(crate) async fn server_series(
    State(sb): State<Sandbox>,
    p: Authorized,
    Segment(app): Segment,
) -> Answer {
    latency_series(&sb, Computed::ServerSeries, Side::Server, &p, app)
}

/// `GET latency/{app}/client/series`.
pub(crate) async fn client_series(
    State(sb): State<Sandbox>,
    p: Authorized,
    Segment(app): Segment,
) -> Answer {
    latency_series(&sb, Computed::ClientSeries, Side::Client, &p, app)
}

/// `GET latency/{app}/server/summary`: `{count, volume, average, latest}`.
pub(crate) async fn server_summary(
    State(sb): State<Sandbox>,
    p: Authorized,
    Segment(app): Segment,
) -> Answer {
    latency_summary(&sb, Computed::ServerSummary, Side::Server, &p, app)
}

/// `GET latency/{app}/client/summary`.
pub(crate) async fn client_summary(
    State(sb): State<Sandbox>,
    p: Authorized,
    Segment(app): Segment,
) -> Answer {
    latency_summary(&sb, Computed::ClientSummary, Side::Client, &p, app)
}

/// `GET latency/{app}/server/by-layer`: per layer, `[timestamp, calls, total µs]`.
pub(crate) async fn by_layer(
    State(sb): State<Sandbox>,
    p: Authorized,
    Segment(app): Segment,
) -> Answer {
    memo(&sb, Computed::ByLayer, &p.0, app, |view, app, q| {
        let by_layer = view.by_layer(app, q)?;
        let data = by_layer
            .layers
            .iter()
            .map(|l| LayerTimeseries {
                layer: l.layer.to_owned(),
                timeseries: LatencySeries {
                    fields: LatencySeriesFields::TimestampVolumeAvgLatency,
                    items: l
                        .points
                        .iter()
                        .map(|pt| {
                            [
                                Some(pt.timestamp as f64),
                                Some(pt.calls as f64),
                                Some(pt.total_us as f64),
                            ]
                        })
                        .collect(),
                },
            })
            .collect();
        serialized(&LayerTimeseriesListEnvelope {
            data,
            response: ResponseOk::Ok,
        })
    })
}

/// `GET errors/{app}/rate`.
pub(crate) async fn error_rate(
    State(sb): State<Sandbox>,
    p: Authorized,
    Segment(app): Segment,
) -> Answer {
    memo(&sb, Computed::ErrorRate, &p.0, app, |view, app, q| {
        let series = view.error_rate_series(app, q)?;
        let items = series
            .points
            .iter()
            .map(|pt| [Some(pt.timestamp as f64), pt.error_rate()])
            .collect();
        serialized(&ErrorRateSeriesEnvelope {
            data: ErrorRateSeries {
                fields: ErrorRateSeriesFields::TimestampErrorRate,
                items,
            },
            response: ResponseOk::Ok,
        })
    })
}

/// `GET total_requests/{app}/series`.
pub(crate) async fn total_series(
    State(sb): State<Sandbox>,
    p: Authorized,
    Segment(app): Segment,
) -> Answer {
    memo(&sb, Computed::TotalSeries, &p.0, app, |view, app, q| {
        let series = view.total_requests_series(app, q)?;
        let items = series
            .points
            .iter()
            .map(|pt| [Some(pt.timestamp as f64), Some(pt.total_requests as f64)])
            .collect();
        serialized(&TotalRequestsSeriesEnvelope {
            data: TotalRequestsSeries {
                fields: TotalRequestsSeriesFields::TimestampTotalRequests,
                items,
            },
            response: ResponseOk::Ok,
        })
    })
}

/// `GET total_requests/{app}/summary`: `{total_requests, reqs_per_time_period}`.
pub(crate) async fn total_summary(
    State(sb): State<Sandbox>,
    p: Authorized,
    Segment(app): Segment,
) -> Answer {
    memo(&sb, Computed::TotalSummary, &p.0, app, |view, app, q| {
        let s = view.total_requests_summary(app, q)?;
        serialized(&TotalRequestsSummaryEnvelope {
            data: TotalRequestsSummary {
                total_requests: s.total_requests as f64,
                reqs_per_time_period: s.reqs_per_time_period(),
            },
            response: ResponseOk::Ok,
        })
    })
}
