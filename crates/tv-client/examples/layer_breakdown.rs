//! Where an app's time goes: the per-layer breakdown of the last day (calls, time per
//! call, time per request, share of request time), from the by-layer series and the
//! server series.
//!
//! `cargo run -p tv-client --example layer_breakdown` (an in-process sandbox), or
//! against `TV_BASE_URL`/`TV_API_KEY` (and `TV_APP`).

mod support;

use tv_client::{ServerFilter, TimeWindow, math, units};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::connect().await?;
    let (tv, app) = (&target.tv, target.app.as_str());
    let day = ServerFilter::new().window(TimeWindow::Day);
    // Both fetches at once: they are independent.
    let (layers, server) = futures::try_join!(
        tv.latency().by_layer(app, &day),
        tv.latency().server_series(app, &day)
    )?;
    let mut breakdown = math::layer_breakdown(&layers, Some(&server));
    breakdown.sort_by(|a, b| b.share.unwrap_or(0.0).total_cmp(&a.share.unwrap_or(0.0)));
    println!(
        "{app}, last day: {:<16} {:>10} {:>12} {:>12} {:>7}",
        "layer", "calls", "per call", "per request", "share"
    );
    for layer in breakdown {
        let show = |d: Option<std::time::Duration>| {
            d.map_or_else(|| "-".to_owned(), units::format_duration)
        };
        println!(
            "{:<16} {:>10} {:>12} {:>12} {:>7}",
            layer.layer,
            units::format_count(layer.calls),
            show(layer.per_call),
            show(layer.per_request),
            layer
                .share
                .map_or_else(|| "-".to_owned(), |s| units::format_percent(s * 100.0))
        );
    }
    Ok(())
}
