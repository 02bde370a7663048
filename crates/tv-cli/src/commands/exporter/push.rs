//! `tv exporter --otlp-endpoint URL`: every finished collection is also pushed as OTLP
//! metrics (stamped with the time it is sent), and a collection runs at least every
//! `--otlp-interval` whether or not Prometheus scrapes.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tv_client::export::otlp::{self, Sender, Signal};

use super::scrape::Collector;
use crate::render::text::clean_line;

/// Starts pushing the collections of `collector` to `sender`.
pub fn start(collector: Arc<Collector>, sender: Sender, interval: Duration) {
    let mut finished = collector.subscribe();
    let ticking = Arc::clone(&collector);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            ticking.start();
        }
    });
    tokio::spawn(async move {
        while finished.changed().await.is_ok() {
            let Some(collection) = finished.borrow_and_update().clone() else {
                continue;
            };
            let request = otlp::collection_metrics(&collection, SystemTime::now());
            if let Err(e) = sender.send(Signal::Metrics, &request).await {
                tracing::warn!("OTLP push: {}", clean_line(&e.to_string(), 300));
            }
        }
    });
}
