//! Helpers for the JSON output shape (the CLI's `--output json`).
//!
//! - Durations are numbers of microseconds in fields ending in `_us` (nanosecond
//!   resolution: `1022766.667`); signed differences likewise.
//! - Instants are an RFC 3339 string `at` plus `epoch`, the epoch seconds.
//! - Steps are numbers of seconds in fields ending in `_s`.
//! - Numbers that are whole print without a fraction (`30`, not `30.0`).

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Serialize, Serializer};

use crate::wire_units::{datetime_to_epoch, duration_to_micros};

/// A JSON number that prints as an integer when it is whole (and exactly representable).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Num(pub(crate) f64);

/// The largest integer below which every whole f64 is exact.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.fract() == 0.0 && v.abs() < EXACT_INT {
            s.serialize_i64(v as i64)
        } else {
            s.serialize_f64(v)
        }
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Num {
    fn schema_name() -> String {
        "Number".to_owned()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        f64::json_schema(generator)
    }
}

/// Microseconds of a duration.
pub(crate) fn us(d: Duration) -> Num {
    Num(duration_to_micros(d))
}

/// Microseconds of an optional duration.
pub(crate) fn opt_us(d: Option<Duration>) -> Option<Num> {
    d.map(us)
}

/// Epoch seconds of an instant.
pub(crate) fn epoch(at: DateTime<Utc>) -> Num {
    Num(datetime_to_epoch(at))
}

/// Seconds of an optional step.
pub(crate) fn opt_secs(d: Option<Duration>) -> Option<Num> {
    d.map(|d| Num(d.as_secs_f64()))
}

/// `serialize_with` for a `Duration` field written as seconds.
pub(crate) fn ser_secs<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    Num(d.as_secs_f64()).serialize(s)
}

/// Microseconds of a signed difference.
pub(crate) fn signed_us(d: TimeDelta) -> Num {
    // TimeDelta spans ±i64::MAX ms; nanoseconds may overflow i64, so go through parts.
    let secs = d.num_seconds() as f64;
    let nanos = f64::from(d.subsec_nanos());
    Num(secs * 1e6 + nanos / 1e3)
}

/// `serialize_with` for a `Duration` field written as microseconds.
pub(crate) fn ser_us<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    us(*d).serialize(s)
}

/// `serialize_with` for an `Option<Duration>` field written as microseconds.
pub(crate) fn ser_opt_us<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    opt_us(*d).serialize(s)
}

/// `serialize_with` for an `Option<TimeDelta>` field written as signed microseconds.
pub(crate) fn ser_opt_signed_us<S: Serializer>(
    d: &Option<TimeDelta>,
    s: S,
) -> Result<S::Ok, S::Error> {
    d.map(signed_us).serialize(s)
}

/// `serialize_with` for an `Option<f64>` that prints as an integer when whole.
pub(crate) fn ser_opt_num<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    v.map(Num).serialize(s)
}

/// Implements `Serialize` (and, with the `schemars` feature, `JsonSchema`) for `$ty` through the private shape `$json`
/// (built with `From<&$ty>`), naming the schema `$name`.
macro_rules! json_via {
    ($ty:ty => $json:ty, $name:literal) => {
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&<$json>::from(self), s)
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $ty {
            fn schema_name() -> String {
                $name.to_owned()
            }

            fn json_schema(
                generator: &mut ::schemars::r#gen::SchemaGenerator,
            ) -> ::schemars::schema::Schema {
                <$json as ::schemars::JsonSchema>::json_schema(generator)
            }
        }
    };
}
pub(crate) use json_via;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_print_without_fraction() {
        let j = |v: f64| serde_json::to_string(&Num(v)).unwrap();
        assert_eq!(j(30.0), "30");
        assert_eq!(j(1_022_766.667), "1022766.667");
        assert_eq!(j(-4.0), "-4");
        assert_eq!(j(1e300), "1e+300");
        let d = TimeDelta::microseconds(-1_500);
        assert_eq!(signed_us(d), Num(-1500.0));
        assert_eq!(signed_us(TimeDelta::nanoseconds(-1)), Num(-0.001));
    }
}
