//! This machine's clock, injectable so tests can set it wrong on purpose.

use std::fmt;

use chrono::{DateTime, Utc};

/// A source of "now" on this machine. The workflows never use it for a window's end
/// (that is the server's now, [`Now`](super::Now)); only to measure the skew against
/// the server ([`clock_skew`](super::clock_skew)) and as the last resort when the server
/// has no app to tell its time by.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant (tests: a client clock that is off by years).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
