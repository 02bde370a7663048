//! How every app is doing, then one app's comparison with the CI gate.
//!
//! ```sh
//! cargo run -p tv-client --example report                 # an in-process sandbox
//! TV_BASE_URL=https://… TV_API_KEY=… cargo run -p tv-client --example report
//! ```

use futures::StreamExt;
use tv_client::workflow::{self, CompareRequest, GateRules, Now};
use tv_client::{TimeWindow, units};

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The target keeps its sandbox alive for as long as the client talks to it.
    let target = support::connect().await?;
    let tv = &target.tv;
    let now = Now::server(tv);

    // The report, streamed: rows arrive as each app completes (8 apps at a time).
    let apps = tv.discovery().apps().await?;
    let end = now.resolve(apps.first().map(String::as_str), None).await?;
    println!("the hour until {end} (the server's now)");
    let mut rows = workflow::report_stream(tv, apps, TimeWindow::Hour, end, 8);
    while let Some(done) = rows.next().await {
        match done.result {
            Ok(row) => println!(
                "{:<16} {:>7} traces  {:>9}  {:>8}",
                row.app,
                row.volume,
                row.average.map_or("-".into(), units::format_duration),
                row.change_fraction
                    .map_or("-".into(), |c| units::format_signed_percent(c * 100.0)),
            ),
            Err(error) => eprintln!("{}: {error}", done.app),
        }
    }

    // The comparison with the default gate: this hour against the one before.
    let request = CompareRequest::new(&target.app).rules(GateRules::default());
    let result = workflow::compare(tv, &now, &request).await?;
    if result.verdict.passed() {
        println!("{}: the gate passes", target.app);
    }
    for trip in &result.verdict.tripped {
        println!("{}: {}", target.app, trip.message);
    }
    Ok(())
}
