//! Which answer each series comes in, and reading it from the bytes of the body: the
//! direct path ([`super::body`]) first, the generated wire types when it says no.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use tv_api::types;

use super::body::Fields;
use super::{Decode, Sorted, decode_points};
use crate::error::Error;
use crate::points::{ErrorRatePoint, LatencyPoint, RequestsPoint};

/// Points expected in an answer when the window is not known (the longest window's).
pub(crate) const EXPECTED_POINTS: usize = 120;

/// A point type whose series is the whole `data` of an answer. Sealed: implemented in
/// this crate only.
pub trait SeriesAnswer: Decode {
    /// The generated envelope of the answer.
    #[doc(hidden)]
    type Envelope: DeserializeOwned;
    /// The generated type of its `fields` header.
    #[doc(hidden)]
    type Fields: Fields;

    /// The one header the operation sends.
    #[doc(hidden)]
    fn fields() -> Self::Fields;

    /// Converts the generated envelope (the usual path, with its error messages).
    #[doc(hidden)]
    fn convert(envelope: &Self::Envelope) -> Result<Sorted<Self>, Error>;
}

macro_rules! series_answer {
    ($point:ty, $envelope:ty, $fields:ty, $header:expr) => {
        impl SeriesAnswer for $point {
            type Envelope = $envelope;
            type Fields = $fields;

            fn fields() -> $fields {
                $header
            }

            fn convert(envelope: &$envelope) -> Result<Sorted<Self>, Error> {
                let data = &envelope.data;
                decode_points("data", &data.fields.to_string(), &data.items)
            }
        }
    };
}

series_answer!(
    LatencyPoint,
    types::LatencySeriesEnvelope,
    types::LatencySeriesFields,
    types::LatencySeriesFields::TimestampVolumeAvgLatency
);
series_answer!(
    ErrorRatePoint,
    types::ErrorRateSeriesEnvelope,
    types::ErrorRateSeriesFields,
    types::ErrorRateSeriesFields::TimestampErrorRate
);
series_answer!(
    RequestsPoint,
    types::TotalRequestsSeriesEnvelope,
    types::TotalRequestsSeriesFields,
    types::TotalRequestsSeriesFields::TimestampTotalRequests
);

/// An answer read from its bytes: typed by the direct path, or the generated wire type
/// `W` when that path said no (to be converted the usual way).
///
/// Deserializing one deserializes `W` (so a body that fails, fails with the generated
/// type's error and path, exactly as the generated client reports it).
pub(crate) enum Decoded<T, W> {
    Typed(T),
    Wire(W),
}

impl<'de, T, W: Deserialize<'de>> Deserialize<'de> for Decoded<T, W> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        W::deserialize(d).map(Decoded::Wire)
    }
}

/// Reads `body` with `direct`, or else as the generated `W` (whose parse error is what
/// the generated client would have returned for this body).
pub(crate) fn read_answer<T, W: DeserializeOwned>(
    body: &[u8],
    direct: impl FnOnce(&[u8]) -> Option<T>,
) -> Result<Decoded<T, W>, serde_json::Error> {
    match direct(body) {
        Some(typed) => Ok(Decoded::Typed(typed)),
        None => serde_json::from_slice(body).map(Decoded::Wire),
    }
}
