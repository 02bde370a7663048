//! Per-layer math for the by-layer endpoint.
//!
//! On the wire a layer slice holds the calls into the layer and the **total** time spent
//! in it. Time per call is `Σ total ÷ Σ calls`; time per request divides the layer's
//! total by the requests of the server latency series in the same slices.

use std::time::Duration;

use serde::Serialize;

use super::align::{Alignment, join};
use super::{divide_duration, duration_from_nanos};
use crate::json_shape::{ser_opt_us, ser_us};
use crate::points::{LatencyPoint, LayerPoint};
use crate::series::{LayerSeries, Series};

/// A layer's calls and time summed over slices.
///
/// JSON: `{"calls": 42, "total_us": 1234567}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LayerTotals {
    /// Calls into the layer (saturating sum).
    pub calls: u64,
    /// Time spent in the layer (saturating sum).
    #[serde(rename = "total_us", serialize_with = "ser_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "f64"))]
    pub total: Duration,
}

impl LayerTotals {
    /// Time per call (`total ÷ calls`, nearest nanosecond); `None` without calls.
    pub fn per_call(&self) -> Option<Duration> {
        divide_duration(self.total, self.calls)
    }
}

/// Sums the calls and time of `points`.
pub fn layer_totals(points: &[LayerPoint]) -> LayerTotals {
    let mut calls = 0u64;
    let mut nanos = 0u128;
    for p in points {
        calls = calls.saturating_add(p.calls);
        nanos = nanos.saturating_add(p.total.as_nanos());
    }
    LayerTotals {
        calls,
        total: duration_from_nanos(nanos),
    }
}

/// A layer's time per call over all slices: `Σ total ÷ Σ calls` (never the mean of the
/// per-slice averages); `None` without calls.
///
/// `per_call × calls` equals the total to within `calls ÷ 2` nanoseconds (rounding).
pub fn per_call_average(points: &[LayerPoint]) -> Option<Duration> {
    layer_totals(points).per_call()
}

/// A layer's time per request, from [`per_request_average`].
///
/// JSON: `{"average_us": … | null, "requests": 35, "layer_total_us": …, "alignment": <Alignment>}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PerRequest {
    /// Layer time per request; `None` when the matched slices hold no request.
    #[serde(rename = "average_us", serialize_with = "ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub average: Option<Duration>,
    /// Requests (server trace volume) in the matched slices.
    pub requests: u64,
    /// Time spent in the layer in the matched slices.
    #[serde(rename = "layer_total_us", serialize_with = "ser_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "f64"))]
    pub layer_total: Duration,
    /// How the slices matched: first = the layer series, second = the server series.
    pub alignment: Alignment,
}

/// A layer's time per request: the layer's total time divided by the requests (the
/// volume of the app's server latency series) **in the same slices**, joined by
/// timestamp. Slices present in only one series are left out of both sums and listed
/// in [`PerRequest::alignment`] (first = layer, second = server).
pub fn per_request_average(
    layer: &Series<LayerPoint>,
    server: &Series<LatencyPoint>,
) -> PerRequest {
    let (pairs, alignment) = join(layer, server);
    let mut requests = 0u64;
    let mut nanos = 0u128;
    for (l, s) in pairs {
        requests = requests.saturating_add(s.volume);
        nanos = nanos.saturating_add(l.total.as_nanos());
    }
    let layer_total = duration_from_nanos(nanos);
    PerRequest {
        average: divide_duration(layer_total, requests),
        requests,
        layer_total,
        alignment,
    }
}

/// One layer's share of the time spent in all layers.
///
/// JSON: `{"layer": "nginx", "total_us": …, "share": 0.25 | null}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LayerShare {
    /// The layer's name.
    pub layer: String,
    /// Time spent in the layer over the whole series.
    #[serde(rename = "total_us", serialize_with = "ser_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "f64"))]
    pub total: Duration,
    /// `total ÷` the time of all layers, 0..=1; `None` when no layer spent any time.
    pub share: Option<f64>,
}

/// Each layer's share of the summed time of all layers, in the input order. The shares
/// sum to 1 (up to floating-point rounding) whenever any layer spent time.
pub fn time_shares(layers: &[LayerSeries]) -> Vec<LayerShare> {
    let totals: Vec<Duration> = layers
        .iter()
        .map(|l| layer_totals(&l.series).total)
        .collect();
    let all: u128 = totals
        .iter()
        .map(Duration::as_nanos)
        .fold(0, u128::saturating_add);
    layers
        .iter()
        .zip(totals)
        .map(|(l, total)| LayerShare {
            layer: l.layer.clone(),
            total,
            share: (all > 0).then(|| total.as_nanos() as f64 / all as f64),
        })
        .collect()
}

/// Everything the by-layer view shows for one layer.
///
/// JSON: `{"layer", "calls", "total_us", "per_call_us", "per_request_us", "share"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LayerBreakdown {
    /// The layer's name.
    pub layer: String,
    /// Calls into the layer.
    pub calls: u64,
    /// Time spent in the layer.
    #[serde(rename = "total_us", serialize_with = "ser_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "f64"))]
    pub total: Duration,
    /// Time per call ([`per_call_average`]).
    #[serde(rename = "per_call_us", serialize_with = "ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub per_call: Option<Duration>,
    /// Time per request ([`per_request_average`]); `None` without a server series or
    /// without requests in the matched slices.
    #[serde(rename = "per_request_us", serialize_with = "ser_opt_us")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<f64>"))]
    pub per_request: Option<Duration>,
    /// Share of the time of all layers ([`time_shares`]).
    pub share: Option<f64>,
}

/// Computes a [`LayerBreakdown`] per layer (input order). `server` is the app's server
/// latency series over the same window, for time per request.
pub fn layer_breakdown(
    layers: &[LayerSeries],
    server: Option<&Series<LatencyPoint>>,
) -> Vec<LayerBreakdown> {
    layers
        .iter()
        .zip(time_shares(layers))
        .map(|(l, share)| {
            let totals = layer_totals(&l.series);
            LayerBreakdown {
                layer: l.layer.clone(),
                calls: totals.calls,
                total: totals.total,
                per_call: totals.per_call(),
                per_request: server.and_then(|s| per_request_average(&l.series, s).average),
                share: share.share,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
