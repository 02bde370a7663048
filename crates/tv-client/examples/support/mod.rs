//! What every example shares: a client for `TV_BASE_URL`/`TV_API_KEY` when both are
//! set, else for an in-process sandbox (tv-sandbox, a dev-dependency) with demo data.

#![allow(dead_code)]

use tv_client::TraceView;
use tv_sandbox::server::{RunningSandbox, SandboxConfig};

/// A client and, for the in-process sandbox, what keeps it running.
pub struct Target {
    /// The client.
    pub tv: TraceView,
    /// The app the example looks at (`TV_APP`, default `web-shop`).
    pub app: String,
    _sandbox: Option<RunningSandbox>,
}

/// Where to send requests: the environment's server, or a fresh sandbox.
pub async fn connect() -> Result<Target, Box<dyn std::error::Error>> {
    let app = std::env::var("TV_APP").unwrap_or_else(|_| "web-shop".to_owned());
    if let (Ok(url), Ok(key)) = (std::env::var("TV_BASE_URL"), std::env::var("TV_API_KEY")) {
        let tv = TraceView::builder().site(&url).api_key(&key).build()?;
        return Ok(Target {
            tv,
            app,
            _sandbox: None,
        });
    }
    let config = SandboxConfig::demo();
    let key = config.first_key().to_owned();
    let sandbox = tv_sandbox::server::start(config).await?;
    eprintln!(
        "(an in-process sandbox at {}; set TV_BASE_URL and TV_API_KEY for a real server)",
        sandbox.base_url()
    );
    let tv = TraceView::builder()
        .site(sandbox.base_url())
        .api_key(&key)
        .build()?;
    Ok(Target {
        tv,
        app,
        _sandbox: Some(sandbox),
    })
}
