//! Connections that have not sent a complete request yet, oldest first. At the
//! connection cap the oldest of them is closed to make room for a new connection, so
//! idle clients (or an attacker's half-open ones) cannot hold scrapes out until the
//! request deadline; connections that have sent a request are never closed this way.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

/// The connections still waiting for their first complete request.
#[derive(Debug, Default)]
pub struct Waiting {
    next: AtomicU64,
    /// By arrival (ids only grow): the first entry is the oldest.
    connections: Mutex<BTreeMap<u64, Arc<Notify>>>,
}

/// One connection's place among the waiting: dropped (or [`Ticket::requested`]) when it
/// is no longer waiting.
#[derive(Debug)]
pub struct Ticket {
    id: u64,
    waiting: Arc<Waiting>,
    /// Notified when the connection is to be closed for a newer one.
    pub closed: Arc<Notify>,
}

impl Waiting {
    /// Registers a new connection as waiting for its first request.
    pub fn enter(self: &Arc<Self>) -> Ticket {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let closed = Arc::new(Notify::new());
        self.lock().insert(id, Arc::clone(&closed));
        Ticket {
            id,
            waiting: Arc::clone(self),
            closed,
        }
    }

    /// Closes the oldest connection that has not sent a request yet; false when every
    /// connection has sent one.
    pub fn close_oldest(&self) -> bool {
        match self.lock().pop_first() {
            Some((_, closed)) => {
                // A stored permit: the connection sees it even if not awaiting yet.
                closed.notify_one();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Notify>>> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Ticket {
    /// The connection sent a complete request: it is no longer closed for newer ones.
    pub fn requested(&self) {
        self.waiting.lock().remove(&self.id);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.requested();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_waiting_connection_is_closed_first() {
        let waiting = Arc::new(Waiting::default());
        let first = waiting.enter();
        let second = waiting.enter();
        let third = waiting.enter();
        second.requested();
        assert!(waiting.close_oldest());
        assert!(waiting.close_oldest());
        assert!(!waiting.close_oldest(), "the one that sent a request stays");
        drop((first, second, third));
        assert!(waiting.lock().is_empty());
    }

    #[tokio::test]
    async fn a_closed_connection_is_told_even_before_it_listens() {
        let waiting = Arc::new(Waiting::default());
        let ticket = waiting.enter();
        assert!(waiting.close_oldest());
        ticket.closed.notified().await;
    }
}
