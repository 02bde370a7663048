//! The filter parameters of the timeseries endpoints, by endpoint family: generated from
//! the spec's marks (`x-tv-filter` on a parameter, `x-tv-filter-group` on an operation)
//! into `generated_filters.rs` by `cargo xtask codegen`. Every crate of the workspace
//! derives its filters from here: tv-client's typed filters and its calls into the
//! generated builders, tv's flags, the sandbox's parameter parsing.
//!
//! [`FilterGroup`] is the table (its documentation shows it): which filters each family
//! takes ([`FilterGroup::params`]) and which operations are in it
//! ([`FilterGroup::operations`]); [`FilterParam`] names the filters and carries their
//! help; [`RequestsParams`], [`ServerParams`] and [`ClientParams`] are plain structs of
//! one request's values.
//!
//! Adding a filter is a parameter marked `x-tv-filter` in the spec, listed on the
//! operations of its family, and `cargo xtask codegen`; codegen refuses families that
//! do not nest or whose operations disagree.
//!
//! ```
//! use tv_api::filters::{FilterGroup, FilterParam, FilterParams, ServerParams};
//!
//! assert_eq!(FilterGroup::Server.own_params(), [FilterParam::Layer]);
//! let params = ServerParams::from_params(|name| (name == "layer").then_some("mysql"));
//! assert_eq!(params.get(FilterParam::Layer), Some("mysql"));
//! assert_eq!(params.get(FilterParam::Browser), None);
//! ```

pub use crate::generated_filters::*;

/// The filter values of one family's request: [`RequestsParams`], [`ServerParams`],
/// [`ClientParams`] (generated), read and written by [`FilterParam`].
pub trait FilterParams:
    Default + Clone + std::fmt::Debug + PartialEq + Eq + std::hash::Hash
{
    /// The family whose values these are.
    const GROUP: FilterGroup;

    /// The value of `param`; `None` when it is not given or not a filter of the family.
    fn get(&self, param: FilterParam) -> Option<&str>;

    /// Where the value of `param` is kept; `None` when the family does not take it.
    fn slot(&mut self, param: FilterParam) -> Option<&mut Option<String>>;

    /// The values of a request, read by `value` (by parameter name).
    fn from_params<'a>(mut value: impl FnMut(&str) -> Option<&'a str>) -> Self {
        let mut params = Self::default();
        for &param in Self::GROUP.params() {
            if let Some(slot) = params.slot(param) {
                *slot = value(param.name()).map(str::to_owned);
            }
        }
        params
    }

    /// The given values, in the spec's order.
    fn given(&self) -> impl Iterator<Item = (FilterParam, &str)> {
        Self::GROUP
            .params()
            .iter()
            .filter_map(|&param| Some((param, self.get(param)?)))
    }

    /// Whether no filter is given (an empty value counts as not given).
    fn is_empty(&self) -> bool {
        self.given().all(|(_, value)| value.is_empty())
    }

    /// Copies every value `other` gives for a filter of this family into `self`.
    fn merge(&mut self, other: &impl FilterParams) {
        for (param, value) in other.given() {
            if let Some(slot) = self.slot(param) {
                *slot = Some(value.to_owned());
            }
        }
    }
}

/// A request builder of a timeseries endpoint (generated, one impl per operation of a
/// family): its window, its end and its family's filters.
pub trait TimeseriesRequest: Sized {
    /// The filter values the endpoint takes.
    type Params: FilterParams;

    /// Sets `time_window`.
    fn with_window(self, window: crate::types::TimeWindow) -> Self;

    /// Sets `time_end` (seconds since the epoch, or ISO-8601).
    fn with_end(self, end: String) -> Self;

    /// Sets every filter `params` gives.
    fn with_filters(self, params: &Self::Params) -> Self;
}
