//! The filter parameters of the timeseries endpoints: the one table every crate of the
//! workspace derives its filters from (tv-client's filter types and the calls into the
//! generated builders, tv's flags, the sandbox's parameter parsing).
//!
//! The fields come in three nested families, by which endpoints take them:
//!
//! | family | endpoints | parameters |
//! |---|---|---|
//! | `scope` | every timeseries endpoint (total requests, error rate, latency) | `domain`, `url`, `controller`, `action` |
//! | `server` | server latency (series, summary, by layer), error rate, client latency | + `layer` |
//! | `client` | client (RUM) latency series and summary | + `browser`, `region` |
//!
//! Adding a filter is one line here plus the parameter in the spec (and `cargo xtask
//! codegen`): the `filter_table` test checks that this table and the spec agree, and
//! tv-client's calls into the builders stop compiling until the generated builders
//! have the new setter.

/// Calls `$callback! { $($prefix)* scope: [..], server: [..], client: [..], }` with the
/// filter table. A `scope` entry is `(parameter, "documentation")`, a `server` or
/// `client` entry `(parameter, getter, "documentation")`: `parameter` is the query
/// parameter's name (and the builders' setter's), `getter` the name of the read
/// accessor of the typed filters (the scope's values are public fields).
///
/// ```
/// macro_rules! names {
///     (scope: [$(($s:ident, $sd:literal)),* $(,)?],
///      server: [$(($v:ident, $vg:ident, $vd:literal)),* $(,)?],
///      client: [$(($c:ident, $cg:ident, $cd:literal)),* $(,)?] $(,)?) => {
///         [$(stringify!($s),)* $(stringify!($v),)* $(stringify!($c),)*]
///     };
/// }
/// let all = tv_api::filter_table!(names! {});
/// assert_eq!(all, ["domain", "url", "controller", "action", "layer", "browser", "region"]);
/// ```
#[macro_export]
macro_rules! filter_table {
    ($callback:ident ! { $($prefix:tt)* }) => {
        $callback! {
            $($prefix)*
            scope: [
                (domain, "Only requests to this domain."),
                (url, "Only requests to this URL path."),
                (controller, "Only requests handled by this controller."),
                (action, "Only requests handled by this action."),
            ],
            server: [
                (layer, layer_name, "Only traces through this layer."),
            ],
            client: [
                (browser, browser_name, "Only page views from this browser family."),
                (region, region_code, "Only page views from this region (ISO 3166 code)."),
            ],
        }
    };
}

macro_rules! name_lists {
    (scope: [$(($s:ident, $sd:literal)),* $(,)?],
     server: [$(($v:ident, $vg:ident, $vd:literal)),* $(,)?],
     client: [$(($c:ident, $cg:ident, $cd:literal)),* $(,)?] $(,)?) => {
        /// The filters every timeseries endpoint takes, by parameter name.
        pub const SCOPE_FILTERS: &[&str] = &[$(stringify!($s)),*];
        /// The filters server-side latency and the error rate add to the scope.
        pub const SERVER_FILTERS: &[&str] = &[$(stringify!($v)),*];
        /// The filters client-side (RUM) latency adds to the server ones.
        pub const CLIENT_FILTERS: &[&str] = &[$(stringify!($c)),*];
    };
}

filter_table!(name_lists! {});

/// Every filter parameter, in table order (scope, server, client).
pub fn all_filters() -> impl Iterator<Item = &'static str> {
    SCOPE_FILTERS
        .iter()
        .chain(SERVER_FILTERS)
        .chain(CLIENT_FILTERS)
        .copied()
}
