//! The blocking client (feature `blocking`): no async code in the caller; the client
//! runs its own runtime on a background thread.
//!
//! `cargo run -p tv-client --features blocking --example blocking` (an in-process
//! sandbox on a thread of its own), or against `TV_BASE_URL`/`TV_API_KEY`.

use tv_client::{ServerFilter, TimeWindow, units};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let builder = match (std::env::var("TV_BASE_URL"), std::env::var("TV_API_KEY")) {
        (Ok(url), Ok(key)) => tv_client::TraceView::builder().site(&url).api_key(&key),
        _ => {
            let (url, key) = sandbox_thread()?;
            tv_client::TraceView::builder().site(&url).api_key(&key)
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

/// A demo sandbox on its own thread and runtime, for as long as the program runs.
fn sandbox_thread() -> Result<(String, String), Box<dyn std::error::Error>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => return drop(sender.send(Err(error.to_string()))),
        };
        runtime.block_on(async move {
            let config = tv_sandbox::server::SandboxConfig::demo();
            let key = config.first_key().to_owned();
            match tv_sandbox::server::start(config).await {
                Ok(sandbox) => {
                    let _ = sender.send(Ok((sandbox.base_url().to_owned(), key)));
                    std::future::pending::<()>().await;
                    drop(sandbox);
                }
                Err(error) => drop(sender.send(Err(error.to_string()))),
            }
        });
    });
    eprintln!("(an in-process sandbox; set TV_BASE_URL and TV_API_KEY for a real server)");
    Ok(receiver.recv()??)
}
