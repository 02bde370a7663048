//! A per-key rate limit, as a real service has one: a token bucket per access key.
//!
//! With `--rate-limit N` each key has a bucket of `max(1, ⌊N⌋)` tokens (so a burst of
//! up to one second's worth of requests), refilled continuously at `N` tokens per second
//! (`N` may be fractional: `0.2` is one request every 5 s). A request takes one token;
//! without a whole token it is answered `429 Too Many Requests` with the error envelope
//! and `Retry-After`: the seconds, rounded up, until the key has a token again — a client
//! that waits that long and sends alone gets through. Refused requests take nothing.
//!
//! The limit applies after the key check (a wrong key is a 403, never a 429) and before
//! the parameters are looked at, to every route that needs a key, writes included (a
//! refused write did not happen). Only accepted keys get a bucket, so the memory is
//! bounded by the configured keys.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, header};
use axum::response::Response;

use super::envelope;

/// One key's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of every key (see the module docs).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: f64,
    capacity: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// A limit of `per_second` requests per second per key (finite, above 0).
    pub(crate) fn new(per_second: f64) -> RateLimiter {
        RateLimiter {
            per_second,
            capacity: per_second.floor().max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token of `key` at `now`, or tells how long until there is one.
    pub(crate) fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = match buckets.get_mut(key) {
            Some(b) => b,
            None => buckets.entry(key.to_owned()).or_insert(Bucket {
                tokens: self.capacity,
                at: now,
            }),
        };
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.capacity);
        bucket.at = bucket.at.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            // A tiny rate (`--rate-limit 1e-20`) asks for longer than a `Duration` holds.
            Err(
                Duration::try_from_secs_f64((1.0 - bucket.tokens) / self.per_second)
                    .unwrap_or(Duration::MAX),
            )
        }
    }

    /// `429` with the error envelope and `Retry-After` for a wait of `wait`.
    pub(crate) fn refusal(&self, wait: Duration) -> Response {
        let seconds = retry_after(wait);
        let mut resp = envelope::error(
            429,
            &format!(
                "Too Many Requests: the rate limit is {} requests per second per key; \
                 retry after {seconds} s",
                self.per_second
            ),
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        resp
    }
}

/// `Retry-After` delay-seconds for a wait: rounded up, at least 1.
fn retry_after(wait: Duration) -> u64 {
    let whole = wait.as_secs();
    let seconds = if wait.subsec_nanos() > 0 {
        whole.saturating_add(1)
    } else {
        whole
    };
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate_per_key() {
        let limit = RateLimiter::new(4.0);
        let t0 = Instant::now();
        for _ in 0..4 {
            assert_eq!(limit.take("a", t0), Ok(()));
        }
        let wait = limit.take("a", t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(250));
        // Another key has its own bucket; refused requests took nothing.
        assert_eq!(limit.take("b", t0), Ok(()));
        assert!(limit.take("a", t0 + Duration::from_millis(100)).is_err());
        assert_eq!(limit.take("a", t0 + wait), Ok(()));
        // Idle time refills up to the burst, not beyond.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..4 {
            assert_eq!(limit.take("a", later), Ok(()));
        }
        assert!(limit.take("a", later).is_err());
    }

    #[test]
    fn slow_rates_wait_whole_seconds_rounded_up() {
        let limit = RateLimiter::new(0.2);
        let t0 = Instant::now();
        assert_eq!(limit.take("k", t0), Ok(()));
        let wait = limit
            .take("k", t0 + Duration::from_millis(500))
            .unwrap_err();
        assert_eq!(retry_after(wait), 5, "4.5 s rounds up to 5");
        assert!(limit.take("k", t0 + Duration::from_millis(4_900)).is_err());
        assert_eq!(limit.take("k", t0 + Duration::from_secs(5)), Ok(()));
        assert_eq!(retry_after(Duration::from_millis(1)), 1);
        assert_eq!(retry_after(Duration::from_secs(2)), 2);
        assert_eq!(retry_after(Duration::ZERO), 1);
        let resp = limit.refusal(wait);
        assert_eq!(resp.status(), 429);
        assert_eq!(resp.headers()[header::RETRY_AFTER], "5");
    }

    #[test]
    fn a_vanishing_rate_refuses_without_overflowing() {
        let limit = RateLimiter::new(1e-20);
        let t0 = Instant::now();
        assert_eq!(limit.take("k", t0), Ok(()));
        let wait = limit.take("k", t0).unwrap_err();
        assert_eq!(wait, Duration::MAX);
        assert_eq!(retry_after(wait), u64::MAX);
        assert_eq!(limit.refusal(wait).status(), 429);
    }
}
