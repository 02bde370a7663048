//! The `time_window` of the series and summary endpoints.
//!
//! The project's binding decision: `hour` is 120 slices of 30 s, `day` is 96 slices of
//! 15 min, `week` is 84 slices of 2 h; the default window is `hour`; a window ends at
//! `time_end` (or now).

/// How far back a series or summary reaches, and therefore its step: the spec's type,
/// defined once in tv-api (wire names, serde, JSON Schema, `Display`, `FromStr`) with
/// [`step`](TimeWindow::step), [`points`](TimeWindow::points),
/// [`duration`](TimeWindow::duration), [`as_str`](TimeWindow::as_str) and
/// [`previous_end`](TimeWindow::previous_end).
pub use tv_api::types::TimeWindow;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::DateTime;

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
            assert_eq!(w.to_string().parse::<TimeWindow>().ok(), Some(w));
            assert_eq!(w.as_str(), w.to_string());
        }
        assert!("month".parse::<TimeWindow>().is_err());
    }

    #[test]
    fn serde_uses_wire_names() {
        assert_eq!(
            serde_json::to_string(&TimeWindow::Week).unwrap(),
            "\"week\""
        );
        let w: TimeWindow = serde_json::from_str("\"day\"").unwrap();
        assert_eq!(w, TimeWindow::Day);
        #[cfg(feature = "schemars")]
        {
            let schema = serde_json::to_value(schemars::schema_for!(TimeWindow)).unwrap();
            assert_eq!(schema["enum"], serde_json::json!(["hour", "day", "week"]));
        }
    }

    #[test]
    fn previous_end_is_one_window_back() {
        let end = DateTime::from_timestamp(1_353_259_500, 0).unwrap();
        let prev = TimeWindow::Day.previous_end(end).unwrap();
        assert_eq!(end.timestamp() - prev.timestamp(), 86_400);
    }
}
