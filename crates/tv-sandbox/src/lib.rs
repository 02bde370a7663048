//! `tv-sandbox`: a local, faithful, self-consistent TraceView API v2 server.
//!
//! This crate currently holds the model the HTTP layer translates to and from:
//!
//! - [`world`]: the synthetic world — a catalog generated from a seed (organization,
//!   users, licenses, apps with realistic layer stacks, hosts with heartbeats and
//!   instrumentation versions, discovery lists, seeded deploy annotations) and a pure
//!   traffic model (volume, latency, errors, total requests, per-layer calls and time,
//!   client-side page loads) whose every slice depends only on
//!   `(seed, app, filter, slice start, step)`, with series and summaries that agree with
//!   each other by construction.
//! - [`state`]: the live [`World`] — the catalog plus the writes (`assign_app`,
//!   `log_message`, host and app deletion), shared between threads, optionally persisted
//!   to a state file atomically and durably before a write is acknowledged.
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

#![warn(missing_docs)]

pub mod state;
pub mod world;

pub use state::{
    AssignApp, ByLayer, Clock, DEFAULT_APPS, HostInfo, LogMessage, MAX_APPS, OpenError, Series,
    SeriesQuery, View, World, WorldConfig, create_flag,
};
pub use world::{
    AnnotationRange, AppId, Filter, HostId, Side, TimeWindow, WindowSpec, WorldError,
    parse_instant, parse_optional_instant,
};
