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

/// The one table of filter parameters (tv-api's), for programs that derive their own
/// filter options from it (as `tv` does its flags).
pub use tv_api::filter_table;

/// The filter types, their fields, setters and accessors, from tv-api's one table of
/// filter parameters ([`tv_api::filter_table!`]).
macro_rules! filter_types {
    (scope: [$(($s:ident, $sdoc:literal)),* $(,)?],
     server: [$(($v:ident, $vget:ident, $vdoc:literal)),* $(,)?],
     client: [$(($c:ident, $cget:ident, $cdoc:literal)),* $(,)?] $(,)?) => {
        /// The part every timeseries filter shares: the window and where the traffic went.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct Scope {
            /// How far back the data goes (and therefore the step).
            pub window: TimeWindow,
            /// The end of the window; `None` means now.
            pub end: Option<DateTime<Utc>>,
            $(#[doc = $sdoc] pub $s: Option<String>,)*
        }

        /// The setters every filter type has: the window, its end and the scope's.
        macro_rules! scope_setters {
            () => {
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

                $(#[doc = $sdoc]
                pub fn $s(mut self, $s: impl Into<String>) -> Self {
                    self.scope.$s = Some($s.into());
                    self
                })*

                /// The shared part of the filter.
                pub fn scope(&self) -> &Scope {
                    &self.scope
                }
            };
        }

        /// The setters and accessors of the server filters (which client-side latency
        /// takes too).
        macro_rules! server_setters {
            () => {
                $(#[doc = $vdoc]
                pub fn $v(mut self, $v: impl Into<String>) -> Self {
                    self.$v = Some($v.into());
                    self
                }

                #[doc = concat!("The `", stringify!($v), "` filter, if any.")]
                pub fn $vget(&self) -> Option<&str> {
                    self.$v.as_deref()
                })*
            };
        }

        /// Filter of the total-requests endpoints.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct RequestsFilter {
            scope: Scope,
        }

        impl RequestsFilter {
            /// The last hour, all traffic.
            pub fn new() -> Self {
                Self::default()
            }

            scope_setters!();
        }

        /// Filter of the server latency endpoints and the error rate.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct ServerFilter {
            scope: Scope,
            $($v: Option<String>,)*
        }

        impl ServerFilter {
            /// The last hour, all traffic.
            pub fn new() -> Self {
                Self::default()
            }

            scope_setters!();

            server_setters!();
        }

        /// Filter of the client-side (RUM) latency endpoints.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct ClientFilter {
            scope: Scope,
            $($v: Option<String>,)*
            $($c: Option<String>,)*
        }

        impl ClientFilter {
            /// The last hour, all page views.
            pub fn new() -> Self {
                Self::default()
            }

            scope_setters!();

            server_setters!();

            $(#[doc = $cdoc]
            pub fn $c(mut self, $c: impl Into<String>) -> Self {
                self.$c = Some($c.into());
                self
            }

            #[doc = concat!("The `", stringify!($c), "` filter, if any.")]
            pub fn $cget(&self) -> Option<&str> {
                self.$c.as_deref()
            })*
        }
    };
}

tv_api::filter_table!(filter_types! {});

impl Scope {
    /// The `time_end` query value: whole seconds since the epoch.
    pub fn end_param(&self) -> Option<String> {
        self.end.map(|end| end.timestamp().to_string())
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

macro_rules! windowed {
    ($($filter:ty),*) => {$(
        impl Windowed for $filter {
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
    )*};
}

windowed!(RequestsFilter, ServerFilter, ClientFilter);

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
                scope.domain.as_deref(),
                scope.url.as_deref(),
                scope.controller.as_deref(),
                scope.action.as_deref()
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
