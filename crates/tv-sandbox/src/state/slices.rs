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

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use crate::world::series::WindowSource;
use crate::world::{App, AppId, Side, Slice, WindowSpec};
use crate::world::{Resolved, window_slices};

/// What one entry costs besides its slices: key (twice: map and queue), `Arc` header,
/// map control bytes and allocator bookkeeping, rounded up.
const ENTRY_OVERHEAD: usize = 2 * std::mem::size_of::<Key>() + 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    app: AppId,
    side: Side,
    filter: Resolved,
    window: WindowSpec,
}

#[derive(Debug, Default)]
struct Windows {
    map: HashMap<Key, Arc<[Slice]>>,
    /// Keys in insertion order, oldest first.
    order: VecDeque<Key>,
    bytes: usize,
}

/// The memo of windows (see the module docs).
#[derive(Debug)]
pub(crate) struct SliceMemo {
    budget: usize,
    windows: Mutex<Windows>,
}

fn cost(slices: &[Slice]) -> usize {
    ENTRY_OVERHEAD + std::mem::size_of_val(slices)
}

impl SliceMemo {
    /// An empty memo holding at most `budget` bytes.
    pub(crate) fn new(budget: usize) -> SliceMemo {
        SliceMemo {
            budget,
            windows: Mutex::new(Windows::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Windows> {
        self.windows.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Windows held now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().map.len()
    }

    fn keep(&self, key: Key, slices: &Arc<[Slice]>) {
        let size = cost(slices);
        if size > self.budget {
            return;
        }
        let mut w = self.lock();
        if w.map.contains_key(&key) {
            return;
        }
        while w.bytes + size > self.budget {
            let Some(old) = w.order.pop_front() else {
                break;
            };
            if let Some(gone) = w.map.remove(&old) {
                w.bytes = w.bytes.saturating_sub(cost(&gone));
            }
        }
        w.bytes += size;
        w.order.push_back(key);
        w.map.insert(key, Arc::clone(slices));
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
        if let Some(found) = self.lock().map.get(&key) {
            return Arc::clone(found);
        }
        // Computed outside the lock: two requests for the same new window may both
        // compute it (the same slices); the first one is kept.
        let slices: Arc<[Slice]> = window_slices(app, rf, side, w).into();
        self.keep(key, &slices);
        slices
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
            assert!(memo.lock().bytes <= one * 10);
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
}
