//! The units of the wire: epoch numbers and microseconds.
//!
//! Series timestamps are JSON numbers in seconds (the project's decision) but clients
//! accept milliseconds too: a value above 10^11 is milliseconds (10^11 s is the year
//! 5138, 10^11 ms is 1973). Latencies are microseconds as JSON numbers, often with a
//! fraction (`1022766.6666666666`); in the typed layer they are [`Duration`]s.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Epoch numbers above this are milliseconds, at or below it seconds.
pub const MILLIS_THRESHOLD: f64 = 1e11;

/// Converts an epoch number (seconds or milliseconds, integer or float) to an instant.
///
/// The instant keeps millisecond precision (float seconds are rounded to the nearest
/// millisecond, so `1399089120.0000002` is `1399089120`). Returns `None` for NaN,
/// infinities, negative values and values beyond chrono's range.
///
/// ```
/// use tv_client::wire_units::epoch_to_datetime;
/// let s = epoch_to_datetime(1353259500.0).unwrap();
/// assert_eq!(epoch_to_datetime(1353259500000.0), Some(s));
/// assert_eq!(s.to_rfc3339(), "2012-11-18T17:25:00+00:00");
/// ```
pub fn epoch_to_datetime(value: f64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(epoch_millis(value)?)
}

/// The epoch number as whole milliseconds, as [`epoch_to_datetime`] reads it (not yet
/// checked against chrono's range).
#[inline]
pub(crate) fn epoch_millis(value: f64) -> Option<i64> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let millis = if value > MILLIS_THRESHOLD {
        round_non_negative(value)
    } else {
        round_non_negative(value * 1000.0)
    };
    // 2^62 ms is far beyond chrono's range; the bound keeps the cast exact-or-rejected.
    if millis >= 4.611_686_018_427_388e18 {
        return None;
    }
    Some(millis as i64)
}

/// The instant as epoch seconds (with a fraction when it is not a whole second).
pub fn datetime_to_epoch(at: DateTime<Utc>) -> f64 {
    at.timestamp() as f64 + f64::from(at.timestamp_subsec_nanos()) / 1e9
}

/// Converts wire microseconds to a [`Duration`], rounding to the nearest nanosecond
/// (`1022766.6666666666` µs is 1 022 766 667 ns). Returns `None` for NaN, infinities,
/// negative values and values beyond `Duration`'s nanosecond range (≈ 584 years).
/// `-0.0` is zero.
///
/// ```
/// use std::time::Duration;
/// use tv_client::wire_units::duration_from_micros;
/// assert_eq!(duration_from_micros(1180500.0), Some(Duration::from_micros(1_180_500)));
/// assert_eq!(duration_from_micros(0.0004), Some(Duration::ZERO));
/// assert_eq!(duration_from_micros(-1.0), None);
/// ```
#[inline]
pub fn duration_from_micros(micros: f64) -> Option<Duration> {
    if !micros.is_finite() || micros < 0.0 {
        return None;
    }
    let nanos = round_non_negative(micros * 1000.0);
    // u64::MAX as f64 rounds up to 2^64, so `<` keeps the cast in range.
    if nanos >= u64::MAX as f64 {
        return None;
    }
    Some(Duration::from_nanos(nanos as u64))
}

/// `x.round()` (half away from zero) for a finite `x ≥ 0` (or `-0.0`), without the call
/// into libm that `f64::round` is on baseline x86-64: `x − trunc(x)` is exact here.
#[inline]
fn round_non_negative(x: f64) -> f64 {
    // From 2^52 on every float is whole.
    if x >= 4_503_599_627_370_496.0 {
        return x;
    }
    let whole = (x as u64) as f64;
    if x - whole >= 0.5 { whole + 1.0 } else { whole }
}

/// The duration in microseconds, with nanosecond resolution as far as an `f64` carries
/// it (below 2^50 ns, about 13 days, [`duration_from_micros`] gives the same duration back).
pub fn duration_to_micros(duration: Duration) -> f64 {
    duration.as_nanos() as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn epoch_seconds_and_millis() {
        let s = epoch_to_datetime(1_353_259_500.0).unwrap();
        assert_eq!(s.timestamp(), 1_353_259_500);
        assert_eq!(epoch_to_datetime(1_353_259_500_000.0), Some(s));
        assert_eq!(
            epoch_to_datetime(1_399_089_120.0).unwrap().timestamp(),
            1_399_089_120
        );
        let frac = epoch_to_datetime(1_353_259_500.25).unwrap();
        assert_eq!(frac.timestamp_subsec_millis(), 250);
        assert_eq!(datetime_to_epoch(frac), 1_353_259_500.25);
        // The threshold itself is seconds; just above it milliseconds.
        assert_eq!(
            epoch_to_datetime(1e11).unwrap().timestamp(),
            100_000_000_000
        );
        assert_eq!(
            epoch_to_datetime(1e11 + 1.0).unwrap().timestamp(),
            100_000_000
        );
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
            assert_eq!(epoch_to_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn rounding_is_f64_round() {
        for x in [
            0.0,
            -0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            1e300,
        ] {
            // (`-0.0` gives `0.0`, an equal value.)
            assert_eq!(round_non_negative(x), x.round(), "{x}");
        }
    }

    proptest! {
        #[test]
        fn rounding_matches_f64_round(bits in 0u64..0x7ff0_0000_0000_0000) {
            let x = f64::from_bits(bits);
            prop_assert_eq!(round_non_negative(x), x.round());
        }
    }

    #[test]
    fn micros_round_to_nanoseconds() {
        assert_eq!(
            duration_from_micros(1_022_766.666_666_666_6),
            Some(Duration::from_nanos(1_022_766_667))
        );
        assert_eq!(duration_from_micros(-0.0), Some(Duration::ZERO));
        assert_eq!(duration_from_micros(f64::NAN), None);
        assert_eq!(duration_from_micros(1e17), None);
        assert_eq!(
            duration_to_micros(Duration::from_nanos(1_022_766_667)),
            1_022_766.667
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn micros_round_trip(nanos in 0u64..(1u64 << 50)) {
            let d = Duration::from_nanos(nanos);
            prop_assert_eq!(duration_from_micros(duration_to_micros(d)), Some(d));
        }

        #[test]
        fn whole_seconds_and_millis_agree(secs in 0i64..4_000_000_000) {
            let s = epoch_to_datetime(secs as f64).map(|d| d.timestamp());
            let ms = epoch_to_datetime(secs as f64 * 1000.0).map(|d| d.timestamp());
            prop_assert_eq!(s, Some(secs));
            if secs > 100_000_000 {
                prop_assert_eq!(ms, Some(secs));
            }
        }
    }
}
