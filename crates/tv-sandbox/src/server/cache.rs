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
//!
//! The memo is bounded by a byte budget ([`Limits::memo_bytes`](super::Limits), default
//! 32 MiB) that counts **keys and values**: the answer's bytes, the key's strings (app
//! name and filter values, which a client chooses and may make 8 KiB long) and a fixed
//! overhead per entry for the map's own structures. When an answer would take the memo
//! past its budget, the least recently used quarter of the entries is forgotten first
//! (an approximate LRU: every entry remembers the tick of its last use).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;

use crate::world::{Filter, WindowSpec};

/// What one entry costs besides its strings and answer bytes: the key, the value and
/// the hash map's control bytes, rounded up for the allocator's own bookkeeping.
const ENTRY_OVERHEAD: usize =
    std::mem::size_of::<(CacheKey, Entry)>() + 2 * std::mem::size_of::<usize>() + 16;

/// Per heap string: the allocator's header, rounded.
const STRING_OVERHEAD: usize = 16;

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

impl CacheKey {
    /// Heap bytes held by the key's strings.
    fn heap_bytes(&self) -> usize {
        let f = &self.filter;
        let string = |s: &String| s.capacity() + STRING_OVERHEAD;
        string(&self.app)
            + [
                &f.domain,
                &f.url,
                &f.controller,
                &f.action,
                &f.layer,
                &f.browser,
                &f.region,
            ]
            .into_iter()
            .flatten()
            .map(string)
            .sum::<usize>()
    }
}

#[derive(Debug)]
struct Entry {
    generation: u64,
    last_used: u64,
    body: Bytes,
}

/// What an entry costs against the budget.
fn cost(key: &CacheKey, body: &Bytes) -> usize {
    ENTRY_OVERHEAD + key.heap_bytes() + body.len()
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<CacheKey, Entry>,
    bytes: usize,
    tick: u64,
}

impl Entries {
    /// Forgets the least recently used quarter of the entries (at least one).
    fn evict(&mut self) {
        let mut ticks: Vec<u64> = self.map.values().map(|e| e.last_used).collect();
        if ticks.is_empty() {
            self.bytes = 0;
            return;
        }
        let cut = ticks.len() / 4;
        let (_, threshold, _) = ticks.select_nth_unstable(cut);
        let threshold = *threshold;
        let mut freed = 0;
        self.map.retain(|key, entry| {
            let keep = entry.last_used > threshold;
            if !keep {
                freed += cost(key, &entry.body);
            }
            keep
        });
        self.bytes = self.bytes.saturating_sub(freed);
    }
}

/// The memo.
#[derive(Debug)]
pub(crate) struct ResponseCache {
    generation: AtomicU64,
    budget: usize,
    entries: Mutex<Entries>,
}

impl ResponseCache {
    /// An empty memo holding at most `budget` bytes (keys and values).
    pub(crate) fn new(budget: usize) -> Self {
        ResponseCache {
            generation: AtomicU64::new(0),
            budget,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// Bytes held now, as counted against the budget.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .bytes
    }

    /// The current generation; read it before taking the world snapshot.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The answer for `key` computed at generation `generation`, if any.
    pub(crate) fn get(&self, key: &CacheKey, generation: u64) -> Option<Bytes> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.tick += 1;
        let tick = entries.tick;
        match entries.map.get_mut(key) {
            Some(e) if e.generation == generation => {
                e.last_used = tick;
                Some(e.body.clone())
            }
            _ => None,
        }
    }

    /// Keeps an answer computed at `generation` (ignored if a write happened since).
    pub(crate) fn put(&self, key: CacheKey, generation: u64, body: Bytes) {
        let size = cost(&key, &body);
        if self.generation() != generation || size > self.budget / 8 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = entries.map.remove(&key) {
            entries.bytes = entries.bytes.saturating_sub(cost(&key, &old.body));
        }
        while entries.bytes + size > self.budget && !entries.map.is_empty() {
            entries.evict();
        }
        entries.tick += 1;
        let entry = Entry {
            generation,
            last_used: entries.tick,
            body,
        };
        entries.bytes += size;
        entries.map.insert(key, entry);
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
        keyed(app, None)
    }

    fn keyed(app: &str, url: Option<String>) -> CacheKey {
        CacheKey {
            endpoint: Computed::ByLayer,
            app: app.to_owned(),
            window: WindowSpec::ending_at(TimeWindow::Hour, 1_704_283_200),
            filter: Filter {
                url,
                ..Filter::default()
            },
        }
    }

    #[test]
    fn keys_count_against_the_budget_and_old_entries_go_first() {
        let budget = 1 << 20;
        let cache = ResponseCache::new(budget);
        let g = cache.generation();
        let hot = key("hot");
        cache.put(hot.clone(), g, Bytes::from_static(b"{}"));
        for i in 0..2_000 {
            // 8 KiB keys, tiny answers: the keys are what fills the memo.
            let url = format!("/{i}/{}", "x".repeat(8 << 10));
            cache.put(keyed("a", Some(url)), g, Bytes::from_static(b"{}"));
            assert!(cache.bytes() <= budget, "{} > {budget}", cache.bytes());
            assert!(cache.get(&hot, g).is_some(), "the entry in use stays");
        }
        let held = cache.entries.lock().unwrap().map.len();
        assert!(
            held > 50 && held < 128,
            "{held} entries of over 8 KiB in 1 MiB"
        );
        // A zero budget keeps nothing.
        let off = ResponseCache::new(0);
        off.put(key("a"), off.generation(), Bytes::from_static(b"x"));
        assert_eq!(off.get(&key("a"), off.generation()), None);
    }

    #[test]
    fn entries_die_with_their_generation() {
        let cache = ResponseCache::new(1 << 20);
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
