//! Typed timeseries: [`Series<P>`] and [`LayerSeries`].
//!
//! JSON output shape: a series is `{"step_s": 30 | null, "points": [<point>, …]}`
//! (`step_s` is [`Series::step`] in seconds); a layer series is
//! `{"layer": "nginx", "series": <series>}`. Points are described in [`crate::points`].

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use tv_api::types::{LatencySeriesFields, LayerTimeseriesListEnvelope};

use crate::decode::{SeriesAnswer, Sorted, decode_points};
use crate::error::Error;
use crate::json_shape::opt_secs;
use crate::points::{LayerPoint, Point};
use crate::range::{TimeRange, between, shift};
use crate::window::TimeWindow;

/// A timeseries: points sorted by time, no two at the same instant, and the step
/// between slices.
///
/// Build one by decoding a wire timeseries ([`Series::decode`]) or from points
/// ([`Series::new`]).
///
/// ```
/// use std::time::Duration;
/// use tv_client::{LatencyPoint, Series};
///
/// // The latency example of the API reference (§13.1).
/// let items = vec![
///     vec![Some(1353259500.0), Some(11.0), Some(1180500.0)],
///     vec![Some(1353259530.0), Some(10.0), Some(1246510.0)],
/// ];
/// let series = Series::<LatencyPoint>::decode("timestamp,volume,avg_latency", &items)?;
/// assert_eq!(series.step(), Some(Duration::from_secs(30)));
/// assert_eq!(series.points()[0].average, Some(Duration::from_micros(1_180_500)));
/// # Ok::<(), tv_client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Series<P> {
    points: Vec<P>,
    derived_step: Option<Duration>,
    told_step: Option<Duration>,
}

impl<P> Default for Series<P> {
    fn default() -> Self {
        Series {
            points: Vec::new(),
            derived_step: None,
            told_step: None,
        }
    }
}

impl<P: Point> Series<P> {
    /// A series of `points` (sorted here). Two points at the same instant are an
    /// [`Error::InvalidArgument`].
    pub fn new(mut points: Vec<P>) -> Result<Self, Error> {
        points.sort_by_key(Point::at);
        if let Some(pair) = points.windows(2).find(|w| w[0].at() == w[1].at()) {
            return Err(Error::invalid_argument(format!(
                "two points of a series at {}",
                pair[0].at().to_rfc3339()
            )));
        }
        Ok(Self::from_sorted(points))
    }

    /// What the decoder made: sorted, unique points and their smallest gap.
    pub(crate) fn from_decoded(decoded: Sorted<P>) -> Self {
        debug_assert!(decoded.points.windows(2).all(|w| w[0].at() < w[1].at()));
        Series {
            points: decoded.points,
            derived_step: decoded.derived_step,
            told_step: None,
        }
    }

    /// Points already sorted and unique (the decoder and the math guarantee it).
    pub(crate) fn from_sorted(points: Vec<P>) -> Self {
        debug_assert!(points.windows(2).all(|w| w[0].at() < w[1].at()));
        let derived_step = points
            .windows(2)
            .filter_map(|w| between(w[0].at(), w[1].at()))
            .min();
        Series {
            points,
            derived_step,
            told_step: None,
        }
    }

    /// Decodes the `data` of a series endpoint: `fields` is the comma-separated header,
    /// `items` the rows. Errors name their place under `data` (`data.items[3][2]`).
    ///
    /// Columns are found by name (`timestamp`; `volume`; `avg_latency` or `latency`;
    /// `error_rate`; `total_requests` — what the point type needs), unknown columns are
    /// ignored. Timestamps may be seconds or milliseconds, integers or floats. Rows are
    /// sorted by time; a duplicate timestamp, a row of the wrong width, a missing column,
    /// `null` or a fraction where a count belongs, or a negative, non-finite or
    /// out-of-range value is an [`Error::Decode`].
    pub fn decode<R: AsRef<[Option<f64>]>>(fields: &str, items: &[R]) -> Result<Self, Error> {
        Self::decode_at("data", fields, items)
    }

    /// Like [`Series::decode`] for a timeseries found at `path` in the response
    /// (e.g. `data[2].timeseries`).
    pub fn decode_at<R: AsRef<[Option<f64>]>>(
        path: &str,
        fields: &str,
        items: &[R],
    ) -> Result<Self, Error> {
        decode_points(path, fields, items).map(Self::from_decoded)
    }

    /// The point at exactly `at`.
    pub fn point_at(&self, at: DateTime<Utc>) -> Option<&P> {
        self.points
            .binary_search_by_key(&at, Point::at)
            .ok()
            .and_then(|i| self.points.get(i))
    }

    /// The time the slices cover, from the first slice's start to the last slice's end
    /// (`last.at + step`; `last.at` when the step is unknown). `None` when empty.
    pub fn span(&self) -> Option<TimeRange> {
        let first = self.points.first()?.at();
        let last = self.points.last()?.at();
        let end = self.step().and_then(|s| shift(last, s)).unwrap_or(last);
        TimeRange::new(first, end)
    }
}

impl<P: Point + SeriesAnswer> Series<P> {
    /// Decodes the body of a series answer (`{"data": {"fields": …, "items": […]},
    /// "response": "ok"}`), as the client does: into the operation's generated envelope,
    /// then into typed points. The checks and errors are those of [`Series::decode`]; a
    /// body that is not the answer's envelope is an [`Error::Decode`] naming where it
    /// differs.
    pub fn from_body(body: &[u8]) -> Result<Self, Error> {
        match serde_json::from_slice::<P::Envelope>(body) {
            Ok(envelope) => Self::from_wire(&envelope),
            Err(e) => Err(crate::client::body_error::<P::Envelope>(body, &e)),
        }
    }

    /// The generated envelope converted.
    pub(crate) fn from_wire(envelope: &P::Envelope) -> Result<Self, Error> {
        P::convert(envelope).map(Self::from_decoded)
    }
}

impl<P> Series<P> {
    /// Tells the series which window it covers; [`Series::step`] is then the window's
    /// step.
    #[must_use]
    pub fn with_window(self, window: TimeWindow) -> Self {
        self.with_step(window.step())
    }

    /// Tells the series its step (a zero step is ignored).
    #[must_use]
    pub fn with_step(mut self, step: Duration) -> Self {
        self.told_step = (!step.is_zero()).then_some(step);
        self
    }

    /// The step between slices: the one told by [`Series::with_window`] /
    /// [`Series::with_step`], else [`Series::derived_step`].
    pub fn step(&self) -> Option<Duration> {
        self.told_step.or(self.derived_step)
    }

    /// The step derived from the timestamps: the smallest gap between consecutive
    /// points (so missing slices do not widen it); `None` for fewer than 2 points.
    pub fn derived_step(&self) -> Option<Duration> {
        self.derived_step
    }

    /// The points, oldest first.
    pub fn points(&self) -> &[P] {
        &self.points
    }

    /// The points, oldest first.
    pub fn into_points(self) -> Vec<P> {
        self.points
    }
}

/// A series reads like the slice of its points (`series.len()`, `series.iter()`, …).
impl<P> std::ops::Deref for Series<P> {
    type Target = [P];

    fn deref(&self) -> &[P] {
        &self.points
    }
}

impl<P> AsRef<[P]> for Series<P> {
    fn as_ref(&self) -> &[P] {
        &self.points
    }
}

impl<'a, P> IntoIterator for &'a Series<P> {
    type Item = &'a P;
    type IntoIter = std::slice::Iter<'a, P>;

    fn into_iter(self) -> Self::IntoIter {
        self.points.iter()
    }
}

impl<P: Serialize> Serialize for Series<P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Series", 2)?;
        st.serialize_field("step_s", &opt_secs(self.step()))?;
        st.serialize_field("points", &self.points)?;
        st.end()
    }
}

/// A timeseries with the step between its slices.
#[cfg(feature = "schemars")]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)] // only its schema is used
struct SeriesJson<P> {
    /// Seconds between consecutive slices; null when unknown (fewer than 2 points).
    step_s: Option<crate::json_shape::Num>,
    /// The slices, oldest first, no two at the same instant.
    points: Vec<P>,
}

#[cfg(feature = "schemars")]
impl<P: schemars::JsonSchema> schemars::JsonSchema for Series<P> {
    fn schema_name() -> String {
        format!("{}Series", P::schema_name())
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        SeriesJson::<P>::json_schema(generator)
    }
}

/// The series of one layer of an app (`latency/{app}/server/by-layer`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LayerSeries {
    /// The layer's name, e.g. `nginx`, `Cassandra:client`.
    pub layer: String,
    /// Calls into the layer and time spent in it, per slice.
    pub series: Series<LayerPoint>,
}

impl LayerSeries {
    /// Decodes one layer's timeseries found at `path` (e.g. `data[2].timeseries`).
    pub fn decode_at<R: AsRef<[Option<f64>]>>(
        path: &str,
        layer: impl Into<String>,
        fields: &str,
        items: &[R],
    ) -> Result<Self, Error> {
        Ok(LayerSeries {
            layer: layer.into(),
            series: Series::decode_at(path, fields, items)?,
        })
    }

    /// Decodes the whole `data` array of the by-layer endpoint, given as
    /// `(layer, fields, items)` per element, keeping the server's order. Errors name
    /// their place (`data[2].timeseries.items[0][1]`); a layer named twice is an error
    /// at `data[i].layer`.
    pub fn decode_all<'a, I, R>(layers: I) -> Result<Vec<LayerSeries>, Error>
    where
        I: IntoIterator<Item = (&'a str, &'a str, &'a [R])>,
        R: AsRef<[Option<f64>]> + 'a,
    {
        let mut seen: HashMap<&'a str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, (layer, fields, items)) in layers.into_iter().enumerate() {
            if let Some(first) = seen.insert(layer, i) {
                return Err(Error::decode(
                    format!("data[{i}].layer"),
                    format!("layer `{layer}` appears twice (also data[{first}])"),
                    layer,
                ));
            }
            out.push(LayerSeries::decode_at(
                &format!("data[{i}].timeseries"),
                layer,
                fields,
                items,
            )?);
        }
        Ok(out)
    }

    /// Decodes the body of a by-layer answer (`{"data": [{"layer": …, "timeseries":
    /// {…}}, …], "response": "ok"}`), as the client does; checks and errors as
    /// [`LayerSeries::decode_all`].
    pub fn from_body(body: &[u8]) -> Result<Vec<LayerSeries>, Error> {
        match serde_json::from_slice::<LayerTimeseriesListEnvelope>(body) {
            Ok(envelope) => Self::from_wire_all(&envelope),
            Err(e) => Err(crate::client::body_error::<LayerTimeseriesListEnvelope>(
                body, &e,
            )),
        }
    }

    /// The generated envelope converted.
    pub(crate) fn from_wire_all(
        envelope: &LayerTimeseriesListEnvelope,
    ) -> Result<Vec<LayerSeries>, Error> {
        let header = LatencySeriesFields::TimestampVolumeAvgLatency.to_string();
        LayerSeries::decode_all(envelope.data.iter().map(|l| {
            let LatencySeriesFields::TimestampVolumeAvgLatency = l.timeseries.fields;
            (
                l.layer.as_str(),
                header.as_str(),
                l.timeseries.items.as_slice(),
            )
        }))
    }

    /// Tells the layer's series which window it covers (see [`Series::with_window`]).
    #[must_use]
    pub fn with_window(self, window: TimeWindow) -> Self {
        LayerSeries {
            layer: self.layer,
            series: self.series.with_window(window),
        }
    }
}

#[cfg(test)]
mod body_tests;
#[cfg(test)]
mod json_tests;
#[cfg(test)]
mod tests;
