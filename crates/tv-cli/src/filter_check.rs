//! The one check of filter values against the names the server lists (`tv discover`,
//! `tv layers APP`): a value the server does not know is a typo, not a quiet app, and
//! the error names the nearest known values. Every command that takes filters calls
//! [`check`] with its tv-client filter.

use tv_client::TraceView;
use tv_client::filter::{Filter, FilterParam, FilterParams};

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
    fn with(mut self, kind: Listed, value: Option<&'a str>) -> Self {
        self.0.extend(value.map(|value| (kind, value)));
        self
    }

    /// Only a layer (`tv check --layer`).
    pub fn layer(layer: Option<&'a str>) -> Self {
        ListedValues::default().with(Listed::Layer, layer)
    }
}

impl Listed {
    /// The listed filter a filter parameter is, if the server lists its values (it does
    /// not list URLs).
    fn of(param: FilterParam) -> Option<Listed> {
        match param {
            FilterParam::Domain => Some(Listed::Domain),
            FilterParam::Url => None,
            FilterParam::Controller => Some(Listed::Controller),
            FilterParam::Action => Some(Listed::Action),
            FilterParam::Layer => Some(Listed::Layer),
            FilterParam::Browser => Some(Listed::Browser),
            FilterParam::Region => Some(Listed::Region),
        }
    }
}

impl<'a, P: FilterParams> From<&'a Filter<P>> for ListedValues<'a> {
    fn from(filter: &'a Filter<P>) -> Self {
        ListedValues(
            filter
                .params()
                .given()
                .filter_map(|(param, value)| Some((Listed::of(param)?, value)))
                .collect(),
        )
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
    use tv_client::{ClientFilter, RequestsFilter, ServerFilter};

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
