//! Time windows and their slice grids.
//!
//! A window is `points` slices of `step` seconds. Its end is `time_end` (or now)
//! **floored to a multiple of the step** (grid anchored at the Unix epoch) and is
//! exclusive: the last slice is `[end - step, end)`, i.e. the most recent *complete*
//! slice. Points carry the slice **start**, in seconds, ascending. Because every window
//! of one kind uses the same grid, overlapping windows and shifted `time_end`s share
//! their slices exactly.

pub use tv_api::types::TimeWindow;

/// The latest instant the world models: 9999-12-31T23:59:59Z. Times are clamped to
/// `-MAX_TIME..=MAX_TIME`, so no arithmetic on user-given times can overflow.
pub const MAX_TIME: i64 = 253_402_300_799;

/// The step of the day window, also used for `latest` of the week window and for
/// "layers seen since".
pub(crate) const DAY_STEP: i64 = 900;

/// The slice grid of a [`TimeWindow`] in whole seconds, as the world computes it. The
/// window itself (its wire names, step, point count and length) is tv-api's, from the
/// spec; this adds the seconds arithmetic and the sandbox's `latest` span.
pub trait WindowGrid {
    /// Seconds per slice: 30, 900, 7200.
    fn step_seconds(self) -> i64;
    /// The window's length in seconds: 3600, 86400, 604800.
    fn span_seconds(self) -> i64;
    /// The span `latest` averages over: the most recent minute, 15 minutes or hour.
    fn latest_seconds(self) -> i64;
    /// The grid `latest` is computed on: the window's own step when it fits in the
    /// latest span (hour: 2 × 30 s, day: 1 × 15 min), else the day grid (week: 4 × 15 min).
    fn latest_step(self) -> i64;
}

impl WindowGrid for TimeWindow {
    fn step_seconds(self) -> i64 {
        // 30 s, 15 min or 2 h: far inside i64.
        self.step().as_secs() as i64
    }

    fn span_seconds(self) -> i64 {
        self.duration().as_secs() as i64
    }

    fn latest_seconds(self) -> i64 {
        match self {
            TimeWindow::Hour => 60,
            TimeWindow::Day => DAY_STEP,
            TimeWindow::Week => 3_600,
        }
    }

    fn latest_step(self) -> i64 {
        let step = self.step_seconds();
        if step <= self.latest_seconds() {
            step
        } else {
            DAY_STEP
        }
    }
}

/// A concrete window: its kind, its aligned, exclusive end, and the instant past which
/// there is no data yet (the world's now).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WindowSpec {
    /// The kind of window (step and point count).
    pub window: TimeWindow,
    /// The exclusive end, a multiple of the step (seconds since the epoch).
    pub end: i64,
    /// Slices that end after this instant are empty (`null`): they have not happened.
    /// [`WindowSpec::ending_at`] sets no horizon ([`MAX_TIME`]); [`WindowSpec::seen_at`]
    /// sets the world's now. Only the part up to `end` matters.
    pub until: i64,
}

impl WindowSpec {
    /// The window of `window`'s kind whose end is `time_end` floored to the step grid
    /// (`time_end` is first clamped to one window after the epoch ..=[`MAX_TIME`], so
    /// that no slice starts before the epoch: series timestamps are never negative).
    pub fn ending_at(window: TimeWindow, time_end: i64) -> Self {
        let step = window.step_seconds();
        let t = time_end.clamp(window.span_seconds(), MAX_TIME);
        Self {
            window,
            end: t - t.rem_euclid(step),
            until: MAX_TIME,
        }
    }

    /// The same window as seen at `now`: slices ending after `now` are empty.
    pub fn seen_at(self, now: i64) -> Self {
        WindowSpec {
            until: now.clamp(0, MAX_TIME).min(self.end),
            ..self
        }
    }

    /// Whether the slice `[start, start + step)` has happened by [`WindowSpec::until`].
    pub fn has_happened(&self, start: i64, step: i64) -> bool {
        start.saturating_add(step) <= self.until
    }

    /// The start of the first slice.
    pub fn start(&self) -> i64 {
        self.end.saturating_sub(self.window.span_seconds())
    }

    /// The step in seconds.
    pub fn step(&self) -> i64 {
        self.window.step_seconds()
    }

    /// The slice starts, ascending.
    pub fn slice_starts(&self) -> impl Iterator<Item = i64> + use<> {
        let (start, step) = (self.start(), self.step());
        (0..i64::from(self.window.points())).map(move |i| start + i * step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_points() {
        assert_eq!(TimeWindow::Hour.span_seconds(), 3_600);
        assert_eq!(TimeWindow::Day.span_seconds(), 86_400);
        assert_eq!(TimeWindow::Week.span_seconds(), 604_800);
        assert_eq!(TimeWindow::Hour.latest_step(), 30);
        assert_eq!(TimeWindow::Day.latest_step(), 900);
        assert_eq!(TimeWindow::Week.latest_step(), 900);
    }

    #[test]
    fn end_is_floored_to_the_grid_and_starts_ascend() {
        let w = WindowSpec::ending_at(TimeWindow::Hour, 1_000_000_017);
        assert_eq!(w.end, 1_000_000_020 - 30);
        let starts: Vec<i64> = w.slice_starts().collect();
        assert_eq!(starts.len(), 120);
        assert_eq!(*starts.last().unwrap(), w.end - 30);
        assert!(starts.windows(2).all(|p| p[1] - p[0] == 30));
        let on_grid = WindowSpec::ending_at(TimeWindow::Week, 7_200 * 1000);
        assert_eq!(on_grid.end, 7_200 * 1000);
        assert_eq!(on_grid.start(), 7_200 * 1000 - 604_800);
    }

    #[test]
    fn no_window_starts_before_the_epoch() {
        for window in [TimeWindow::Hour, TimeWindow::Day, TimeWindow::Week] {
            let w = WindowSpec::ending_at(window, 0);
            assert_eq!((w.start(), w.end), (0, window.span_seconds()));
            assert!(w.slice_starts().all(|t| t >= 0));
        }
    }
}
