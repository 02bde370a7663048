//! A consistent read-only snapshot of the world: the catalog, the writes as they were
//! when the view was taken, and the instant it was taken at. Every read endpoint is one
//! method here; no lock is held while a view is used.

use std::sync::Arc;

use crate::world::incidents::{self, IncidentTruth};
use crate::world::series::{self, LatencyPoint, LayerSeries};
use crate::world::{
    Annotation, AnnotationRange, App, AppId, Catalog, ErrorRatePoint, Filter, Host, HostId,
    InstrumentationVersion, LatencySummary, Licenses, Organization, Side, TimeWindow,
    TotalRequestsPoint, TotalRequestsSummary, User, WindowSpec, WorldError, sort_newest_first,
};

use super::overlay::Overlay;
use super::slices::SliceMemo;
use crate::world::series::{Fresh, WindowSource};

/// Parameters shared by the series and summary endpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeriesQuery {
    /// `time_window` (default `hour`).
    pub window: TimeWindow,
    /// `time_end` in seconds (default: the view's now).
    pub time_end: Option<i64>,
    /// The filters.
    pub filter: Filter,
}

/// A series with the window it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Series<P> {
    /// The window (kind and aligned exclusive end).
    pub window: WindowSpec,
    /// One point per slice, ascending.
    pub points: Vec<P>,
}

/// The by-layer series of a window.
#[derive(Debug, Clone, PartialEq)]
pub struct ByLayer<'a> {
    /// The window (kind and aligned exclusive end).
    pub window: WindowSpec,
    /// One series per layer, in stack order (entry layer first).
    pub layers: Vec<LayerSeries<'a>>,
}

/// One host as the host endpoints list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostInfo<'a> {
    /// Integer id.
    pub id: HostId,
    /// Host name.
    pub name: &'a str,
    /// First heartbeat, seconds.
    pub first_heartbeat: i64,
    /// Last heartbeat, seconds.
    pub last_heartbeat: i64,
    /// Last trace, seconds; `None` (`null`) if the host never traced.
    pub last_trace: Option<i64>,
    /// The app the host is in now.
    pub app: AppId,
}

impl<'a> HostInfo<'a> {
    fn new(host: &'a Host, app: AppId) -> Self {
        HostInfo {
            id: host.id,
            name: &host.name,
            first_heartbeat: host.first_heartbeat,
            last_heartbeat: host.last_heartbeat,
            last_trace: host.last_trace,
            app,
        }
    }
}

/// Sorts hosts by `last_trace` descending, never-traced hosts last, then by id.
fn sort_hosts(hosts: &mut [HostInfo<'_>]) {
    hosts.sort_by(|a, b| match (a.last_trace, b.last_trace) {
        (Some(x), Some(y)) => y.cmp(&x).then(a.id.cmp(&b.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
}

/// A snapshot of the world for reads.
#[derive(Debug, Clone)]
pub struct View {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) overlay: Arc<Overlay>,
    pub(crate) now: i64,
    /// Where the series read their windows from: shared between answers, or computed.
    pub(crate) slices: Option<Arc<SliceMemo>>,
}

impl View {
    /// This view, reading its windows through `memo` (the server's slice memo).
    pub(crate) fn sharing(mut self, memo: Option<&Arc<SliceMemo>>) -> View {
        self.slices = memo.cloned();
        self
    }

    fn source(&self) -> &dyn WindowSource {
        match &self.slices {
            Some(memo) => memo.as_ref(),
            None => &Fresh,
        }
    }

    /// The instant this view answers for (seconds since the epoch).
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The seeded catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// A live app by name, or [`WorldError::NotFound`].
    pub fn app(&self, name: &str) -> Result<&App, WorldError> {
        self.overlay
            .app(&self.catalog, name)
            .ok_or_else(|| WorldError::app_not_found(name))
    }

    /// A live app by id.
    pub fn app_by_id(&self, id: AppId) -> Option<&App> {
        self.overlay.app_by_id(&self.catalog, id)
    }

    /// `GET apps`: live app names, `Default` first, then by id.
    pub fn apps(&self) -> Vec<&str> {
        self.overlay
            .apps(&self.catalog)
            .map(|a| a.name.as_str())
            .collect()
    }

    /// Tags attached to an app through `assign_app`, sorted.
    pub fn app_tags(&self, name: &str) -> Result<Vec<&str>, WorldError> {
        let id = self.app(name)?.id;
        Ok(self
            .overlay
            .data
            .app_tags
            .get(&id)
            .map(|t| t.iter().map(String::as_str).collect())
            .unwrap_or_default())
    }

    /// `GET layers/{app}`: layers with calls between `since` (default: a day ago) and now.
    pub fn layers(&self, app: &str, since: Option<i64>) -> Result<Vec<&str>, WorldError> {
        let app = self.app(app)?;
        Ok(series::layers_seen(
            app,
            since.unwrap_or(self.now.saturating_sub(86_400)),
            self.now,
        ))
    }

    /// `GET actions`.
    pub fn actions(&self) -> &[String] {
        self.catalog.actions()
    }

    /// `GET controllers`.
    pub fn controllers(&self) -> &[String] {
        self.catalog.controllers()
    }

    /// `GET domains`.
    pub fn domains(&self) -> &[String] {
        self.catalog.domains()
    }

    /// `GET browsers`.
    pub fn browsers(&self) -> &[String] {
        self.catalog.browsers()
    }

    /// `GET regions`.
    pub fn regions(&self) -> &[String] {
        self.catalog.regions()
    }

    /// `GET metrics`.
    pub fn metrics(&self) -> &[String] {
        self.catalog.metrics()
    }

    /// `GET hosts`: live hosts, by last trace descending, never-traced last.
    pub fn hosts(&self) -> Vec<HostInfo<'_>> {
        let mut out: Vec<HostInfo<'_>> = self
            .overlay
            .hosts(&self.catalog)
            .map(|(h, app)| HostInfo::new(h, app))
            .collect();
        sort_hosts(&mut out);
        out
    }

    /// `GET app/{app}/hosts`: the app's live hosts, same order as [`View::hosts`].
    pub fn app_hosts(&self, app: &str) -> Result<Vec<HostInfo<'_>>, WorldError> {
        let id = self.app(app)?.id;
        let mut out: Vec<HostInfo<'_>> = self
            .overlay
            .hosts_in(&self.catalog, id)
            .map(|h| HostInfo::new(h, id))
            .collect();
        sort_hosts(&mut out);
        Ok(out)
    }

    /// A live host.
    pub fn host(&self, id: HostId) -> Result<HostInfo<'_>, WorldError> {
        self.overlay
            .host(&self.catalog, id)
            .map(|(h, app)| HostInfo::new(h, app))
            .ok_or_else(|| WorldError::host_not_found(id))
    }

    /// `GET hosts/{id}/versions`.
    pub fn host_versions(&self, id: HostId) -> Result<&[InstrumentationVersion], WorldError> {
        self.overlay
            .host(&self.catalog, id)
            .map(|(h, _)| h.versions.as_slice())
            .ok_or_else(|| WorldError::host_not_found(id))
    }

    /// `GET annotations`: newest first within the range (default: the last 7 days).
    /// Annotations of deleted apps are gone.
    pub fn annotations(&self, range: AnnotationRange) -> Vec<&Annotation> {
        self.list_annotations(range, None)
    }

    /// `GET app/{app}/annotations`.
    pub fn app_annotations(
        &self,
        app: &str,
        range: AnnotationRange,
    ) -> Result<Vec<&Annotation>, WorldError> {
        let id = self.app(app)?.id;
        Ok(self.list_annotations(range, Some(id)))
    }

    fn list_annotations(&self, range: AnnotationRange, app: Option<AppId>) -> Vec<&Annotation> {
        let (start, end) = range.resolve(self.now);
        let in_range = |a: &&Annotation| a.time >= start && a.time <= end;
        let written = self.overlay.data.annotations.iter().filter(in_range);
        let mut out: Vec<&Annotation> = match app {
            Some(id) => self
                .catalog
                .annotations_of(id)
                .filter(in_range)
                .chain(written.filter(|a| a.app == Some(id)))
                .collect(),
            None => self
                .catalog
                .annotations_between(start, end)
                .iter()
                .chain(written)
                .filter(|a| {
                    a.app
                        .is_none_or(|id| self.overlay.is_app_live(&self.catalog, id))
                })
                .collect(),
        };
        sort_newest_first(&mut out);
        out
    }

    /// `GET organization`.
    pub fn organization(&self) -> &Organization {
        &self.catalog.organization
    }

    /// `GET organization/users`.
    pub fn users(&self) -> &[User] {
        &self.catalog.users
    }

    /// `GET organization/licenses`: `hosts_used` = live hosts that traced in the last
    /// 24 hours.
    pub fn licenses(&self) -> Licenses {
        let since = self.now.saturating_sub(86_400);
        let used = self.overlay.hosts_traced_since(&self.catalog, since) as u64;
        Licenses {
            hosts_used: used,
            hosts_limit: self.catalog.hosts_limit.max(used),
        }
    }

    /// The window a query covers, as seen now (slices after now are empty).
    ///
    /// The spec is the contract here (`openapi/traceview-v2.yaml`, parameter
    /// `TimeEnd`): what its pattern refuses (ISO years outside 1971..9899, more than 14
    /// digits) is a 400 when the parameter is parsed; an end less than one window after
    /// the epoch is moved to one window after it, so no timestamp is ever negative, and a
    /// window in the future is all `null` slices.
    pub fn window(&self, query: &SeriesQuery) -> Result<WindowSpec, WorldError> {
        Ok(
            WindowSpec::ending_at(query.window, query.time_end.unwrap_or(self.now))
                .seen_at(self.now),
        )
    }

    /// `GET latency/{app}/{server|client}/series`.
    pub fn latency_series(
        &self,
        app: &str,
        side: Side,
        query: &SeriesQuery,
    ) -> Result<Series<LatencyPoint>, WorldError> {
        let app = self.app(app)?;
        let window = self.window(query)?;
        Ok(Series {
            window,
            points: series::latency_series_in(self.source(), app, side, &query.filter, window),
        })
    }

    /// `GET latency/{app}/{server|client}/summary`.
    pub fn latency_summary(
        &self,
        app: &str,
        side: Side,
        query: &SeriesQuery,
    ) -> Result<LatencySummary, WorldError> {
        let app = self.app(app)?;
        Ok(series::latency_summary_in(
            self.source(),
            app,
            side,
            &query.filter,
            self.window(query)?,
        ))
    }

    /// `GET latency/{app}/server/by-layer`.
    pub fn by_layer(&self, app: &str, query: &SeriesQuery) -> Result<ByLayer<'_>, WorldError> {
        let app = self.app(app)?;
        let window = self.window(query)?;
        Ok(ByLayer {
            window,
            layers: series::by_layer_in(self.source(), app, &query.filter, window),
        })
    }

    /// `GET errors/{app}/rate`.
    pub fn error_rate_series(
        &self,
        app: &str,
        query: &SeriesQuery,
    ) -> Result<Series<ErrorRatePoint>, WorldError> {
        let app = self.app(app)?;
        let window = self.window(query)?;
        Ok(Series {
            window,
            points: series::error_rate_series_in(self.source(), app, &query.filter, window),
        })
    }

    /// `GET total_requests/{app}/series`.
    pub fn total_requests_series(
        &self,
        app: &str,
        query: &SeriesQuery,
    ) -> Result<Series<TotalRequestsPoint>, WorldError> {
        let app = self.app(app)?;
        let window = self.window(query)?;
        Ok(Series {
            window,
            points: series::total_requests_series_in(self.source(), app, &query.filter, window),
        })
    }

    /// The seeded incidents of a live app overlapping `[from, to)` (seconds), ordered by
    /// start: the ground truth behind `GET /sandbox/incidents` (not a TraceView
    /// endpoint). An empty or reversed range is a [`WorldError::BadRequest`].
    pub fn incidents(
        &self,
        app: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<IncidentTruth>, WorldError> {
        let app = self.app(app)?;
        let (Some(start), Some(end)) = (
            chrono::DateTime::from_timestamp(from, 0),
            chrono::DateTime::from_timestamp(to, 0),
        ) else {
            return Err(WorldError::BadRequest(
                "from and to must be valid times".into(),
            ));
        };
        if from >= to {
            return Err(WorldError::BadRequest(format!(
                "from must be before to (got from {start}, to {end})"
            )));
        }
        if to - from > incidents::MAX_SPAN_SECONDS {
            return Err(WorldError::BadRequest(format!(
                "from and to may be at most {} days apart (got from {start}, to {end})",
                incidents::MAX_SPAN_SECONDS / 86_400
            )));
        }
        Ok(incidents::of_app(app, start, end))
    }

    /// `GET total_requests/{app}/summary`.
    pub fn total_requests_summary(
        &self,
        app: &str,
        query: &SeriesQuery,
    ) -> Result<TotalRequestsSummary, WorldError> {
        let app = self.app(app)?;
        Ok(series::total_requests_summary_in(
            self.source(),
            app,
            &query.filter,
            self.window(query)?,
        ))
    }
}
