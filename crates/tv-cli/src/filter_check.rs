//! The one check of filter values against the names the server lists (`tv discover`,
//! `tv layers APP`): a value the server does not know is a typo, not a quiet app, and
//! the error names the nearest known values. Every command that takes filters calls
//! [`check`] with its tv-client filter.

use tv_client::{ClientFilter, RequestsFilter, ServerFilter, TraceView};

use crate::exit::CliError;
use crate::suggest::unknown_filter_value;

/// The filters whose values the server lists, one variant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// `--domain`: `tv discover domains`.
    Domain,
    /// `--controller`: `tv discover controllers`.
    Controller,
    /// `--action`: `tv discover actions`.
    Action,
    /// `--layer`: `tv layers APP`.
    Layer,
    /// `--browser`: `tv discover browsers`.
    Browser,
    /// `--region`: `tv discover regions`.
    Region,
}

impl Listed {
    /// The filter's name as the user wrote it (`--layer` → `layer`).
    pub fn name(self) -> &'static str {
        match self {
            Listed::Domain => "domain",
            Listed::Controller => "controller",
            Listed::Action => "action",
            Listed::Layer => "layer",
            Listed::Browser => "browser",
            Listed::Region => "region",
        }
    }

    /// The command that lists the known values.
    pub fn list_command(self) -> &'static str {
        match self {
            Listed::Domain => "tv discover domains",
            Listed::Controller => "tv discover controllers",
            Listed::Action => "tv discover actions",
            Listed::Layer => "tv layers APP",
            Listed::Browser => "tv discover browsers",
            Listed::Region => "tv discover regions",
        }
    }

    /// The values the server knows for this filter (of `app` for layers).
    async fn known(self, tv: &TraceView, app: &str) -> Result<Vec<String>, tv_client::Error> {
        let discovery = tv.discovery();
        match self {
            Listed::Domain => discovery.domains().await,
            Listed::Controller => discovery.controllers().await,
            Listed::Action => discovery.actions().await,
            Listed::Layer => discovery.layers(app, None).await,
            Listed::Browser => discovery.browsers().await,
            Listed::Region => discovery.regions().await,
        }
    }
}

/// The listed values a filter carries, from any of tv-client's filter types.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ListedValues<'a>(Vec<(Listed, &'a str)>);

impl<'a> ListedValues<'a> {
    fn of_scope(scope: &'a tv_client::filter::Scope) -> Self {
        let values = [
            (Listed::Domain, scope.domain.as_deref()),
            (Listed::Controller, scope.controller.as_deref()),
            (Listed::Action, scope.action.as_deref()),
        ];
        ListedValues(
            values
                .into_iter()
                .filter_map(|(kind, value)| Some((kind, value?)))
                .collect(),
        )
    }

    fn with(mut self, kind: Listed, value: Option<&'a str>) -> Self {
        self.0.extend(value.map(|value| (kind, value)));
        self
    }

    /// Only a layer (`tv check --layer`).
    pub fn layer(layer: Option<&'a str>) -> Self {
        ListedValues::default().with(Listed::Layer, layer)
    }
}

impl<'a> From<&'a RequestsFilter> for ListedValues<'a> {
    fn from(filter: &'a RequestsFilter) -> Self {
        ListedValues::of_scope(filter.scope())
    }
}

impl<'a> From<&'a ServerFilter> for ListedValues<'a> {
    fn from(filter: &'a ServerFilter) -> Self {
        ListedValues::of_scope(filter.scope()).with(Listed::Layer, filter.layer_name())
    }
}

impl<'a> From<&'a ClientFilter> for ListedValues<'a> {
    fn from(filter: &'a ClientFilter) -> Self {
        ListedValues::of_scope(filter.scope())
            .with(Listed::Layer, filter.layer_name())
            .with(Listed::Browser, filter.browser_name())
            .with(Listed::Region, filter.region_code())
    }
}

/// Checks each listed value against the names the server knows (one discovery request
/// per filter given), and fails on the first unknown one, naming the nearest known
/// value: `no traffic with layer `mysq`, which is not a known layer; did you mean
/// `mysql`?` (exit 4).
pub async fn check(tv: &TraceView, app: &str, values: &ListedValues<'_>) -> Result<(), CliError> {
    for (kind, value) in &values.0 {
        let known = kind.known(tv, app).await?;
        if let Some(error) = unknown_filter_value(kind.name(), value, &known, kind.list_command()) {
            return Err(error);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_filter_of_each_filter_type_is_checked() {
        let client = ClientFilter::new()
            .domain("shop.example")
            .url("/cart")
            .layer("mysql")
            .browser("Chrome")
            .region("US-RI");
        let values = ListedValues::from(&client);
        assert_eq!(
            values.0,
            [
                (Listed::Domain, "shop.example"),
                (Listed::Layer, "mysql"),
                (Listed::Browser, "Chrome"),
                (Listed::Region, "US-RI"),
            ]
        );
        let server = ServerFilter::new().controller("cart").layer("redis");
        assert_eq!(
            ListedValues::from(&server).0,
            [(Listed::Controller, "cart"), (Listed::Layer, "redis")]
        );
        let requests = RequestsFilter::new().action("checkout");
        assert_eq!(
            ListedValues::from(&requests).0,
            [(Listed::Action, "checkout")]
        );
        assert!(
            ListedValues::from(&RequestsFilter::new().url("/x"))
                .0
                .is_empty()
        );
        assert_eq!(
            ListedValues::layer(Some("nginx")).0,
            [(Listed::Layer, "nginx")]
        );
    }
}
