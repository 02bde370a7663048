//! What every example shares: a client for `TV_BASE_URL`/`TV_API_KEY` when both are
//! set, else for an in-process sandbox with demo data (`tv_testkit`, a dev-dependency).

#![allow(dead_code)]

use tv_client::TraceView;
use tv_testkit::LocalSandbox;

/// A client and, for the in-process sandbox, what keeps it running.
pub struct Target {
    /// The client.
    pub tv: TraceView,
    /// The app the example looks at (`TV_APP`, default `web-shop`).
    pub app: String,
    _sandbox: Option<LocalSandbox>,
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
    let sandbox = LocalSandbox::demo().await?;
    eprintln!(
        "(an in-process sandbox at {}; set TV_BASE_URL and TV_API_KEY for a real server)",
        sandbox.base_url()
    );
    let tv = sandbox.client().clone();
    Ok(Target {
        tv,
        app,
        _sandbox: Some(sandbox),
    })
}
