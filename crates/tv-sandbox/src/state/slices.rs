//! A memo of computed windows, shared by the answers that need the same slices.
//!
//! A window's slices are a pure function of `(app, resolved filter, side, window)`, and
//! several endpoints read the same window: `tv report` asks, per app, for the latency
//! summary, the latency series, the error rate, the total-requests summary and the
//! by-layer series of one window — five answers from the same 120 slices. With this memo
//! they are computed once, whatever the number of apps (the answers of one app arrive
//! together, so a memo of the last windows is enough; it does not need to hold the
//! whole world).
//!
//! Entries never go stale: an app id is never reused (created apps get fresh ids, even
//! after a deletion) and an app's traffic depends only on the app, never on writes. The
//! memo is bounded by a byte budget and forgets its oldest windows first.
//!
//! Besides whole windows, the memo keeps **15-minute blocks** (the day window's slices,
//! under the same filter), within a byte budget of their own as large as the windows'.
//! A week window's 2-hour slices are summed from them: 8 blocks each instead of 240
//! 30-second slices, so windows that overlap (a week ending 2 hours later, a week after
//! a day of the same app) compute only the blocks they do not share. The sum of a
//! slice's blocks is exactly the slice (both are sums of the same 30-second slices;
//! `traffic::sum_of_blocks`).

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use crate::world::series::WindowSource;
use crate::world::traffic::{BLOCK, compute, sum_of_blocks};
use crate::world::{App, AppId, Side, Slice, WindowSpec};
use crate::world::{Resolved, window_slices, window_slices_by};

/// What one window entry costs besides its slices: key (twice: map and queue), `Arc`
/// header, map control bytes and allocator bookkeeping, rounded up.
const ENTRY_OVERHEAD: usize = 2 * std::mem::size_of::<Key>() + 64;

/// What one block entry costs: key (twice), the slice, map control bytes, rounded up.
const BLOCK_COST: usize = 2 * std::mem::size_of::<BlockKey>() + std::mem::size_of::<Slice>() + 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    app: AppId,
    side: Side,
    filter: Resolved,
    window: WindowSpec,
}

/// A 15-minute block: the slice `[start, start + BLOCK)` (it has happened: only slices
/// that have are summed from blocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct BlockKey {
    app: AppId,
    side: Side,
    filter: Resolved,
    start: i64,
}

/// A map that forgets its oldest entries past a byte budget.
#[derive(Debug)]
struct Fifo<K, V> {
    map: HashMap<K, V>,
    /// Keys in insertion order, oldest first.
    order: VecDeque<K>,
    bytes: usize,
    budget: usize,
}

impl<K: Copy + Eq + Hash, V: Clone> Fifo<K, V> {
    fn new(budget: usize) -> Self {
        Fifo {
            map: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            budget,
        }
    }

    fn get(&self, key: &K) -> Option<V> {
        self.map.get(key).cloned()
    }

    /// Keeps `value` (costing `size` bytes), forgetting the oldest entries to make room.
    fn keep(&mut self, key: K, value: V, size: usize, cost: impl Fn(&V) -> usize) {
        if size > self.budget || self.map.contains_key(&key) {
            return;
        }
        while self.bytes + size > self.budget {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(gone) = self.map.remove(&old) {
                self.bytes = self.bytes.saturating_sub(cost(&gone));
            }
        }
        self.bytes += size;
        self.order.push_back(key);
        self.map.insert(key, value);
    }
}

/// The memo of windows and blocks (see the module docs).
#[derive(Debug)]
pub(crate) struct SliceMemo {
    windows: Mutex<Fifo<Key, Arc<[Slice]>>>,
    blocks: Mutex<Fifo<BlockKey, Slice>>,
}

fn cost(slices: &[Slice]) -> usize {
    ENTRY_OVERHEAD + std::mem::size_of_val(slices)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SliceMemo {
    /// An empty memo holding at most `budget` bytes of windows and as many of blocks.
    pub(crate) fn new(budget: usize) -> SliceMemo {
        SliceMemo {
            windows: Mutex::new(Fifo::new(budget)),
            blocks: Mutex::new(Fifo::new(budget)),
        }
    }

    /// Windows held now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.windows).map.len()
    }

    /// The block at `start` (which has happened), remembered.
    fn block(&self, app: &App, rf: &Resolved, side: Side, start: i64) -> Slice {
        let key = BlockKey {
            app: app.id,
            side,
            filter: *rf,
            start,
        };
        if let Some(found) = lock(&self.blocks).get(&key) {
            return found;
        }
        let slice = compute(app, rf, side, start, BLOCK);
        lock(&self.blocks).keep(key, slice, BLOCK_COST, |_| BLOCK_COST);
        slice
    }
}

impl WindowSource for SliceMemo {
    fn slices(&self, app: &App, rf: &Resolved, side: Side, w: WindowSpec) -> Arc<[Slice]> {
        let key = Key {
            app: app.id,
            side,
            filter: *rf,
            window: w,
        };
        if let Some(found) = lock(&self.windows).get(&key) {
            return found;
        }
        // Computed outside the lock: two requests for the same new window may both
        // compute it (the same slices); the first one is kept. Windows on the block
        // grid (day, week) are summed from blocks, when blocks are kept at all.
        let on_blocks = w.step() % BLOCK == 0 && lock(&self.blocks).budget >= BLOCK_COST;
        let slices: Arc<[Slice]> = if on_blocks {
            window_slices_by(app, w, |start, step| {
                sum_of_blocks(app, start, step, |b| self.block(app, rf, side, b))
            })
            .into()
        } else {
            window_slices(app, rf, side, w).into()
        };
        let size = cost(&slices);
        lock(&self.windows).keep(key, Arc::clone(&slices), size, |s| cost(s));
        slices
    }

    fn slice(&self, app: &App, rf: &Resolved, side: Side, start: i64, step: i64) -> Slice {
        if step == BLOCK && lock(&self.blocks).budget >= BLOCK_COST {
            self.block(app, rf, side, start)
        } else {
            compute(app, rf, side, start, step)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::{Catalog, Filter, TimeWindow, series};

    #[test]
    fn windows_are_shared_bounded_and_equal_to_fresh_ones() {
        let catalog = Catalog::generate(42, 40, 1_704_283_200);
        let w = WindowSpec::ending_at(TimeWindow::Hour, 1_704_283_200);
        let one = cost(&series::window_slices(
            &catalog.apps()[0],
            &Resolved::NONE,
            Side::Server,
            w,
        ));
        let memo = SliceMemo::new(one * 10);
        for app in catalog.apps() {
            let filter = Filter::default();
            let fresh = series::latency_series(app, Side::Server, &filter, w);
            let shared = series::latency_series_in(&memo, app, Side::Server, &filter, w);
            assert_eq!(fresh, shared, "{}", app.name);
            // The second answer of the same window reads the memo.
            let again = series::by_layer_in(&memo, app, &filter, w);
            assert_eq!(again, series::by_layer(app, &filter, w));
            assert!(memo.len() <= 10);
            assert!(lock(&memo.windows).bytes <= one * 10);
        }
        assert_eq!(memo.len(), 10, "the memo holds its budget's worth");
        let off = SliceMemo::new(0);
        let app = &catalog.apps()[1];
        assert_eq!(
            series::error_rate_series_in(&off, app, &Filter::default(), w),
            series::error_rate_series(app, &Filter::default(), w)
        );
        assert_eq!(off.len(), 0);
    }

    #[test]
    fn windows_summed_from_blocks_equal_fresh_ones() {
        let now = 1_704_283_200;
        let catalog = Catalog::generate(42, 8, now);
        // Room for a few weeks of blocks (a week is 672): old blocks are forgotten.
        let memo = SliceMemo::new(2_000 * BLOCK_COST);
        for app in catalog.apps() {
            let filters = [
                Filter::default(),
                Filter {
                    controller: app.controllers().next().map(str::to_owned),
                    ..Filter::default()
                },
                Filter {
                    layer: app.layers().last().map(|l| l.name.clone()),
                    browser: Some("Chrome".to_owned()),
                    ..Filter::default()
                },
            ];
            for filter in &filters {
                for (window, end) in [
                    (TimeWindow::Day, now),
                    (TimeWindow::Week, now),
                    (TimeWindow::Week, now - 7_200),
                    (TimeWindow::Week, now - 86_400 * 2),
                ] {
                    let w = WindowSpec::ending_at(window, end).seen_at(now - 1_000);
                    for side in [Side::Server, Side::Client] {
                        assert_eq!(
                            series::latency_series_in(&memo, app, side, filter, w),
                            series::latency_series(app, side, filter, w),
                            "{} {filter:?} {window:?} {end} {side:?}",
                            app.name
                        );
                        assert_eq!(
                            series::latency_summary_in(&memo, app, side, filter, w),
                            series::latency_summary(app, side, filter, w),
                        );
                    }
                    assert_eq!(
                        series::by_layer_in(&memo, app, filter, w),
                        series::by_layer(app, filter, w)
                    );
                    assert_eq!(
                        series::error_rate_series_in(&memo, app, filter, w),
                        series::error_rate_series(app, filter, w)
                    );
                }
            }
            assert!(lock(&memo.blocks).bytes <= 2_000 * BLOCK_COST);
        }
    }
}
