//! A memo of serialized series answers.
//!
//! A series, summary or by-layer answer is a pure function of `(app, window, filters)`
//! as long as no write changes the apps (the world's values depend only on the seed,
//! the app, the filters and the slice), so the serialized envelope can be reused for
//! the same key until the next write. Dashboards and CLIs repeat the same queries many
//! times per window step, which is what this serves.
//!
//! Invalidation is by generation: every write bumps the generation (after the write is
//! published, before it is acknowledged); an entry is only served when it was computed
//! at the current generation, and the generation is read *before* the world snapshot
//! the entry is computed from, so an entry can never be newer than its tag claims.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;

use crate::world::{Filter, WindowSpec};

/// At most this many bytes of answers are kept; past it the memo starts over.
const MAX_BYTES: usize = 32 << 20;

/// Which computed endpoint an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Computed {
    ServerSeries,
    ClientSeries,
    ServerSummary,
    ClientSummary,
    ByLayer,
    ErrorRate,
    TotalSeries,
    TotalSummary,
}

/// What an answer depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey {
    pub(crate) endpoint: Computed,
    pub(crate) app: String,
    pub(crate) window: WindowSpec,
    pub(crate) filter: Filter,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<CacheKey, (u64, Bytes)>,
    bytes: usize,
}

/// The memo.
#[derive(Debug, Default)]
pub(crate) struct ResponseCache {
    generation: AtomicU64,
    entries: Mutex<Entries>,
}

impl ResponseCache {
    /// The current generation; read it before taking the world snapshot.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The answer for `key` computed at generation `generation`, if any.
    pub(crate) fn get(&self, key: &CacheKey, generation: u64) -> Option<Bytes> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.map.get(key) {
            Some((g, body)) if *g == generation => Some(body.clone()),
            _ => None,
        }
    }

    /// Keeps an answer computed at `generation` (ignored if a write happened since).
    pub(crate) fn put(&self, key: CacheKey, generation: u64, body: Bytes) {
        if self.generation() != generation || body.len() > MAX_BYTES / 8 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.bytes + body.len() > MAX_BYTES {
            entries.map.clear();
            entries.bytes = 0;
        }
        entries.bytes += body.len();
        if let Some((_, old)) = entries.map.insert(key, (generation, body)) {
            entries.bytes = entries.bytes.saturating_sub(old.len());
        }
    }

    /// Forgets everything; called after every write, before it is acknowledged.
    pub(crate) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.map.clear();
        entries.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::TimeWindow;

    fn key(app: &str) -> CacheKey {
        CacheKey {
            endpoint: Computed::ByLayer,
            app: app.to_owned(),
            window: WindowSpec::ending_at(TimeWindow::Hour, 1_704_283_200),
            filter: Filter::none(),
        }
    }

    #[test]
    fn entries_die_with_their_generation() {
        let cache = ResponseCache::default();
        let g = cache.generation();
        cache.put(key("a"), g, Bytes::from_static(b"x"));
        assert_eq!(cache.get(&key("a"), g), Some(Bytes::from_static(b"x")));
        assert_eq!(cache.get(&key("b"), g), None);
        cache.invalidate();
        let g2 = cache.generation();
        assert_eq!(cache.get(&key("a"), g2), None);
        // An answer computed before the write is not kept.
        cache.put(key("a"), g, Bytes::from_static(b"stale"));
        assert_eq!(cache.get(&key("a"), g2), None);
    }
}
