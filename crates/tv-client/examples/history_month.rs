//! A month of an app's history: 30 days stitched from consecutive one-week windows
//! (the API serves at most a week at a time, in 2-hour slices), then resampled to one
//! point per day.
//!
//! `cargo run -p tv-client --example history_month` (an in-process sandbox), or with
//! `TV_BASE_URL`, `TV_API_KEY` (and `TV_APP`) set, against a real server.

mod support;

use std::time::Duration;

use tv_client::{ServerFilter, TimeRange, TimeWindow, math, units};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::connect().await?;
    let (tv, app) = (&target.tv, target.app.as_str());
    // The server's "now": the end of its latest hour, never this machine's clock.
    let latest = tv
        .latency()
        .server_series(app, &ServerFilter::new().window(TimeWindow::Hour))
        .await?;
    let now = latest
        .span()
        .ok_or("the app has no traffic in the last hour")?
        .end;
    let month = TimeRange::new(now - chrono::Duration::days(30), now).ok_or("empty range")?;

    let week = ServerFilter::new().window(TimeWindow::Week);
    let stitched = tv.latency().server_history(app, &week, month).await?;
    println!(
        "{app}: {} slices of 2 h over 30 days, complete: {}, overlapping slices dropped: {}",
        stitched.series.points().len(),
        stitched.coverage.is_complete(),
        stitched.coverage.overlapping_dropped
    );
    let daily = math::resample(&stitched.series, Duration::from_secs(86_400))?;
    for day in daily.points() {
        let average = day
            .average
            .map_or_else(|| "-".to_owned(), units::format_duration);
        println!(
            "{}  {:>8} traces  average {average}",
            day.at.format("%Y-%m-%d"),
            units::format_count(day.volume)
        );
    }
    Ok(())
}
