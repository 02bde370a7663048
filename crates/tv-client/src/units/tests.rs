use std::time::Duration;

use chrono::TimeDelta;
use proptest::prelude::*;

use super::*;

#[test]
fn durations() {
    let cases = [
        (Duration::ZERO, "0 ns"),
        (Duration::from_nanos(512), "512 ns"),
        (Duration::from_nanos(999), "999 ns"),
        (Duration::from_nanos(1_000), "1.00 µs"),
        (Duration::from_micros(789), "789 µs"),
        (Duration::from_nanos(999_400), "999 µs"),
        (Duration::from_nanos(999_600), "1.00 ms"),
        (Duration::from_micros(45_600), "45.6 ms"),
        (Duration::from_micros(1_180_500), "1.18 s"),
        (Duration::from_millis(1_230), "1.23 s"),
        (Duration::from_nanos(9_996_000_000), "10.0 s"),
        (Duration::from_secs(123), "123 s"),
        (Duration::from_secs(1_234), "1234 s"),
    ];
    for (d, want) in cases {
        assert_eq!(format_duration(d), want, "{d:?}");
    }
}

#[test]
fn deltas() {
    assert_eq!(
        format_time_delta(TimeDelta::microseconds(1_230)),
        "+1.23 ms"
    );
    assert_eq!(
        format_time_delta(TimeDelta::nanoseconds(-45_600)),
        "-45.6 µs"
    );
    assert_eq!(format_time_delta(TimeDelta::zero()), "±0 ns");
}

#[test]
fn rates_counts_percentages() {
    assert_eq!(format_rate(12.34), "12.3/s");
    assert_eq!(format_rate(0.5), "0.500/s");
    assert_eq!(format_rate(4_560.0), "4.56k/s");
    assert_eq!(format_rate(999.7), "1.00k/s");
    assert_eq!(format_rate(f64::NAN), "n/a");
    assert_eq!(format_count(0), "0");
    assert_eq!(format_count(999), "999");
    assert_eq!(format_count(12_345), "12.3k");
    assert_eq!(format_count(999_999), "1.00M");
    assert_eq!(format_count(4_560_000_000), "4.56G");
    assert_eq!(format_percent(12.345), "12.3%");
    assert_eq!(format_percent(0.01 * 100.0), "1.00%");
    assert_eq!(format_percent(0.0), "0%");
    assert_eq!(format_percent(100.0), "100%");
    assert_eq!(format_signed_percent(12.34), "+12.3%");
    assert_eq!(format_signed_percent(-4.5), "-4.50%");
    assert_eq!(format_signed_percent(0.0), "±0%");
    assert_eq!(format_signed_percent(f64::INFINITY), "n/a");
}

/// The number part of a formatted value.
fn number(s: &str) -> f64 {
    s.trim_start_matches(['+', '-'])
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Durations keep at most three significant digits below 1000 of their unit, and
    /// the value read back is within 0.5 % of the input.
    #[test]
    fn durations_are_close_and_short(nanos in 1u64..1_000_000_000_000) {
        let s = format_duration(Duration::from_nanos(nanos));
        let (value, unit) = s.split_once(' ').unwrap();
        let v: f64 = value.parse().unwrap();
        let scale = match unit { "ns" => 1.0, "µs" => 1e3, "ms" => 1e6, "s" => 1e9, _ => unreachable!("{s}") };
        let back = v * scale;
        prop_assert!((back - nanos as f64).abs() <= nanos as f64 * 0.005 + 0.5, "{s} for {nanos}");
        prop_assert!(unit == "s" || v < 1000.0, "{s}");
        prop_assert!(value.chars().filter(char::is_ascii_digit).count() <= 4, "{s}");
    }

    /// Counts read back within 0.5 %.
    #[test]
    fn counts_are_close(n in 0u64..10_000_000_000_000) {
        let s = format_count(n);
        let scale = match s.chars().last().unwrap() { 'k' => 1e3, 'M' => 1e6, 'G' => 1e9, 'T' => 1e12, _ => 1.0 };
        let back = number(&s) * scale;
        prop_assert!((back - n as f64).abs() <= n as f64 * 0.005, "{s} for {n}");
    }
}
