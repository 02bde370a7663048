//! How many apps a fan-out runs at once: a fixed number, or a limit that adapts to
//! the server (additive increase while the fetches are bound by latency, multiplicative
//! decrease when the server signals overload).
//!
//! The controller is pure: it is told when an app starts and how each one ended, and
//! answers with the current limit. No clock is read here, so its logic is tested
//! without timing.

use std::time::Duration;

/// How many apps a fan-out fetches at once.
///
/// `usize` converts to [`Concurrency::Fixed`]; the default is
/// [`Concurrency::adaptive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    /// Exactly this many apps at a time (at least one).
    Fixed(usize),
    /// Starts at `initial` apps and adapts between 1 and `max` (see
    /// [`Concurrency::adaptive`]).
    Adaptive {
        /// Apps at the start; also the least the limit falls to while the server
        /// signals no overload.
        initial: usize,
        /// The most apps at once, whatever the latency.
        max: usize,
    },
}

/// The adaptive limit's start: 4 apps, 24 requests.
pub const ADAPTIVE_INITIAL: usize = 4;

/// The adaptive limit's ceiling: 16 apps. A report asks 6 things of each app at once,
/// so 16 apps are 96 requests in flight to one host: below the 100 concurrent streams
/// that RFC 9113 (HTTP/2, §6.5.2) asks every server to allow one connection, which is
/// what a real service can be expected to tolerate from one client.
pub const ADAPTIVE_MAX: usize = 16;

impl Concurrency {
    /// The default: start at [`ADAPTIVE_INITIAL`] apps; while apps complete as fast as
    /// the fastest seen so far (their time is the server's round trip, not queueing),
    /// one more app per app completed (doubling per round, like TCP's slow start) up
    /// to [`ADAPTIVE_MAX`]; while they take three times as long, slowly back to the
    /// start; and on a 429, a 5xx or a timeout anywhere in the client, half as many
    /// (once per round), then one more per round only.
    pub fn adaptive() -> Concurrency {
        Concurrency::Adaptive {
            initial: ADAPTIVE_INITIAL,
            max: ADAPTIVE_MAX,
        }
    }
}

impl Default for Concurrency {
    fn default() -> Self {
        Concurrency::adaptive()
    }
}

impl From<usize> for Concurrency {
    fn from(n: usize) -> Self {
        Concurrency::Fixed(n)
    }
}

/// An app fetch's latency this many times the fastest one's means queueing.
const SHRINK_ABOVE: f64 = 3.0;
/// Below this many times the fastest, the fetches are bound by the round trip.
const GROW_BELOW: f64 = 1.5;
/// Weight of the newest latency in the smoothed one.
const SMOOTHING: f64 = 0.25;

/// How an app's fetch ended, as the controller sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample {
    /// The number [`Limiter::start`] gave the app.
    pub(crate) seq: u64,
    /// From its start to its end.
    pub(crate) latency: Duration,
    /// Whether the client saw an overload (429, 5xx, timeout) while it ran.
    pub(crate) overloaded: bool,
    /// Whether it failed (for another reason): its time says nothing about load.
    pub(crate) failed: bool,
}

/// The limit of one fan-out.
#[derive(Debug, Clone)]
pub(crate) struct Limiter {
    /// The current limit, fractional so that the increase per round can be one.
    limit: f64,
    fixed: bool,
    /// Where latency alone stops lowering the limit.
    floor: f64,
    max: f64,
    /// Below it the limit grows by one per completion, above it by one per round.
    threshold: f64,
    fastest: Option<f64>,
    smoothed: Option<f64>,
    started: u64,
    /// Apps started before this number were in flight at the last decrease: their
    /// overloads are that decrease's, not new ones.
    recovered_from: u64,
}

impl Limiter {
    pub(crate) fn new(concurrency: Concurrency) -> Limiter {
        let (initial, max, fixed) = match concurrency {
            Concurrency::Fixed(n) => (n.max(1), n.max(1), true),
            Concurrency::Adaptive { initial, max } => {
                let max = max.max(1);
                (initial.clamp(1, max), max, false)
            }
        };
        Limiter {
            limit: initial as f64,
            fixed,
            floor: initial as f64,
            max: max as f64,
            threshold: max as f64,
            fastest: None,
            smoothed: None,
            started: 0,
            recovered_from: 0,
        }
    }

    /// How many apps may be in flight now.
    pub(crate) fn limit(&self) -> usize {
        (self.limit.floor() as usize).max(1)
    }

    /// Notes that an app starts; its number goes into its [`Sample`].
    pub(crate) fn start(&mut self) -> u64 {
        let seq = self.started;
        self.started += 1;
        seq
    }

    /// Takes an app's outcome into account.
    pub(crate) fn complete(&mut self, sample: Sample) {
        if self.fixed {
            return;
        }
        if sample.overloaded {
            if sample.seq >= self.recovered_from {
                self.limit = (self.limit / 2.0).floor().max(1.0);
                self.threshold = self.limit;
                self.recovered_from = self.started;
            }
            return;
        }
        if sample.failed {
            return;
        }
        let latency = sample.latency.as_secs_f64();
        let fastest = self.fastest.map_or(latency, |f| f.min(latency));
        let smoothed = self
            .smoothed
            .map_or(latency, |s| s + SMOOTHING * (latency - s));
        self.fastest = Some(fastest);
        self.smoothed = Some(smoothed);
        let ratio = if fastest > 0.0 {
            smoothed / fastest
        } else {
            1.0
        };
        if ratio <= GROW_BELOW {
            let step = if self.limit < self.threshold {
                1.0
            } else {
                1.0 / self.limit
            };
            self.limit = (self.limit + step).min(self.max);
        } else if ratio >= SHRINK_ABOVE && self.limit > self.floor {
            self.limit = (self.limit - 1.0 / self.limit).max(self.floor);
        }
    }
}

#[cfg(test)]
#[path = "limit_tests.rs"]
mod tests;
