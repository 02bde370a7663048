//! Absence as a state: a window with traffic, a window the server answered for with no
//! traffic in it, and a window the server sent nothing for are three different answers.

use serde::Serialize;

use crate::math::ErrorEstimate;

/// What a window's traffic was, so that "no traffic" is never read as a zero latency and
/// "not known" never as no traffic.
///
/// | state | counts (traces, requests, calls) | rates | averages, shares |
/// |---|---|---|---|
/// | [`Seen`](Traffic::Seen) | measured | measured | measured (absent only for a layer without calls) |
/// | [`NoTraffic`](Traffic::NoTraffic) | `Some(0)`: zero is the value | `Some(0.0)` | `None`: nothing to average |
/// | [`Unknown`](Traffic::Unknown) | `None` | `None` | `None` |
///
/// An error rate is a rate of traces: without traces it is `None` (no rate to measure),
/// never `0.0` — [`ErrorHistory`](super::ErrorHistory), `tv errors`, `tv check`'s
/// `error-rate`.
///
/// JSON: `"seen"`, `"no_traffic"`, `"unknown"`; the CLI's documents carry it as
/// `traffic` only when it is not `seen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Traffic {
    /// Traffic was seen in the window.
    Seen,
    /// The server answered for the window and saw no traffic in it.
    NoTraffic,
    /// The server sent no slices for the window: nothing is known of it.
    Unknown,
}

impl Traffic {
    /// The state of a window of `slices` slices holding `volume` traces or requests in all.
    pub fn of(slices: usize, volume: u64) -> Traffic {
        match (slices, volume) {
            (0, _) => Traffic::Unknown,
            (_, 0) => Traffic::NoTraffic,
            _ => Traffic::Seen,
        }
    }

    /// The state of an error estimate's window: its slices are those where the rates
    /// and the volumes matched, its volume the traces with a rate. No traffic leaves
    /// the rate `None` (not 0 %); no matched slice is not known.
    pub fn of_errors(estimate: &ErrorEstimate) -> Traffic {
        Traffic::of(estimate.alignment.matched, estimate.volume)
    }

    /// Whether traffic was seen (the JSON leaves the state out then).
    pub fn is_seen(&self) -> bool {
        *self == Traffic::Seen
    }

    /// `value` when the window's counts are known (seen or no traffic), else `None`.
    pub fn known<T>(self, value: T) -> Option<T> {
        (self != Traffic::Unknown).then_some(value)
    }

    /// One line for people: `None` when traffic was seen.
    pub fn describe(self) -> Option<&'static str> {
        match self {
            Traffic::Seen => None,
            Traffic::NoTraffic => Some("no traffic in this window"),
            Traffic::Unknown => Some("not known: the server sent no slices for this window"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_slices_is_not_known_and_zero_volume_is_no_traffic() {
        assert_eq!(Traffic::of(0, 0), Traffic::Unknown);
        assert_eq!(Traffic::of(120, 0), Traffic::NoTraffic);
        assert_eq!(Traffic::of(120, 3), Traffic::Seen);
        assert_eq!(Traffic::Unknown.known(0u64), None);
        assert_eq!(Traffic::NoTraffic.known(0u64), Some(0));
        assert_eq!(
            serde_json::to_value(Traffic::NoTraffic).unwrap(),
            "no_traffic"
        );
    }

    #[test]
    fn an_error_estimate_without_traces_is_no_traffic_and_without_matched_slices_not_known() {
        use crate::math::{Alignment, ApproxErrorCount};
        let estimate = |matched: usize, volume: u64| ErrorEstimate {
            errors: ApproxErrorCount(0),
            volume,
            rate: (volume > 0).then_some(0.0),
            alignment: Alignment {
                matched,
                ..Alignment::default()
            },
        };
        assert_eq!(Traffic::of_errors(&estimate(120, 0)), Traffic::NoTraffic);
        assert_eq!(Traffic::of_errors(&estimate(0, 0)), Traffic::Unknown);
        assert_eq!(Traffic::of_errors(&estimate(120, 7)), Traffic::Seen);
    }
}
