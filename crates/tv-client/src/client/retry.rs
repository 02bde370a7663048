//! The retry policy: how many attempts, how long to wait between them.

use std::time::Duration;

/// Bounded retries with exponential backoff and full jitter.
///
/// Only idempotent operations (GET, DELETE) are retried, on rate limiting (429), 500,
/// 502, 503, 504, connection errors and timeouts; a DELETE whose retry finds the thing
/// gone after a lost answer is a success ([`crate::Deletion::AfterLostAnswer`]). Writes
/// (`log_message`, `assign_app`) are retried only after [`RetryPolicy::retry_writes`],
/// since a retried annotation is a duplicate annotation. A `Retry-After` from the server is honoured as long as it does
/// not exceed [`RetryPolicy::max_retry_after`]; a longer wait ends the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    rate_limit_budget: Duration,
    retry_writes: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms up to 5 s, `Retry-After` honoured up to 30 s,
    /// up to 30 s of a call's 429 waits not counted as attempts, writes not retried.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            rate_limit_budget: Duration::from_secs(30),
            retry_writes: false,
        }
    }
}

impl RetryPolicy {
    /// No retries at all: one attempt per call, a 429 included.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            rate_limit_budget: Duration::ZERO,
            ..RetryPolicy::default()
        }
    }

    /// Sets the number of attempts per call (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first backoff delay; each retry doubles the ceiling.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Caps the backoff delay.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` the client is willing to wait.
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// How long one call may wait out 429 answers that carry a `Retry-After` without
    /// those answers counting as failed attempts: a server that rate-limits is obeyed,
    /// not given up on, until this much waiting; past it each 429 is an attempt again.
    pub fn rate_limit_budget(mut self, budget: Duration) -> Self {
        self.rate_limit_budget = budget;
        self
    }

    /// What waiting out a 429 that asked for `asked` costs of the budget: at least a
    /// second (`Retry-After` counts whole seconds), so a server answering
    /// `Retry-After: 0` forever still ends the call.
    pub(crate) fn rate_limit_cost(asked: Duration) -> Duration {
        asked.max(Duration::from_secs(1))
    }

    /// Whether waiting `asked` more, after `spent` of the budget, stays within it.
    pub(crate) fn rate_limit_wait_is_free(&self, spent: Duration, asked: Duration) -> bool {
        asked <= self.max_retry_after
            && spent.saturating_add(Self::rate_limit_cost(asked)) <= self.rate_limit_budget
    }

    /// Opts in to retrying writes (may duplicate annotations and assignments).
    pub fn retry_writes(mut self, retry: bool) -> Self {
        self.retry_writes = retry;
        self
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn retries_writes(&self) -> bool {
        self.retry_writes
    }

    /// How long a 429 holds every request of the client: the server's `Retry-After`,
    /// at most [`RetryPolicy::max_retry_after`], or the backoff of `attempt` without
    /// one. Applies whether or not the call that got the 429 retries.
    pub(crate) fn rate_limit_hold(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let capped = retry_after.map(|asked| asked.min(self.max_retry_after));
        self.delay(attempt, capped).unwrap_or(self.max_retry_after)
    }

    /// The wait before attempt `attempt + 1`, or `None` when the server's
    /// `Retry-After` exceeds what the policy accepts.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(asked) = retry_after {
            return (asked <= self.max_retry_after).then_some(asked);
        }
        let exponent = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let jitter = fastrand::u64(0..=ceiling.as_micros().min(u128::from(u64::MAX)) as u64);
        Some(Duration::from_micros(jitter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_a_doubling_ceiling() {
        let policy = RetryPolicy::default();
        for attempt in 1..10 {
            let ceiling =
                Duration::from_millis(200 * (1 << (attempt - 1))).min(Duration::from_secs(5));
            for _ in 0..50 {
                let delay = policy.delay(attempt, None).unwrap();
                assert!(
                    delay <= ceiling,
                    "attempt {attempt}: {delay:?} > {ceiling:?}"
                );
            }
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(10));
        assert_eq!(
            policy.rate_limit_hold(1, Some(Duration::from_secs(60))),
            Duration::from_secs(10)
        );
        assert_eq!(
            policy.rate_limit_hold(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert!(policy.rate_limit_hold(1, None) <= Duration::from_secs(10));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(policy.delay(1, Some(Duration::from_secs(11))), None);
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
        assert_eq!(RetryPolicy::none().attempts(), 1);
    }
}
