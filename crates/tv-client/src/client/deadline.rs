//! One deadline for a whole run: every call of a client (and of its clones) ends by it.

use std::time::Duration;

use tokio::time::Instant;

/// When a run must end: each attempt's timeout and each wait between attempts (a
/// backoff, a 429's `Retry-After`, the client-wide slow-down) is clipped to the time
/// left, and a call with no time left fails with [`Error::DeadlineExceeded`]
/// (a typed kind: [`Error::is_deadline`]). A fan-out stops starting apps past it and
/// lists them as skipped.
///
/// [`Error::DeadlineExceeded`]: crate::Error::DeadlineExceeded
/// [`Error::is_deadline`]: crate::Error::is_deadline
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    /// `budget` from now.
    pub fn after(budget: Duration) -> Self {
        let now = Instant::now();
        Deadline {
            at: now
                .checked_add(budget)
                .unwrap_or(now + Duration::from_secs(86_400 * 365)),
            budget,
        }
    }

    /// The whole budget, as given (for messages: `--deadline 5s`).
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// The time left (zero once passed).
    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// Whether no time is left.
    pub fn has_passed(&self) -> bool {
        self.remaining().is_zero()
    }

    /// The instant it falls at.
    pub(crate) fn at(&self) -> Instant {
        self.at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_budget_has_passed_and_a_long_one_has_not() {
        assert!(Deadline::after(Duration::ZERO).has_passed());
        let long = Deadline::after(Duration::from_secs(3600));
        assert!(!long.has_passed());
        assert!(long.remaining() <= Duration::from_secs(3600));
        assert_eq!(long.budget(), Duration::from_secs(3600));
    }

    #[test]
    fn a_huge_budget_does_not_overflow() {
        assert!(!Deadline::after(Duration::MAX).has_passed());
    }
}
