//! `tv export openmetrics` over a month stitches three steps (2 h, 15 min, 30 s): where
//! the step changes, the history must not jump beyond what the data itself does. The
//! sandbox's coarse slices are aggregates of its fine ones, so the fine samples of the
//! first coarse step after a boundary average to exactly the coarse slice the server
//! would have sent for that time, and the jump at the boundary stays within the coarse
//! tier's own slice-to-slice variation.

use chrono::{DateTime, TimeDelta, Utc};
use tv_client::ServerFilter;
use tv_client::export::history::{Sample, fetch, plan};
use tv_client::range::TimeRange;
use tv_testkit::{FROZEN_NOW, LocalSandbox};

use super::frozen;

/// The mean of the samples in `[from, to)` and how many there are.
fn mean_in(samples: &[Sample], from: DateTime<Utc>, to: DateTime<Utc>) -> (f64, usize) {
    let inside: Vec<f64> = samples
        .iter()
        .filter(|(at, _)| *at >= from && *at < to)
        .map(|(_, v)| *v)
        .collect();
    (
        inside.iter().sum::<f64>() / inside.len().max(1) as f64,
        inside.len(),
    )
}

#[tokio::test]
async fn a_month_of_history_has_no_jump_where_the_step_changes() {
    let sandbox = LocalSandbox::frozen_at(FROZEN_NOW)
        .await
        .expect("the sandbox starts");
    let tv = sandbox.client();
    let range = TimeRange::new(frozen() - TimeDelta::days(30), frozen()).unwrap();
    let tiers = plan(range);
    assert_eq!(tiers.len(), 3, "{tiers:?}");
    for app in ["web-shop", "billing-api", "Default"] {
        let history = fetch(tv, app, range).await.expect("history");
        let rates = &history.traced_rate;
        for pair in tiers.windows(2) {
            let ((coarse, _), (fine, fine_part)) = (pair[0], pair[1]);
            let boundary = fine_part.start;
            let step = TimeDelta::from_std(coarse.step()).unwrap();
            // What the server says for the first coarse step after the boundary.
            let filter = ServerFilter::new().window(coarse).end(boundary + step);
            let series = tv.latency().server_series(app, &filter).await.unwrap();
            let last = series.points().last().unwrap();
            assert_eq!(last.at, boundary, "{app} {coarse}");
            let coarse_rate = last.volume as f64 / coarse.step().as_secs_f64();
            // The exported fine samples of the same time average to it exactly.
            let (fine_rate, n) = mean_in(rates, boundary, boundary + step);
            assert_eq!(
                n as u32,
                (coarse.step().as_secs() / fine.step().as_secs()) as u32
            );
            assert!(
                (fine_rate - coarse_rate).abs() <= 1e-9 * coarse_rate.max(1.0),
                "{app} at {boundary}: {coarse} {coarse_rate}/s, {fine} samples {fine_rate}/s"
            );
            // The jump at the boundary, against the coarse tier's own variation.
            let before: Vec<f64> = rates
                .iter()
                .filter(|(at, _)| *at < boundary)
                .map(|(_, v)| *v)
                .collect();
            let largest_step = before
                .windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .fold(0.0, f64::max);
            let jump = (fine_rate - before.last().copied().unwrap_or(fine_rate)).abs();
            assert!(
                jump <= largest_step,
                "{app} at {boundary}: jump {jump}/s beyond the data's own {largest_step}/s"
            );
        }
    }
}
