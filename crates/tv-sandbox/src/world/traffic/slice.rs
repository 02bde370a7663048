//! The numbers of one slice: [`Slice`] and its layers' [`LayerSlice`].

use crate::world::filter::Side;
use crate::world::layers::MAX_LAYERS;

/// Counts and time of one layer in one slice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerSlice {
    /// Requests that called the layer at least once (≤ request volume).
    pub touching: u64,
    /// Calls into the layer (≥ `touching`, and ≥ 1 exactly when `touching` is; == volume
    /// for the entry and framework layers).
    pub calls: u64,
    /// Microseconds spent in the layer itself (self time, excluding the layers it calls);
    /// the layers' totals of a slice add up to its request latency total.
    pub total_us: u64,
}

/// The numbers of one slice of one app after filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    /// Slice start, seconds since the epoch.
    pub start: i64,
    /// Slice length in seconds.
    pub step: i64,
    /// Traced requests (server side) — with a layer filter, those through the layer.
    pub volume: u64,
    /// Sum of the latencies of those requests, microseconds.
    pub latency_total_us: u64,
    /// Traced requests that ended in an error (≤ `volume`).
    pub errors: u64,
    /// All requests, traced or not (≥ `volume`).
    pub total_requests: u64,
    /// Page views measured in browsers (client side; 0 unless resolved for the client).
    pub client_volume: u64,
    /// Sum of their page-load times, microseconds.
    pub client_latency_total_us: u64,
    pub(super) layers: [LayerSlice; MAX_LAYERS],
    pub(super) layer_count: usize,
}

impl Slice {
    pub(crate) fn empty(start: i64, step: i64, layer_count: usize) -> Self {
        Slice {
            start,
            step,
            volume: 0,
            latency_total_us: 0,
            errors: 0,
            total_requests: 0,
            client_volume: 0,
            client_latency_total_us: 0,
            layers: [LayerSlice::default(); MAX_LAYERS],
            layer_count,
        }
    }

    /// Adds `other`'s numbers (a later part of the same slice) to this one's.
    pub(super) fn absorb(&mut self, other: &Slice) {
        self.volume += other.volume;
        self.latency_total_us += other.latency_total_us;
        self.errors += other.errors;
        self.total_requests += other.total_requests;
        self.client_volume += other.client_volume;
        self.client_latency_total_us += other.client_latency_total_us;
        for (mine, theirs) in self.layers.iter_mut().zip(other.layers()) {
            mine.touching += theirs.touching;
            mine.calls += theirs.calls;
            mine.total_us += theirs.total_us;
        }
    }

    /// Per-layer numbers, in stack order (not narrowed by a layer filter).
    pub fn layers(&self) -> &[LayerSlice] {
        &self.layers[..self.layer_count]
    }

    /// `(volume, latency total)` of one side.
    pub fn side(&self, side: Side) -> (u64, u64) {
        match side {
            Side::Server => (self.volume, self.latency_total_us),
            Side::Client => (self.client_volume, self.client_latency_total_us),
        }
    }
}
