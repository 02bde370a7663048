//! The client-wide slow-down: when the server answers 429, every request of the client
//! (all its clones, every task of a fan-out) waits until the server's `Retry-After`
//! (or the retry policy's backoff) has passed before it is sent, instead of each task
//! finding out with a 429 of its own.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Until when requests wait; shared by a client's clones.
#[derive(Debug, Default)]
pub(crate) struct Slowdown {
    until: Mutex<Option<Instant>>,
}

impl Slowdown {
    /// Holds every request for `delay` from now (a later hold already set stays).
    pub(crate) fn hold(&self, delay: Duration) {
        let Some(until) = Instant::now().checked_add(delay) else {
            return;
        };
        let mut current = self.until.lock().unwrap_or_else(|e| e.into_inner());
        if current.is_none_or(|at| at < until) {
            *current = Some(until);
        }
    }

    /// When requests may be sent again, if that is in the future.
    pub(crate) fn held_until(&self) -> Option<Instant> {
        let until = *self.until.lock().unwrap_or_else(|e| e.into_inner());
        until.filter(|at| *at > Instant::now())
    }

    /// Waits until requests may be sent (at once when nothing holds them); a hold set
    /// while waiting is waited for too. Returns how long it waited.
    pub(crate) async fn wait(&self) -> Duration {
        let started = Instant::now();
        while let Some(until) = self.held_until() {
            tokio::time::sleep_until(until).await;
        }
        started.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_longer_hold_wins_and_a_shorter_one_does_not_shorten_it() {
        let slowdown = Slowdown::default();
        assert!(slowdown.held_until().is_none());
        slowdown.hold(Duration::from_secs(60));
        let long = slowdown.held_until().unwrap();
        slowdown.hold(Duration::from_secs(1));
        assert_eq!(slowdown.held_until(), Some(long));
        slowdown.hold(Duration::from_secs(120));
        assert!(slowdown.held_until().unwrap() > long);
    }

    #[tokio::test]
    async fn nothing_held_means_no_wait() {
        let slowdown = Slowdown::default();
        slowdown.hold(Duration::ZERO);
        assert!(slowdown.held_until().is_none());
        assert!(slowdown.wait().await < Duration::from_secs(1));
    }
}
