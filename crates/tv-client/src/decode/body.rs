//! Series answers decoded straight from the bytes of the body into typed points.
//!
//! The generated wire types hold every row as an array of `Option<f64>` before the
//! typed layer converts it; here each row goes from the JSON text into its point, read
//! into one reused stack buffer, with the header parsed once per answer. The by-layer
//! answer (one series per layer, the bulk of the bytes of a report) is read the same
//! way, layer by layer.
//!
//! This path only ever says "yes, and here are the points" or "no": it accepts strictly
//! less than the generated types plus [`decode_points`](super::decode_points) do (the
//! same keys, header, row width, cells and ordering rules) and, when it accepts, gives
//! the same points. On "no" the caller parses the body the usual way, which either
//! succeeds (a shape this path does not read, e.g. an envelope written as an array) or
//! reports the error exactly as before: the messages have one home.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Collector, Columns, Decode, Header, Row, Sorted};

/// The widest row this path reads (series rows have 2 or 3 cells); wider ones take the
/// usual path.
const MAX_WIDTH: usize = 8;

/// The header an operation sends: the generated `fields` type (a one-variant enum whose
/// wire name is the header), compared with what the answer says.
pub trait Fields: for<'de> Deserialize<'de> + PartialEq + fmt::Display {}
impl<F: for<'de> Deserialize<'de> + PartialEq + fmt::Display> Fields for F {}

/// Decodes `{"data": {"fields": …, "items": [[…], …]}, "response": "ok"}`; `capacity`
/// is the number of points expected (the window's).
pub(crate) fn series_answer<P: Decode, F: Fields>(
    bytes: &[u8],
    fields: &F,
    capacity: usize,
) -> Option<Sorted<P>> {
    let plan = Plan::new(fields)?;
    let seed = SeriesSeed {
        plan: &plan,
        capacity,
    };
    read(bytes, Envelope(seed))
}

/// Decodes the by-layer answer `{"data": [{"layer": …, "timeseries": {…}}, …],
/// "response": "ok"}` into `(layer, points)` in the server's order; a layer named twice
/// is a "no".
pub(crate) fn layers_answer<P: Decode, F: Fields>(
    bytes: &[u8],
    fields: &F,
    capacity: usize,
) -> Option<Vec<(String, Sorted<P>)>> {
    let plan = Plan::new(fields)?;
    let layers = read(
        bytes,
        Envelope(LayersSeed {
            series: SeriesSeed {
                plan: &plan,
                capacity,
            },
        }),
    )?;
    let mut names: Vec<&str> = layers.iter().map(|(name, _)| name.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    Some(layers)
}

/// Runs `seed` over the whole body (trailing whitespace only, as `serde_json::from_slice`).
fn read<'de, S: DeserializeSeed<'de>>(bytes: &'de [u8], seed: S) -> Option<S::Value> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = seed.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(value)
}

/// What the answer must say and where the point's columns are: known before the first
/// byte, since the operation fixes the header (so `fields` may come before or after
/// `items`).
struct Plan<'f, P: Decode, F> {
    fields: &'f F,
    columns: Columns<P>,
    width: usize,
}

impl<'f, P: Decode, F: Fields> Plan<'f, P, F> {
    fn new(fields: &'f F) -> Option<Self> {
        let text = fields.to_string();
        let header = Header::parse(&text);
        let width = header.width();
        let columns = Columns::new(&header).ok()?;
        (width <= MAX_WIDTH).then_some(Plan {
            fields,
            columns,
            width,
        })
    }
}

fn refuse<E: de::Error>() -> E {
    E::custom("not read by the direct path")
}

/// Which of `names` a map key is (`None`: a key to ignore).
struct Key(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Key {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|name| *name == key))
    }
}

/// Reads the two known keys of a map into `first` / `second` (each exactly once,
/// unknown keys ignored, as the generated types' derived `Deserialize` does).
fn two_keys<'de, A, S1, S2>(
    mut map: A,
    names: &'static [&'static str; 2],
    first: S1,
    second: S2,
) -> Result<(S1::Value, S2::Value), A::Error>
where
    A: MapAccess<'de>,
    S1: DeserializeSeed<'de>,
    S2: DeserializeSeed<'de>,
{
    let (mut first, mut second) = (Some(first), Some(second));
    let (mut a, mut b) = (None, None);
    while let Some(key) = map.next_key_seed(Key(names))? {
        match key {
            Some(0) => a = Some(map.next_value_seed(first.take().ok_or_else(refuse::<A::Error>)?)?),
            Some(_) => {
                b = Some(map.next_value_seed(second.take().ok_or_else(refuse::<A::Error>)?)?)
            }
            None => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    match (a, b) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(refuse()),
    }
}

/// A seed for a value that must equal `expected` (the generated type decides).
struct Exactly<'v, T>(&'v T);

impl<'de, T: for<'a> Deserialize<'a> + PartialEq> DeserializeSeed<'de> for Exactly<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if T::deserialize(d)? == *self.0 {
            Ok(())
        } else {
            Err(refuse())
        }
    }
}

/// `{"data": <S>, "response": "ok"}`.
struct Envelope<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Envelope<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Envelope<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an answer envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S::Value, A::Error> {
        let ok = tv_api::types::ResponseOk::Ok;
        two_keys(map, &["data", "response"], self.0, Exactly(&ok)).map(|(data, ())| data)
    }
}

/// `{"fields": "<the header>", "items": [[…], …]}`, in either order.
struct SeriesSeed<'p, 'f, P: Decode, F> {
    plan: &'p Plan<'f, P, F>,
    capacity: usize,
}

impl<P: Decode, F> Clone for SeriesSeed<'_, '_, P, F> {
    fn clone(&self) -> Self {
        SeriesSeed {
            plan: self.plan,
            capacity: self.capacity,
        }
    }
}

impl<'de, P: Decode, F: Fields> DeserializeSeed<'de> for SeriesSeed<'_, '_, P, F> {
    type Value = Sorted<P>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Sorted<P>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, P: Decode, F: Fields> Visitor<'de> for SeriesSeed<'_, '_, P, F> {
    type Value = Sorted<P>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a timeseries")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Sorted<P>, A::Error> {
        let rows = Rows {
            plan: self.plan,
            capacity: self.capacity,
        };
        let ((), points) = two_keys(map, &["fields", "items"], Exactly(self.plan.fields), rows)?;
        points.finish().map_err(|_| refuse())
    }
}

/// `[[…], …]`: every row decoded into its point as it is read.
struct Rows<'p, 'f, P: Decode, F> {
    plan: &'p Plan<'f, P, F>,
    capacity: usize,
}

impl<'de, P: Decode, F> DeserializeSeed<'de> for Rows<'_, '_, P, F> {
    type Value = Collector<P>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Collector<P>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, P: Decode, F> Visitor<'de> for Rows<'_, '_, P, F> {
    type Value = Collector<P>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Collector<P>, A::Error> {
        let mut points = Collector::with_capacity(self.capacity);
        let mut cells = [None; MAX_WIDTH];
        let width = self.plan.width;
        while seq.next_element_seed(Cells(&mut cells[..width]))?.is_some() {
            let row = Row {
                cells: &cells[..width],
            };
            self.plan
                .columns
                .push(row, &mut points)
                .map_err(|_| refuse::<A::Error>())?;
        }
        points.release_spare();
        Ok(points)
    }
}

/// One row: exactly as many cells as the buffer holds, each a number or `null` (read as
/// the generated `[Option<f64>; N]` reads them).
struct Cells<'b>(&'b mut [Option<f64>]);

impl<'de> DeserializeSeed<'de> for Cells<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Cells<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a row of {} cells", self.0.len())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for cell in self.0.iter_mut() {
            *cell = seq
                .next_element_seed(Cell)?
                .ok_or_else(refuse::<A::Error>)?;
        }
        match seq.next_element::<IgnoredAny>()? {
            None => Ok(()),
            Some(_) => Err(refuse()),
        }
    }
}

/// One cell: `null` or a number, read in one step (`deserialize_any`), with the values
/// `Option<f64>` gives (integers converted with `as f64`, as serde's `f64` does).
struct Cell;

impl<'de> DeserializeSeed<'de> for Cell {
    type Value = Option<f64>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Cell {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<f64>, E> {
        Ok(Some(v))
    }
}

/// `[{"layer": "…", "timeseries": {…}}, …]`.
struct LayersSeed<'p, 'f, P: Decode, F> {
    series: SeriesSeed<'p, 'f, P, F>,
}

impl<'de, P: Decode, F: Fields> DeserializeSeed<'de> for LayersSeed<'_, '_, P, F> {
    type Value = Vec<(String, Sorted<P>)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, P: Decode, F: Fields> Visitor<'de> for LayersSeed<'_, '_, P, F> {
    type Value = Vec<(String, Sorted<P>)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("layers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut layers = Vec::new();
        while let Some(layer) = seq.next_element_seed(Layer(self.series.clone()))? {
            layers.push(layer);
        }
        Ok(layers)
    }
}

/// `{"layer": "…", "timeseries": {…}}`, in either order.
struct Layer<'p, 'f, P: Decode, F>(SeriesSeed<'p, 'f, P, F>);

impl<'de, P: Decode, F: Fields> DeserializeSeed<'de> for Layer<'_, '_, P, F> {
    type Value = (String, Sorted<P>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, P: Decode, F: Fields> Visitor<'de> for Layer<'_, '_, P, F> {
    type Value = (String, Sorted<P>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a layer's timeseries")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        two_keys(map, &["layer", "timeseries"], PhantomData::<String>, self.0)
    }
}
