//! The one human formatter for durations, rates, percentages and counts.
//!
//! Every number is shown with three significant digits and a unit chosen so the
//! number stays below 1000: `1.23 s`, `45.6 ms`, `789 µs`, `12.3/s`, `12.3k`, `4.56%`.
//! Non-finite values print as `n/a`.

use std::time::Duration;

use chrono::TimeDelta;

/// What non-finite numbers print as.
pub const NOT_AVAILABLE: &str = "n/a";

/// Rounds `v` (> 0) to three significant digits and prints it with as many decimals as
/// that needs (`1.23`, `12.3`, `123`); values of 1000 and more print as integers.
fn three_digits(v: f64) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 20) as usize;
    let factor = 10f64.powi(decimals as i32);
    let rounded = (v * factor).round() / factor;
    // Rounding may carry into the next magnitude (9.996 → 10.0): one decimal less.
    let decimals = if rounded.abs() >= 10f64.powi(magnitude + 1) {
        decimals.saturating_sub(1)
    } else {
        decimals
    };
    format!("{rounded:.decimals$}")
}

/// Picks the unit for `v` among `units` (`(size, suffix)`, smallest first) so the
/// three-digit number is below 1000 (or the largest unit is reached).
fn pick(v: f64, units: &[(f64, &'static str)]) -> String {
    let mut chosen = units.first().copied().unwrap_or((1.0, ""));
    for &(size, suffix) in units {
        if v.abs() >= size * 0.9995 {
            chosen = (size, suffix);
        }
    }
    let (size, suffix) = chosen;
    format!("{}{suffix}", three_digits(v / size))
}

/// Formats a duration for people: `0 ns`, `512 ns`, `789 µs`, `45.6 ms`, `1.23 s`,
/// `123 s`, `1234 s` (seconds are the largest unit: latencies, not uptimes).
pub fn format_duration(d: Duration) -> String {
    format_nanos(d.as_nanos() as f64)
}

/// Formats a signed difference of durations: `+1.23 ms`, `-45.6 µs`, `±0 ns`.
pub fn format_time_delta(d: TimeDelta) -> String {
    let nanos = d.num_seconds() as f64 * 1e9 + f64::from(d.subsec_nanos());
    if nanos == 0.0 {
        return "±0 ns".to_owned();
    }
    let sign = if nanos < 0.0 { '-' } else { '+' };
    format!("{sign}{}", format_nanos(nanos.abs()))
}

fn format_nanos(nanos: f64) -> String {
    if !nanos.is_finite() {
        return NOT_AVAILABLE.to_owned();
    }
    if nanos == 0.0 {
        return "0 ns".to_owned();
    }
    pick(
        nanos,
        &[(1.0, " ns"), (1e3, " µs"), (1e6, " ms"), (1e9, " s")],
    )
}

/// Formats a rate per second: `0.5/s`, `12.3/s`, `4.56k/s`.
pub fn format_rate(per_second: f64) -> String {
    if !per_second.is_finite() {
        return NOT_AVAILABLE.to_owned();
    }
    format!("{}/s", format_magnitude(per_second))
}

/// Formats a count: `999`, `12.3k`, `4.56M`, `7.89G`.
pub fn format_count(n: u64) -> String {
    if n < 1000 {
        return n.to_string();
    }
    format_magnitude(n as f64)
}

fn format_magnitude(v: f64) -> String {
    if v.abs() < 999.5 {
        return three_digits(v);
    }
    pick(
        v,
        &[(1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T")],
    )
}

/// Formats a value given **in percent**: `format_percent(12.345)` is `12.3%`. For a
/// fraction (an error rate, a share) pass `fraction * 100.0`.
pub fn format_percent(pct: f64) -> String {
    if !pct.is_finite() {
        return NOT_AVAILABLE.to_owned();
    }
    format!("{}%", three_digits(pct))
}

/// Formats a change given **in percent** with its sign: `+12.3%`, `-4.5%`, `±0%`.
pub fn format_signed_percent(pct: f64) -> String {
    if !pct.is_finite() {
        return NOT_AVAILABLE.to_owned();
    }
    if pct == 0.0 {
        return "±0%".to_owned();
    }
    let sign = if pct < 0.0 { '-' } else { '+' };
    format!("{sign}{}%", three_digits(pct.abs()))
}

#[cfg(test)]
mod tests;
