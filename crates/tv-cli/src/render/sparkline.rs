//! Sparklines: a series in one line of block characters, for table cells.

/// The eight levels, lowest first.
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// A series that never changes sits in the middle.
const MIDDLE: char = '▄';
/// A missing (or non-finite) value.
const GAP: char = ' ';

/// One character per value, scaled between the series' minimum (`▁`) and maximum
/// (`█`); a missing or non-finite value is a space, and a constant series is all `▄`.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let finite = || values.iter().filter_map(|v| v.filter(|v| v.is_finite()));
    let min = finite().fold(f64::INFINITY, f64::min);
    let max = finite().fold(f64::NEG_INFINITY, f64::max);
    let span = max - min;
    values
        .iter()
        .map(|v| match v {
            Some(v) if v.is_finite() => {
                if span > 0.0 && span.is_finite() {
                    let level = ((v - min) / span * (BLOCKS.len() - 1) as f64).round();
                    BLOCKS[(level as usize).min(BLOCKS.len() - 1)]
                } else {
                    MIDDLE
                }
            }
            _ => GAP,
        })
        .collect()
}

/// Like [`sparkline`], at most `width` characters wide: longer series are resampled
/// into `width` buckets, each the mean of its finite values (a gap when it has none).
pub fn sparkline_width(values: &[Option<f64>], width: usize) -> String {
    if values.len() <= width {
        return sparkline(values);
    }
    let n = values.len();
    let buckets: Vec<Option<f64>> = (0..width)
        .map(|i| {
            let bucket = &values[i * n / width..(i + 1) * n / width];
            let (sum, count) = bucket
                .iter()
                .filter_map(|v| v.filter(|v| v.is_finite()))
                .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
            (count > 0).then(|| sum / count as f64)
        })
        .collect();
    sparkline(&buckets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(values: &[f64]) -> Vec<Option<f64>> {
        values.iter().copied().map(Some).collect()
    }

    #[test]
    fn scales_between_min_and_max() {
        assert_eq!(
            sparkline(&some(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])),
            "▁▂▃▄▅▆▇█"
        );
        assert_eq!(sparkline(&some(&[10.0, 20.0])), "▁█");
        assert_eq!(sparkline(&some(&[-5.0, 0.0, 5.0])), "▁▅█");
    }

    #[test]
    fn gaps_and_non_finite_values_are_spaces() {
        assert_eq!(sparkline(&[Some(1.0), None, Some(3.0)]), "▁ █");
        assert_eq!(
            sparkline(&[Some(1.0), Some(f64::NAN), Some(f64::INFINITY), Some(3.0)]),
            "▁  █"
        );
        assert_eq!(sparkline(&[None, None]), "  ");
    }

    #[test]
    fn constant_and_tiny_series_sit_in_the_middle() {
        assert_eq!(sparkline(&some(&[4.2, 4.2, 4.2])), "▄▄▄");
        assert_eq!(sparkline(&[Some(7.0), None]), "▄ ");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn resamples_long_series_to_the_width() {
        let values = some(&[0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0]);
        assert_eq!(sparkline_width(&values, 4), "▁▃▆█");
        assert_eq!(sparkline_width(&values, 100), sparkline(&values));
        assert_eq!(sparkline_width(&values, 0), "");
        let gappy = [Some(1.0), None, None, None, Some(5.0), Some(5.0)];
        assert_eq!(sparkline_width(&gappy, 3), "▁ █");
        let long: Vec<Option<f64>> = (0..1000).map(|i| Some(f64::from(i))).collect();
        assert_eq!(sparkline_width(&long, 8).chars().count(), 8);
    }
}
