//! The blocking client (feature `blocking`): no async code in the caller; the client
//! runs its own runtime on a background thread.
//!
//! `cargo run -p tv-client --features blocking --example blocking` (an in-process
//! sandbox on a thread of its own), or against `TV_BASE_URL`/`TV_API_KEY`.

use tv_client::{ServerFilter, TimeWindow, units};
use tv_testkit::{SandboxConfig, SandboxThread};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The in-process sandbox serves for as long as this handle lives.
    let mut _sandbox = None;
    let builder = match (std::env::var("TV_BASE_URL"), std::env::var("TV_API_KEY")) {
        (Ok(url), Ok(key)) => tv_client::TraceView::builder().site(&url).api_key(&key),
        _ => {
            let sandbox = SandboxThread::start(SandboxConfig::demo())?;
            eprintln!("(an in-process sandbox; set TV_BASE_URL and TV_API_KEY for a real server)");
            _sandbox.insert(sandbox).client_builder()
        }
    };
    let tv = tv_client::blocking::TraceView::new(builder)?;
    for app in tv.apps()? {
        let summary = tv.server_summary(&app, ServerFilter::new().window(TimeWindow::Day))?;
        let average = summary
            .average
            .map_or_else(|| "-".to_owned(), units::format_duration);
        println!(
            "{app:<16} {:>8} traces  average {average}",
            units::format_count(summary.count)
        );
    }
    // Anything else through `run`, with the async API.
    let hosts = tv.run(|tv| async move { tv.hosts().list().await })?;
    println!(
        "{} hosts; {} requests made",
        hosts.len(),
        tv.stats().requests
    );
    Ok(())
}
