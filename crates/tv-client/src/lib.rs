//! The typed domain of the TraceView API v2.
//!
//! This crate turns what the API sends into types that mean something, and does the
//! latency math people otherwise get wrong by hand, on top of the generated `tv-api`
//! crate: retries, timeouts, configuration profiles and errors written for people.
//!
//! # Which crate do I use?
//!
//! This one, unless you need the wire exactly as the spec describes it (then `tv-api`;
//! [`TraceView::raw`] hands out its client). Progenitor's types do not appear in this
//! crate's API except through that escape hatch.
//!
//! # The client, by group of operations
//!
//! ```no_run
//! use tv_client::{AnnotationRange, Assignment, ClientFilter, NewAnnotation, RequestsFilter,
//!     ServerFilter, TimeWindow, TraceView};
//!
//! # async fn run() -> Result<(), tv_client::Error> {
//! // Flags > TV_API_KEY / TV_BASE_URL / TV_PROFILE > ~/.config/tv/config.toml > defaults.
//! let tv = TraceView::from_env()?;
//! // Or explicitly: a named site (appneta, solarwinds) or any base URL.
//! let tv = TraceView::builder().site("http://127.0.0.1:8642/api-v2").api_key("sandbox").build()?;
//!
//! // discovery
//! let apps = tv.discovery().apps().await?;
//! let layers = tv.discovery().layers("web-shop", None).await?;
//! // hosts and apps
//! let hosts = tv.hosts().list().await?;
//! let versions = tv.hosts().versions(hosts[0].id).await?;
//! tv.apps().assign(&Assignment { app: "billing".into(), host: "web-9".into(), create: true,
//!     layer: Some("nginx".into()), ..Assignment::default() }).await?;
//! // annotations and the organization
//! tv.annotations().create(&NewAnnotation { message: "deploy 1.2".into(),
//!     app: Some("web-shop".into()), ..NewAnnotation::default() }).await?;
//! let recent = tv.annotations().list(AnnotationRange::default()).await?;
//! let org = tv.organization().get().await?;
//! // errors, requests, latency: each endpoint family takes its own filter type
//! let day = ServerFilter::new().window(TimeWindow::Day);
//! let rate = tv.errors().rate("web-shop", &day).await?;
//! let requests = tv.requests().summary("web-shop", &RequestsFilter::new()).await?;
//! let series = tv.latency().server_series("web-shop", &day).await?;
//! let layers = tv.latency().by_layer("web-shop", &day).await?;
//! let breakdown = tv_client::math::layer_breakdown(&layers, Some(&series));
//! let rum = tv.latency().client_summary("web-shop", &ClientFilter::new().browser("Chrome")).await?;
//! # let _ = (apps, layers, versions, recent, org, rate, requests, breakdown, rum);
//! # Ok(())
//! # }
//! ```
//!
//! | module | holds |
//! |---|---|
//! | [`window`] | [`TimeWindow`] (`hour` / `day` / `week`): step, points, duration |
//! | [`points`] | [`LatencyPoint`], [`LayerPoint`], [`ErrorRatePoint`], [`RequestsPoint`] and the [`Point`] trait |
//! | [`series`] | [`Series<P>`](Series) and [`LayerSeries`]: decoding the wire timeseries `{"fields", "items"}` |
//! | [`math`] | volume-weighted means, per-call and per-request layer time, shares, error counts, request rates, resampling, window-over-window comparison, stitching |
//! | [`units`] | the one human formatter (`1.23 s`, `45.6 ms`, `12.3/s`, `12.3k`, `4.56%`) |
//! | [`wire_units`] | epoch numbers (seconds or milliseconds) and microseconds ↔ `Duration` |
//! | [`error`] | [`Error`], the one error type, with redacted one-line messages, kinds ([`TransportKind`], [`ConfigKind`]) and sources |
//! | [`redact`](mod@redact) | [`redact()`](fn@redact): `key=***` and URL credentials in text; [`redact::printable`]: server text safe for a terminal |
//! | [`secret`] | [`ApiKey`], the access key as a secret |
//! | [`range`] | [`TimeRange`], a half-open range of instants |
//! | [`client`] | [`TraceView`], its builder, the operation groups, [`RetryPolicy`], [`Stats`] |
//! | [`filter`] | [`ServerFilter`], [`ClientFilter`], [`RequestsFilter`]: what each endpoint family accepts |
//! | [`model`] | [`Host`], [`Annotation`], [`LatencySummary`] and the other records |
//! | [`config`] | flags > environment > profile file > defaults, with sources for `tv doctor`; [`config::value`]: the one parser of each setting |
//! | [`profile_file`] | editing `~/.config/tv/config.toml` without losing comments |
//! | [`site`] | [`Site`]: `appneta`, `solarwinds` or any base URL |
//! | [`history`] | ranges longer than one window, stitched from consecutive calls |
//! | [`workflow`] | tv's workflows: the all-apps report (also streamed), one app's report, the comparison and its CI gate, the server's now, annotations with app names, hosts by name |
//! | [`export`] | the Prometheus exporter's collection and registry, OpenMetrics history |
//! | [`check`] | monitoring-plugin checks: threshold ranges, performance data, states |
//! | [`dry_run`] | [`DryRun`]: the requests a write would send, recorded instead of sent |
//! | [`deploy`] | deploy markers: start/end annotations around a command, deadline, best effort |
//! | [`batch`] | many annotations from NDJSON or CSV, posted with bounded concurrency, one outcome per line |
//!
//! # Decoding a series
//!
//! A wire timeseries is `{"fields": "timestamp,volume,avg_latency", "items": [[…], …]}`;
//! its columns are found by name, never by position:
//!
//! ```
//! use std::time::Duration;
//! use tv_client::{LatencyPoint, Series, TimeWindow, math, units};
//!
//! // The latency example of the API reference (§13.1).
//! let fields = "timestamp,volume,avg_latency";
//! let items = vec![
//!     vec![Some(1353259500.0), Some(11.0), Some(1180500.0)],
//!     vec![Some(1353259530.0), Some(10.0), Some(1246510.0)],
//!     vec![Some(1353259560.0), Some(6.0), Some(1022766.6666666666)],
//!     vec![Some(1353259590.0), Some(8.0), Some(1130812.5)],
//! ];
//! let series = Series::<LatencyPoint>::decode(fields, &items)?.with_window(TimeWindow::Hour);
//! let mean = math::weighted_mean(&series).expect("traces in the window");
//! assert_eq!(units::format_duration(mean), "1.16 s");
//! # Ok::<(), tv_client::Error>(())
//! ```
//!
//! # JSON output
//!
//! The typed points, series and math results implement `serde::Serialize` (and, with
//! the `schemars` feature, `schemars::JsonSchema`); they are what the CLI prints with
//! `--output json`.
//! Durations are microsecond numbers in fields ending in `_us`; instants are an RFC 3339
//! `at` plus `epoch` seconds; steps are seconds in `step_s`. Each type documents its
//! shape.

//! # Features
//!
//! | feature | default | adds |
//! |---|---|---|
//! | `profile-file` | yes | profiles in `~/.config/tv/config.toml` ([`profile_file`], read by [`config`]); pulls in `toml_edit` |
//! | `blocking` | no | `blocking::TraceView`, a synchronous client on its own runtime thread |
//! | `prometheus` | no | the Prometheus registry and encoding of the exporter (`export::prometheus`); pulls in `prometheus-client` |
//! | `otlp` | no | OpenTelemetry out: OTLP/HTTP requests of the history, collections and annotations (`export::otlp`); pulls in `opentelemetry-proto` and `prost` |
//! | `schemars` | no | `schemars::JsonSchema` on every result type and on tv-api's wire types (tv-api's `schemars` feature): the JSON Schemas of `tv --output json` (`tv schema`); pulls in `schemars` |
//!
//! Without `profile-file`, [`config`] resolves flags and the environment only.
//!
//! To test or demo code built on tv-client without an account or a network, the
//! `tv-testkit` crate (a dev-dependency) starts an in-process sandbox with seeded demo
//! data and hands out a client for it; tv-client itself depends on no server.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod batch;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
pub mod check;
pub mod client;
pub mod config;
pub mod deploy;
pub mod dry_run;
pub mod error;
pub mod export;
pub mod fanout;
pub mod filter;
pub mod history;
pub mod math;
pub mod model;
pub mod points;
#[cfg(feature = "profile-file")]
#[cfg_attr(docsrs, doc(cfg(feature = "profile-file")))]
pub mod profile_file;
pub mod range;
pub mod record;
pub mod redact;
pub mod secret;
pub mod series;
pub mod site;
pub mod units;
pub mod window;
pub mod wire_units;
pub mod workflow;

mod decode;
mod json_shape;

pub use client::retry::RetryPolicy;
pub use client::{
    AnnotationRange, Annotations, ApiCalls, Apps, Deadline, Deletion, Discovery, Errors, Hosts,
    Latency, OrganizationApi, Requests, Stats, TraceView, TraceViewBuilder,
};
pub use dry_run::{DryRun, WriteRequest};
pub use error::{ConfigKind, Error, TransportKind};
pub use fanout::{AppResult, Concurrency};
pub use filter::{ClientFilter, Filter, RequestsFilter, Scope, ServerFilter, Windowed};
pub use model::{
    Annotation, Assignment, Host, InstrumentationVersion, LatencySummary, Licenses, NewAnnotation,
    Organization, RequestsSummary, User,
};
pub use points::{ErrorRatePoint, LatencyPoint, LayerPoint, Point, RequestsPoint};
pub use range::TimeRange;
pub use redact::redact;
pub use secret::ApiKey;
pub use series::{LayerSeries, Series};
pub use site::Site;
pub use window::TimeWindow;
