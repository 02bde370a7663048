//! The `time_window` of the series and summary endpoints.
//!
//! The project's binding decision: `hour` is 120 slices of 30 s, `day` is 96 slices of
//! 15 min, `week` is 84 slices of 2 h; the default window is `hour`; a window ends at
//! `time_end` (or now).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How far back a series or summary reaches, and therefore its step.
///
/// Serialized (serde, JSON Schema, wire and `Display`) as `hour`, `day` or `week`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TimeWindow {
    /// The last hour: 120 slices of 30 seconds.
    #[default]
    Hour,
    /// The last day: 96 slices of 15 minutes.
    Day,
    /// The last week: 84 slices of 2 hours.
    Week,
}

impl TimeWindow {
    /// Every window, shortest first.
    pub const ALL: [TimeWindow; 3] = [TimeWindow::Hour, TimeWindow::Day, TimeWindow::Week];

    /// The step between two consecutive points of a series over this window.
    pub const fn step(self) -> Duration {
        match self {
            TimeWindow::Hour => Duration::from_secs(30),
            TimeWindow::Day => Duration::from_secs(15 * 60),
            TimeWindow::Week => Duration::from_secs(2 * 60 * 60),
        }
    }

    /// The number of points in a full series over this window.
    pub const fn points(self) -> u32 {
        match self {
            TimeWindow::Hour => 120,
            TimeWindow::Day => 96,
            TimeWindow::Week => 84,
        }
    }

    /// The length of the window (`step() × points()`): 1 h, 24 h or 168 h.
    pub const fn duration(self) -> Duration {
        match self {
            TimeWindow::Hour => Duration::from_secs(60 * 60),
            TimeWindow::Day => Duration::from_secs(24 * 60 * 60),
            TimeWindow::Week => Duration::from_secs(7 * 24 * 60 * 60),
        }
    }

    /// The name the API uses for this window (`hour`, `day`, `week`).
    pub const fn as_str(self) -> &'static str {
        match self {
            TimeWindow::Hour => "hour",
            TimeWindow::Day => "day",
            TimeWindow::Week => "week",
        }
    }

    /// The `time_end` of the window just before the one ending at `end`
    /// (`end − duration()`), as used for window-over-window comparisons and for
    /// stitching consecutive windows. `None` only when the result is out of chrono's range.
    pub fn previous_end(self, end: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let secs = i64::try_from(self.duration().as_secs()).ok()?;
        end.checked_sub_signed(TimeDelta::try_seconds(secs)?)
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`TimeWindow`] from a string that is not `hour`, `day` or `week`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time window `{input}` (expected hour, day or week)")]
pub struct ParseTimeWindowError {
    input: String,
}

impl FromStr for TimeWindow {
    type Err = ParseTimeWindowError;

    /// Parses `hour`, `day` or `week`, ignoring ASCII case and surrounding whitespace.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        TimeWindow::ALL
            .into_iter()
            .find(|w| w.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| ParseTimeWindowError {
                input: name.chars().take(40).collect(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_points_and_durations_follow_the_decisions() {
        assert_eq!(TimeWindow::default(), TimeWindow::Hour);
        for w in TimeWindow::ALL {
            assert_eq!(w.step() * w.points(), w.duration(), "{w}");
        }
        assert_eq!(TimeWindow::Hour.step(), Duration::from_secs(30));
        assert_eq!(TimeWindow::Day.step(), Duration::from_secs(900));
        assert_eq!(TimeWindow::Week.step(), Duration::from_secs(7200));
        assert_eq!(
            [120, 96, 84],
            TimeWindow::ALL.map(TimeWindow::points),
            "points per window"
        );
    }

    #[test]
    fn parses_and_displays_wire_names() {
        for w in TimeWindow::ALL {
            assert_eq!(w.to_string().parse::<TimeWindow>(), Ok(w));
        }
        assert_eq!(" Day ".parse::<TimeWindow>(), Ok(TimeWindow::Day));
        let err = "month".parse::<TimeWindow>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown time window `month` (expected hour, day or week)"
        );
    }

    #[test]
    fn serde_uses_wire_names() {
        assert_eq!(
            serde_json::to_string(&TimeWindow::Week).unwrap(),
            "\"week\""
        );
        let w: TimeWindow = serde_json::from_str("\"day\"").unwrap();
        assert_eq!(w, TimeWindow::Day);
        let schema = serde_json::to_value(schemars::schema_for!(TimeWindow)).unwrap();
        // Documented variants become `oneOf` of one-value enums.
        let names: Vec<&str> = schema["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["enum"][0].as_str().unwrap())
            .collect();
        assert_eq!(names, ["hour", "day", "week"]);
    }

    #[test]
    fn previous_end_is_one_window_back() {
        let end = DateTime::from_timestamp(1_353_259_500, 0).unwrap();
        let prev = TimeWindow::Day.previous_end(end).unwrap();
        assert_eq!(end.timestamp() - prev.timestamp(), 86_400);
    }
}
