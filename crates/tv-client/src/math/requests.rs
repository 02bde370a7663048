//! Request rates from a total-requests series.

use crate::points::RequestsPoint;
use crate::series::Series;

/// The requests in all slices (saturating).
pub fn total_requests(points: &[RequestsPoint]) -> u64 {
    points
        .iter()
        .fold(0u64, |sum, p| sum.saturating_add(p.requests))
}

/// Requests per second over the slices present: `Σ requests ÷ (slices × step)`.
///
/// Missing slices are unknown, not zero, so they do not dilute the rate. `None` for an
/// empty series or when the step is unknown (one point and no window told, see
/// [`Series::with_window`]).
///
/// ```
/// use tv_client::{RequestsPoint, Series, TimeWindow, math::requests_per_second};
/// // §12.1: 262, 224, 201, 222 requests per 30 s slice.
/// let items: Vec<Vec<Option<f64>>> = [[1433360130.0, 262.0], [1433360160.0, 224.0],
///     [1433360190.0, 201.0], [1433360220.0, 222.0]]
///     .iter().map(|r| r.iter().copied().map(Some).collect()).collect();
/// let series = Series::<RequestsPoint>::decode("timestamp,total_requests", &items)?;
/// assert_eq!(requests_per_second(&series), Some(909.0 / 120.0));
/// # Ok::<(), tv_client::Error>(())
/// ```
pub fn requests_per_second(series: &Series<RequestsPoint>) -> Option<f64> {
    let step = series.step()?.as_secs_f64();
    let seconds = step * series.len() as f64;
    (seconds > 0.0).then(|| total_requests(series) as f64 / seconds)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;
    use crate::math::strategies::{requests_series, slot};
    use crate::window::TimeWindow;

    #[test]
    fn single_point_needs_a_told_step() {
        let one = Series::new(vec![RequestsPoint {
            at: slot(0),
            requests: 60,
        }])
        .unwrap();
        assert_eq!(requests_per_second(&one), None);
        assert_eq!(
            requests_per_second(&one.with_window(TimeWindow::Hour)),
            Some(2.0)
        );
        assert_eq!(requests_per_second(&Series::default()), None);
        let p = RequestsPoint {
            at: slot(0),
            requests: 90,
        };
        assert_eq!(p.per_second(Duration::from_secs(30)), Some(3.0));
        assert_eq!(p.per_second(Duration::ZERO), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The rate times the covered seconds gives back the total.
        #[test]
        fn rate_times_time_is_total(series in requests_series(60)) {
            let series = series.with_window(TimeWindow::Hour);
            match requests_per_second(&series) {
                Some(rate) => {
                    let back = rate * 30.0 * series.len() as f64;
                    prop_assert!((back - total_requests(&series) as f64).abs() < 1e-6 * back.max(1.0));
                }
                None => prop_assert!(series.is_empty()),
            }
        }
    }
}
