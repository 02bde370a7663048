//! `tv-sandbox`: a local, faithful, self-consistent TraceView API v2 server.
//!
//! It is how a new user runs `tv` in one command (`tv --demo`), how the project's
//! end-to-end tests and benchmarks run, and how users of other TraceView clients
//! (python-traceview, curl scripts, chef recipes, deploy hooks) test their tools. It
//! answers like the real service as recorded in the project's API reference: the
//! envelope, the status codes, both parameter transports, the quirks — with the tv-api
//! wire types, so it cannot drift from the spec.
//!
//! - [`server`]: the HTTP layer — the 28 endpoints under `/api-v2/`, the key check
//!   (query string or form body, constant-time), the error envelope with
//!   400/403/404/405/413/414, seeded reproducible fault injection (`500`, `502`, `503`,
//!   `429`, `slow`, `reset`, `html`, `truncated`, `redirect`, or forced per request with
//!   `X-Sandbox-Fault`), added latency, resource limits ([`server::Limits`]: memo
//!   budget, connection cap, request deadline, sizes) and a redacted request log.
//!   [`server::start`] runs one in-process on any address (`127.0.0.1:0` for tests and
//!   `--demo`) and tells its base URL.
//! - [`cli`]: the options and the foreground run of the `tv-sandbox` binary (also
//!   embedded as `tv sandbox`).
//! - [`world`]: the synthetic world — a catalog generated from a seed (organization,
//!   users, licenses, apps with realistic layer stacks, hosts with heartbeats and
//!   instrumentation versions, discovery lists, seeded deploy annotations) and a pure
//!   traffic model (volume, latency, errors, total requests, per-layer calls and time,
//!   client-side page loads) whose every slice depends only on
//!   `(seed, app, filter, slice start, step)`, with series and summaries that agree with
//!   each other by construction.
//! - [`incidents`]: the ground truth of the seeded incidents
//!   ([`incidents::ground_truth`]; also `tv-sandbox --incidents APP` and
//!   `GET /sandbox/incidents`), to measure the hits and false alarms of alerting.
//! - [`state`]: the live [`World`] — the catalog plus the writes (`assign_app`,
//!   `log_message`, host and app deletion), shared between threads, optionally persisted
//!   to a state file atomically and durably before a write is acknowledged.
//!
//! Serving over HTTP:
//!
//! ```no_run
//! use tv_sandbox::server::{SandboxConfig, start};
//!
//! # async fn demo() -> Result<(), tv_sandbox::server::StartError> {
//! let config = SandboxConfig { now: Some(1_704_283_200), ..SandboxConfig::demo() };
//! let key = config.first_key().to_owned();
//! let sandbox = start(config).await?;
//! // e.g. GET {base}/latency/web-shop/server/summary?key=sandbox&time_window=day
//! println!("{}/apps?key={key}", sandbox.base_url());
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! The model directly:
//!
//! ```
//! use tv_sandbox::{Clock, SeriesQuery, Side, TimeWindow, World};
//!
//! let world = World::in_memory(42, 6, Clock::Frozen(1_704_283_200));
//! let view = world.view();
//! let query = SeriesQuery { window: TimeWindow::Day, ..SeriesQuery::default() };
//! let series = view.latency_series("web-shop", Side::Server, &query)?;
//! let summary = view.latency_summary("web-shop", Side::Server, &query)?;
//! assert_eq!(series.points.len(), 96);
//! assert_eq!(summary.count, series.points.iter().map(|p| p.volume).sum::<u64>());
//! # Ok::<(), tv_sandbox::WorldError>(())
//! ```

pub mod cli;
pub mod replay;
pub mod server;
pub mod state;
pub mod world;

pub use state::{
    AssignApp, ByLayer, Clock, DEFAULT_APPS, HostInfo, LogMessage, MAX_APPS, OpenError, Series,
    SeriesQuery, View, World, WorldConfig, create_flag,
};
pub use world::incidents;
pub use world::{
    AnnotationRange, AppId, Filter, HostId, Side, TimeWindow, WindowGrid, WindowSpec, WorldError,
    parse_instant, parse_optional_instant,
};
