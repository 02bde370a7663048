//! The synthetic TraceView world: a seeded catalog and a pure traffic model.
//!
//! # What a handler calls, endpoint by endpoint
//!
//! Handlers hold an `Arc<`[`World`](crate::World)`>`. For a read they take
//! `let v = world.view();` (a lock-free snapshot) and call one method; for a write they
//! call one `World` method (through `spawn_blocking`: it may `fsync`). Every method
//! returns `Result<_, `[`WorldError`]`>`: the kind of failure (bad request, not found,
//! storage) and a message that goes into the error envelope as-is; the server maps the
//! kinds to statuses.
//!
//! Parameter parsing helpers: [`TimeWindow`] is tv-api's (the spec's `time_window`),
//! [`parse_instant`]/[`parse_optional_instant`] (`time_end`, `since_time`, `time_start`,
//! `time`: seconds, ms or ISO-8601), [`HostId::parse`] (`{host_id}`: not a number → 404
//! `No host found with ID …`), [`create_flag`](crate::create_flag) (`create`). Filters go
//! into a [`Filter`] (empty values count as absent); series parameters into a
//! [`SeriesQuery`](crate::SeriesQuery) `{ window, time_end, filter }`.
//!
//! | # | endpoint | call | `data` on the wire |
//! |---|---|---|---|
//! | 1 | `GET apps` | `v.apps()` | the names |
//! | 2 | `GET layers/{app}` | `v.layers(app, since_time)` | the names |
//! | 3 | `GET actions` | `v.actions()` | |
//! | 4 | `GET controllers` | `v.controllers()` | |
//! | 5 | `GET domains` | `v.domains()` | |
//! | 6 | `GET browsers` | `v.browsers()` | |
//! | 7 | `GET regions` | `v.regions()` | |
//! | 8 | `GET metrics` | `v.metrics()` | |
//! | 9 | `GET hosts` | `v.hosts()` → [`HostInfo`](crate::HostInfo) | `{id, name, first_heartbeat, last_heartbeat, last_trace}` |
//! | 10 | `GET app/{app}/hosts` | `v.app_hosts(app)` | same |
//! | 11 | `GET hosts/{id}/versions` | `v.host_versions(HostId::parse(id)?)` | [`InstrumentationVersion`]; omit `platform` when [`Platform::is_absent`] |
//! | 12 | `DELETE hosts/{id}` | `world.delete_host(HostId::parse(id)?)` | `true` |
//! | 13 | `POST assign_app` | `world.assign_app(&AssignApp{..})` | `true` |
//! | 14 | `DELETE app/{app}` | `world.delete_app(app)` | `true` |
//! | 15 | `GET annotations` | `v.annotations(AnnotationRange{start, end})` | [`Annotation`] without `layer` |
//! | 16 | `GET app/{app}/annotations` | `v.app_annotations(app, range)` | same |
//! | 17 | `POST log_message` | `world.log_message(&LogMessage{..})` | `true` |
//! | 18 | `GET organization` | `v.organization()` | `{fullname, name}` |
//! | 19 | `GET organization/users` | `v.users()` | `[{admin, name, email}]` |
//! | 20 | `GET organization/licenses` | `v.licenses()` | `{hosts_used, hosts_limit}` |
//! | 21 | `GET errors/{app}/rate` | `v.error_rate_series(app, &q)` | items `[timestamp, p.error_rate()]` |
//! | 22 | `GET total_requests/{app}/series` | `v.total_requests_series(app, &q)` | items `[timestamp, total_requests]` |
//! | 23 | `GET total_requests/{app}/summary` | `v.total_requests_summary(app, &q)` | `{total_requests, reqs_per_time_period: s.reqs_per_time_period()}` |
//! | 24 | `GET latency/{app}/server/series` | `v.latency_series(app, Side::Server, &q)` | items `[timestamp, volume, p.avg_latency_us()]` |
//! | 25 | `GET latency/{app}/client/series` | `v.latency_series(app, Side::Client, &q)` | same |
//! | 26 | `GET latency/{app}/server/summary` | `v.latency_summary(app, Side::Server, &q)` | `{count, volume: count, average, latest}` |
//! | 27 | `GET latency/{app}/client/summary` | `v.latency_summary(app, Side::Client, &q)` | same |
//! | 28 | `GET latency/{app}/server/by-layer` | `v.by_layer(app, &q)` | `[{layer, timeseries: items [timestamp, calls, total_us]}]` |
//!
//! # Decisions
//!
//! - **Windows** ([`window`]): the end is `time_end` (or now) floored to a multiple of the
//!   step and exclusive; points are slice starts in seconds, ascending.
//! - **`latest`**: the volume-weighted mean over the last minute (hour window: the last
//!   2 slices of 30 s), the last 15 minutes (day: the last slice) or the last hour (week:
//!   the 4 slices of 15 min of the day grid ending at the window end).
//! - **Empty slices**: volume 0 → latency and error rate `None` (wire `null`).
//! - **Steps** ([`traffic`]): the model computes 30-second slices on the epoch-anchored
//!   grid; a 15-minute or 2-hour slice is the sum of the 30-second slices it covers
//!   (volumes, errors, total requests, latency totals, by-layer calls and time, client
//!   page views), after filters — the same traffic at every step. A slice depends only
//!   on `(seed, app, filter, start, step)` (and, for a stale app, on when it went silent,
//!   fixed when the catalog is made). The server's slice memo sums day and week slices
//!   from remembered 15-minute blocks (`traffic::sum_of_blocks`): the same sums.
//! - **Absences** (`outages`): outages (1–6 h at 0–2 % of the traffic) and stale apps
//!   (silent from hours or days before the catalog's now) are in the ground truth
//!   ([`incidents`]) with the latency incidents.
//! - **Filters** ([`Filter`]) thin traffic consistently; unknown values give 0 volume;
//!   `browser`/`region` only act on the client side; with `layer`, volume counts requests
//!   through the layer (their latency: the layer's whole self time plus their share of
//!   the other layers' time), and by-layer keeps only that layer's series, unchanged.
//! - **By-layer totals are self time** ([`traffic`]): a layer's `total_us` (the wire's
//!   `avg_latency`) is the time spent in the layer itself, excluding the layers it calls,
//!   so the layers stack: in every slice, `Σ layer total_us` = the server series'
//!   latency total = `volume × avg_latency`, and the layers' shares of the time sum to 1.
//!   The entry (web server) layer's calls equal the request volume; per call it takes a
//!   few ms, the framework the bulk of the app time, databases and caches ms-scale with
//!   several calls per request, outbound HTTP tens of ms.
//! - **Apps created** through `assign_app` have only their configured layer (which then
//!   carries the whole request time), and traffic derived from `(seed, name)` like every
//!   app — from their creation on (with the host assigned then): no history before.
//! - **True to time**: slices that end after now are empty (`null`), so a window that
//!   reaches into the future shows nothing there; a `time_end` less than one window
//!   after the epoch is moved to one window after it (never a negative timestamp), and
//!   one the spec's pattern refuses (ISO years outside 1971..9899) is a 400.

mod annotations;
mod app;
mod audience;
mod catalog;
mod error;
mod filter;
pub(crate) mod hash;
pub(crate) mod hosts;
pub mod incidents;
mod layers;
mod names;
mod org;
pub(crate) mod outages;
pub mod series;
mod time;
pub mod traffic;
pub mod window;

pub use annotations::{Annotation, AnnotationRange, DEFAULT_ANNOTATION_SPAN};
pub use app::{App, AppId, DEFAULT_APP, DEFAULT_APP_ID};
pub use catalog::Catalog;
pub use error::WorldError;
pub use filter::{Filter, Side};
pub use hosts::{Host, HostId, InstrumentationVersion, Platform};
pub use layers::{Language, LayerProfile, LayerRole};
pub use org::{Licenses, Organization, User};
pub use series::{
    ErrorRatePoint, LatencyPoint, LatencySummary, LayerPoint, LayerSeries, TotalRequestsPoint,
    TotalRequestsSummary,
};
pub use time::{
    parse_instant, parse_instant_seconds, parse_optional_instant, parse_optional_instant_seconds,
};
pub use traffic::{LayerSlice, Slice};
pub use window::{TimeWindow, WindowGrid, WindowSpec};

pub(crate) use annotations::sort_newest_first;
pub(crate) use filter::Resolved;
pub(crate) use series::{window_slices, window_slices_by};
