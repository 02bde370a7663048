//! Which answer each series comes in: the generated envelope of its operation, and its
//! conversion into typed points.

use serde::de::DeserializeOwned;
use tv_api::types;

use super::{Decode, Sorted, decode_points};
use crate::error::Error;
use crate::points::{ErrorRatePoint, LatencyPoint, RequestsPoint};

/// A point type whose series is the whole `data` of an answer. Sealed: implemented in
/// this crate only.
pub trait SeriesAnswer: Decode {
    /// The generated envelope of the answer.
    #[doc(hidden)]
    type Envelope: DeserializeOwned;

    /// Converts the generated envelope (the usual path, with its error messages).
    #[doc(hidden)]
    fn convert(envelope: &Self::Envelope) -> Result<Sorted<Self>, Error>;
}

macro_rules! series_answer {
    ($point:ty, $envelope:ty) => {
        impl SeriesAnswer for $point {
            type Envelope = $envelope;

            fn convert(envelope: &$envelope) -> Result<Sorted<Self>, Error> {
                let data = &envelope.data;
                decode_points("data", &data.fields.to_string(), &data.items)
            }
        }
    };
}

series_answer!(LatencyPoint, types::LatencySeriesEnvelope);
series_answer!(ErrorRatePoint, types::ErrorRateSeriesEnvelope);
series_answer!(RequestsPoint, types::TotalRequestsSeriesEnvelope);
