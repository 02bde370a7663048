//! The typed points of the four kinds of series.
//!
//! A point's timestamp `at` labels the slice `[at, at + step)`.
//!
//! JSON output shape (see also `json_shape`): every point has `at` (RFC 3339, UTC) and
//! `epoch` (seconds since the epoch, a number); durations are microseconds in `_us`
//! fields with nanosecond resolution:
//!
//! | type | JSON |
//! |---|---|
//! | [`LatencyPoint`] | `{"at", "epoch", "volume": 11, "average_us": 1180500 \| null}` |
//! | [`LayerPoint`] | `{"at", "epoch", "calls": 7, "total_us": 811684}` |
//! | [`ErrorRatePoint`] | `{"at", "epoch", "rate": 0.01 \| null}` |
//! | [`RequestsPoint`] | `{"at", "epoch", "requests": 262}` |

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::decode::{self, CellError, Decode, Header, Row, ValueLayout, VolumeLatencyLayout};
use crate::json_shape::{Num, epoch, json_via, opt_us, us};

/// A point of a [`Series`](crate::Series): something that happened in one time slice.
///
/// Implemented by the four point types of this crate (sealed).
pub trait Point: Decode + Clone + fmt::Debug + PartialEq {
    /// The start of the slice this point describes.
    fn at(&self) -> DateTime<Utc>;
}

/// One slice of a latency series (`latency/{app}/server|client/series`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencyPoint {
    /// Start of the slice.
    pub at: DateTime<Utc>,
    /// Traces recorded in the slice.
    pub volume: u64,
    /// Average latency of those traces; `None` when the slice holds no traces (the
    /// wire sends `null` or `0` then) or the server sent `null`.
    pub average: Option<Duration>,
}

/// One slice of a layer's series (`latency/{app}/server/by-layer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerPoint {
    /// Start of the slice.
    pub at: DateTime<Utc>,
    /// Calls into the layer in the slice (the wire's `volume`).
    pub calls: u64,
    /// Total time spent in the layer in the slice (the wire's `avg_latency`, which
    /// despite its name is a total; `null` is zero).
    pub total: Duration,
}

/// One slice of an error-rate series (`errors/{app}/rate`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorRatePoint {
    /// Start of the slice.
    pub at: DateTime<Utc>,
    /// Share of traces with at least one error, 0..=1; `None` when the server sent `null`
    /// (a slice without traces).
    pub rate: Option<f64>,
}

/// One slice of a total-requests series (`total_requests/{app}/series`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestsPoint {
    /// Start of the slice.
    pub at: DateTime<Utc>,
    /// Requests to the app in the slice (all requests, not only traced ones).
    pub requests: u64,
}

impl LatencyPoint {
    /// Whether the slice carries a usable average (traces and a latency).
    pub fn has_data(&self) -> bool {
        self.volume > 0 && self.average.is_some()
    }
}

impl LayerPoint {
    /// Time per call in this slice (`total ÷ calls`, to the nearest nanosecond);
    /// `None` without calls.
    pub fn per_call(&self) -> Option<Duration> {
        crate::math::divide_duration(self.total, self.calls)
    }
}

impl RequestsPoint {
    /// Requests per second in this slice, given the series' step; `None` for a zero step.
    pub fn per_second(&self, step: Duration) -> Option<f64> {
        let secs = step.as_secs_f64();
        (secs > 0.0).then(|| self.requests as f64 / secs)
    }
}

// ---- decoding -------------------------------------------------------------------------

fn volume_latency_layout(header: &Header<'_>) -> Result<VolumeLatencyLayout, String> {
    Ok(VolumeLatencyLayout {
        volume: header.find(decode::VOLUME)?,
        latency: header.find(decode::LATENCY)?,
    })
}

impl Decode for LatencyPoint {
    type Layout = VolumeLatencyLayout;

    fn layout(header: &Header<'_>) -> Result<Self::Layout, String> {
        volume_latency_layout(header)
    }

    #[inline]
    fn decode(l: &Self::Layout, row: Row<'_>, at: DateTime<Utc>) -> Result<Self, CellError> {
        let volume = row.count(l.volume, "volume")?;
        let average = row.micros(l.latency, "latency")?;
        Ok(LatencyPoint {
            at,
            volume,
            // A slice without traces has no average, whatever the wire put there.
            average: if volume == 0 { None } else { average },
        })
    }

    fn instant(&self) -> DateTime<Utc> {
        self.at
    }
}

impl Decode for LayerPoint {
    type Layout = VolumeLatencyLayout;

    fn layout(header: &Header<'_>) -> Result<Self::Layout, String> {
        volume_latency_layout(header)
    }

    #[inline]
    fn decode(l: &Self::Layout, row: Row<'_>, at: DateTime<Utc>) -> Result<Self, CellError> {
        Ok(LayerPoint {
            at,
            calls: row.count(l.volume, "volume")?,
            total: row.micros(l.latency, "latency")?.unwrap_or_default(),
        })
    }

    fn instant(&self) -> DateTime<Utc> {
        self.at
    }
}

impl Decode for ErrorRatePoint {
    type Layout = ValueLayout;

    fn layout(header: &Header<'_>) -> Result<Self::Layout, String> {
        Ok(ValueLayout {
            value: header.find(decode::ERROR_RATE)?,
        })
    }

    #[inline]
    fn decode(l: &Self::Layout, row: Row<'_>, at: DateTime<Utc>) -> Result<Self, CellError> {
        Ok(ErrorRatePoint {
            at,
            rate: row.fraction(l.value, "error rate")?,
        })
    }

    fn instant(&self) -> DateTime<Utc> {
        self.at
    }
}

impl Decode for RequestsPoint {
    type Layout = ValueLayout;

    fn layout(header: &Header<'_>) -> Result<Self::Layout, String> {
        Ok(ValueLayout {
            value: header.find(decode::TOTAL_REQUESTS)?,
        })
    }

    #[inline]
    fn decode(l: &Self::Layout, row: Row<'_>, at: DateTime<Utc>) -> Result<Self, CellError> {
        Ok(RequestsPoint {
            at,
            requests: row.count(l.value, "total requests")?,
        })
    }

    fn instant(&self) -> DateTime<Utc> {
        self.at
    }
}

macro_rules! impl_point {
    ($($ty:ty),*) => {$(
        impl Point for $ty {
            fn at(&self) -> DateTime<Utc> {
                self.at
            }
        }
    )*};
}
impl_point!(LatencyPoint, LayerPoint, ErrorRatePoint, RequestsPoint);

// ---- JSON output ----------------------------------------------------------------------

/// One slice of a latency series.
#[derive(Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct LatencyPointJson {
    /// Start of the slice (RFC 3339, UTC).
    at: DateTime<Utc>,
    /// Start of the slice in seconds since the epoch.
    epoch: Num,
    /// Traces recorded in the slice.
    volume: u64,
    /// Average latency in microseconds; null for a slice without traces.
    average_us: Option<Num>,
}

impl From<&LatencyPoint> for LatencyPointJson {
    fn from(p: &LatencyPoint) -> Self {
        LatencyPointJson {
            at: p.at,
            epoch: epoch(p.at),
            volume: p.volume,
            average_us: opt_us(p.average),
        }
    }
}

/// One slice of a layer's series.
#[derive(Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct LayerPointJson {
    /// Start of the slice (RFC 3339, UTC).
    at: DateTime<Utc>,
    /// Start of the slice in seconds since the epoch.
    epoch: Num,
    /// Calls into the layer in the slice.
    calls: u64,
    /// Total time spent in the layer in the slice, in microseconds.
    total_us: Num,
}

impl From<&LayerPoint> for LayerPointJson {
    fn from(p: &LayerPoint) -> Self {
        LayerPointJson {
            at: p.at,
            epoch: epoch(p.at),
            calls: p.calls,
            total_us: us(p.total),
        }
    }
}

/// One slice of an error-rate series.
#[derive(Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct ErrorRatePointJson {
    /// Start of the slice (RFC 3339, UTC).
    at: DateTime<Utc>,
    /// Start of the slice in seconds since the epoch.
    epoch: Num,
    /// Share of traces with an error, 0..1; null for a slice without traces.
    rate: Option<f64>,
}

impl From<&ErrorRatePoint> for ErrorRatePointJson {
    fn from(p: &ErrorRatePoint) -> Self {
        ErrorRatePointJson {
            at: p.at,
            epoch: epoch(p.at),
            rate: p.rate,
        }
    }
}

/// One slice of a total-requests series.
#[derive(Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct RequestsPointJson {
    /// Start of the slice (RFC 3339, UTC).
    at: DateTime<Utc>,
    /// Start of the slice in seconds since the epoch.
    epoch: Num,
    /// Requests to the app in the slice.
    requests: u64,
}

impl From<&RequestsPoint> for RequestsPointJson {
    fn from(p: &RequestsPoint) -> Self {
        RequestsPointJson {
            at: p.at,
            epoch: epoch(p.at),
            requests: p.requests,
        }
    }
}

json_via!(LatencyPoint => LatencyPointJson, "LatencyPoint");
json_via!(LayerPoint => LayerPointJson, "LayerPoint");
json_via!(ErrorRatePoint => ErrorRatePointJson, "ErrorRatePoint");
json_via!(RequestsPoint => RequestsPointJson, "RequestsPoint");
