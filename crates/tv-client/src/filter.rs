//! Typed filters for the timeseries endpoints.
//!
//! Each endpoint family takes its own filter type, so a filter an endpoint does not
//! understand is a compile error instead of a silently dropped argument:
//!
//! | filter | endpoints | filters |
//! |---|---|---|
//! | [`RequestsFilter`] | total requests series and summary | window, end, domain, url, controller, action |
//! | [`ServerFilter`] | server latency (series, summary, by layer), error rate | … + `layer` |
//! | [`ClientFilter`] | client (RUM) latency series and summary | … + `layer`, `browser`, `region` |
//!
//! Each is a [`Filter`] over the plain struct of its family's values that codegen
//! derives from the spec ([`tv_api::filters`], where [`FilterGroup`] is the table of
//! which family takes which filters).
//!
//! ```
//! use tv_client::{ClientFilter, ServerFilter, TimeWindow};
//!
//! let server = ServerFilter::new().window(TimeWindow::Day).layer("mysql");
//! let client = ClientFilter::new().browser("Chrome").region("US-RI");
//! assert_eq!(server.scope().window, TimeWindow::Day);
//! # let _ = client;
//! ```
//!
//! Total requests have no `layer` filter:
//!
//! ```compile_fail
//! use tv_client::RequestsFilter;
//! let filter = RequestsFilter::new().layer("mysql");
//! ```
//!
//! and only client-side latency knows browsers:
//!
//! ```compile_fail
//! use tv_client::ServerFilter;
//! let filter = ServerFilter::new().browser("Chrome");
//! ```

use chrono::{DateTime, Utc};

use crate::window::TimeWindow;

/// The filter table and the plain structs of values (tv-api's, generated from the spec),
/// for programs that derive their own filter options from it (as `tv` does its flags).
pub use tv_api::filters::{
    ClientParams, FilterGroup, FilterParam, FilterParams, RequestsParams, ServerParams,
};

/// The part every timeseries filter shares: the window and its end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// How far back the data goes (and therefore the step).
    pub window: TimeWindow,
    /// The end of the window; `None` means now.
    pub end: Option<DateTime<Utc>>,
}

impl Scope {
    /// The `time_end` query value: whole seconds since the epoch.
    pub fn end_param(&self) -> Option<String> {
        self.end.map(|end| end.timestamp().to_string())
    }
}

/// A filter of one family of timeseries endpoints: the window and the family's filter
/// values `P` (tv-api's plain struct of the family). Use it as [`RequestsFilter`],
/// [`ServerFilter`] or [`ClientFilter`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter<P> {
    scope: Scope,
    params: P,
}

/// Filter of the total-requests endpoints.
pub type RequestsFilter = Filter<RequestsParams>;
/// Filter of the server latency endpoints and the error rate.
pub type ServerFilter = Filter<ServerParams>;
/// Filter of the client-side (RUM) latency endpoints.
pub type ClientFilter = Filter<ClientParams>;

impl<P: FilterParams> Filter<P> {
    /// The last hour, all traffic.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the window (default: the last hour).
    pub fn window(mut self, window: TimeWindow) -> Self {
        self.scope.window = window;
        self
    }

    /// Makes the window end at `end` instead of now.
    pub fn end(mut self, end: DateTime<Utc>) -> Self {
        self.scope.end = Some(end);
        self
    }

    /// The shared part of the filter.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The filter values, as the generated request builders take them.
    pub fn params(&self) -> &P {
        &self.params
    }

    /// The same filter with the values `params`.
    pub fn with_params(mut self, params: P) -> Self {
        self.params = params;
        self
    }

    /// The value of `param`, if given.
    pub fn get(&self, param: FilterParam) -> Option<&str> {
        self.params.get(param)
    }

    /// Sets `param` (every family takes the scope's: domain, URL, controller, action).
    fn set(mut self, param: FilterParam, value: impl Into<String>) -> Self {
        if let Some(slot) = self.params.slot(param) {
            *slot = Some(value.into());
        }
        self
    }

    /// Only requests to this domain.
    pub fn domain(self, domain: impl Into<String>) -> Self {
        self.set(FilterParam::Domain, domain)
    }

    /// Only requests to this URL path.
    pub fn url(self, url: impl Into<String>) -> Self {
        self.set(FilterParam::Url, url)
    }

    /// Only requests handled by this controller.
    pub fn controller(self, controller: impl Into<String>) -> Self {
        self.set(FilterParam::Controller, controller)
    }

    /// Only requests handled by this action.
    pub fn action(self, action: impl Into<String>) -> Self {
        self.set(FilterParam::Action, action)
    }
}

impl ServerFilter {
    /// Only traces through this layer.
    pub fn layer(self, layer: impl Into<String>) -> Self {
        self.set(FilterParam::Layer, layer)
    }

    /// The `layer` filter, if any.
    pub fn layer_name(&self) -> Option<&str> {
        self.params.layer.as_deref()
    }
}

impl ClientFilter {
    /// Only traces through this layer.
    pub fn layer(self, layer: impl Into<String>) -> Self {
        self.set(FilterParam::Layer, layer)
    }

    /// The `layer` filter, if any.
    pub fn layer_name(&self) -> Option<&str> {
        self.params.layer.as_deref()
    }

    /// Only page views from this browser family.
    pub fn browser(self, browser: impl Into<String>) -> Self {
        self.set(FilterParam::Browser, browser)
    }

    /// The `browser` filter, if any.
    pub fn browser_name(&self) -> Option<&str> {
        self.params.browser.as_deref()
    }

    /// Only page views from this region (ISO 3166 code).
    pub fn region(self, region: impl Into<String>) -> Self {
        self.set(FilterParam::Region, region)
    }

    /// The `region` filter, if any.
    pub fn region_code(&self) -> Option<&str> {
        self.params.region.as_deref()
    }
}

/// Anything that carries a [`Scope`]; lets generic code (history stitching,
/// comparisons) move a filter's window.
pub trait Windowed: Clone {
    /// The shared part of the filter.
    fn scope(&self) -> &Scope;
    /// The same filter with another end.
    fn with_end(&self, end: DateTime<Utc>) -> Self;
    /// The same filter with another window.
    fn with_window(&self, window: TimeWindow) -> Self;
}

impl<P: FilterParams> Windowed for Filter<P> {
    fn scope(&self) -> &Scope {
        &self.scope
    }
    fn with_end(&self, end: DateTime<Utc>) -> Self {
        self.clone().end(end)
    }
    fn with_window(&self, window: TimeWindow) -> Self {
        self.clone().window(window)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn setters_fill_the_scope() {
        let end = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let filter = ClientFilter::new()
            .window(TimeWindow::Week)
            .end(end)
            .domain("d")
            .url("/u")
            .controller("c")
            .action("a")
            .layer("l")
            .browser("b")
            .region("r");
        let scope = filter.scope();
        assert_eq!(scope.window, TimeWindow::Week);
        assert_eq!(scope.end_param().as_deref(), Some("1700000000"));
        assert_eq!(
            (
                filter.get(FilterParam::Domain),
                filter.get(FilterParam::Url),
                filter.get(FilterParam::Controller),
                filter.get(FilterParam::Action)
            ),
            (Some("d"), Some("/u"), Some("c"), Some("a"))
        );
        assert_eq!(
            (
                filter.layer_name(),
                filter.browser_name(),
                filter.region_code()
            ),
            (Some("l"), Some("b"), Some("r"))
        );
    }

    #[test]
    fn windowed_moves_only_the_window() {
        let end = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let filter = ServerFilter::new().layer("mysql");
        let moved = Windowed::with_end(&filter, end);
        assert_eq!(moved.scope().end, Some(end));
        assert_eq!(moved.layer_name(), Some("mysql"));
        assert_eq!(
            Windowed::with_window(&moved, TimeWindow::Day)
                .scope()
                .window,
            TimeWindow::Day
        );
    }
}
