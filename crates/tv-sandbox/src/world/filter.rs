//! Filters and how they narrow an app's traffic.
//!
//! Every app has its own domains, URLs, controllers and actions, each with a share of the
//! app's traffic (Zipf-like weights normalised to 1 per dimension) and factors for its
//! latency and error rate. Browsers and regions (client side only) have world-wide
//! shares, perturbed per app; a US or Canadian subdivision is a share of its country.
//!
//! The values of one dimension partition the traffic exactly (the slice is split among
//! them, see `traffic::partition`); filters of several dimensions apply one after the
//! other (domain, URL, controller, action; browser, then region). A filter is resolved
//! once per request into a [`Resolved`].
//! A value the app does not have (or an unknown layer, browser or region) resolves to
//! "no traffic". An empty value (`domain=`) counts as not given.

use super::app::App;
use super::audience::{browser_index, region_index};
use super::hash::Stream;
use super::layers::Language;
use super::names::{ACTIONS, CONTROLLERS, URL_PATHS};
use super::traffic::partition::Weight;

/// Which side of the traffic a series or summary is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// Server-side traces (latency in microseconds at the web server).
    Server,
    /// Client-side real-user monitoring (page-load latency in the browser).
    Client,
}

/// The traffic filters of the latency, error-rate and total-request endpoints: tv-api's
/// plain struct of the largest filter family (generated from the spec), parsed with
/// [`FilterParams::from_params`](tv_api::filters::FilterParams::from_params).
///
/// The client ones (`browser`, `region`) apply to the client side only; the server
/// side ignores them (they are not parameters of the server endpoints, and unknown
/// parameters are ignored).
pub type Filter = tv_api::filters::ClientParams;

/// A filter value counts as given only when non-empty.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// One filterable value of an app with its traffic constants.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FilterValue {
    /// The value as the API takes it.
    pub(crate) value: String,
    /// Share of the app's traffic, in `(0, 1]`.
    pub(crate) share: f64,
    /// Latency factor of this slice of traffic.
    pub(crate) latency: f64,
    /// Error-rate factor of this slice of traffic.
    pub(crate) errors: f64,
}

/// An app's filterable values per dimension.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct AppFilters {
    pub(crate) domains: Vec<FilterValue>,
    pub(crate) urls: Vec<FilterValue>,
    pub(crate) controllers: Vec<FilterValue>,
    pub(crate) actions: Vec<FilterValue>,
}

impl AppFilters {
    /// The partition weights of the values of server dimension `d` (domain, URL,
    /// controller, action).
    pub(crate) fn weights(&self, d: usize) -> Vec<Weight> {
        let values = match d {
            0 => &self.domains,
            1 => &self.urls,
            2 => &self.controllers,
            _ => &self.actions,
        };
        values
            .iter()
            .map(|v| Weight {
                share: v.share,
                latency: v.latency,
                errors: v.errors,
            })
            .collect()
    }

    /// Draws an app's values from its hash identity.
    pub(crate) fn generate(key: u64, name: &str, org: &str, language: Language) -> Self {
        let mut rng = Stream::new(key, "filters");
        let host: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let host = match host.trim_matches('-') {
            "" => "app",
            h => h,
        };
        let mut domains = vec![format!("{host}.{org}.com")];
        for candidate in [
            format!("www.{org}.com"),
            format!("api.{org}.com"),
            format!("m.{org}.com"),
        ] {
            if rng.chance(0.4) {
                domains.push(candidate);
            }
        }
        let n_urls = rng.range(6, 12) as usize;
        let mut urls: Vec<String> = Vec::with_capacity(n_urls + 1);
        if language == Language::Php {
            urls.push("/index.php".to_owned());
        }
        let mut guard = 0;
        while urls.len() < n_urls && guard < 64 {
            guard += 1;
            let template = URL_PATHS[rng.pick(URL_PATHS.len())];
            let url = template.replace("{}", &rng.range(1, 500).to_string());
            if !urls.contains(&url) {
                urls.push(url);
            }
        }
        let controllers = subset(&mut rng, CONTROLLERS, 4, 10);
        let actions = subset(&mut rng, ACTIONS, 3, 8);
        AppFilters {
            domains: weigh(&mut rng, domains),
            urls: weigh(&mut rng, urls),
            controllers: weigh(&mut rng, controllers),
            actions: weigh(&mut rng, actions),
        }
    }
}

/// A random subset of `lo..=hi` values of `pool`, in draw order.
fn subset(rng: &mut Stream, pool: &[&str], lo: u64, hi: u64) -> Vec<String> {
    let n = (rng.range(lo, hi) as usize).min(pool.len());
    let mut idx: Vec<usize> = (0..pool.len()).collect();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let k = rng.pick(idx.len());
        out.push(pool[idx.swap_remove(k)].to_owned());
    }
    out
}

/// Zipf-like shares (first value biggest), normalised to sum to 1, plus factors.
fn weigh(rng: &mut Stream, values: Vec<String>) -> Vec<FilterValue> {
    let weights: Vec<f64> = (0..values.len())
        .map(|k| rng.between(0.7, 1.3) / (k as f64 + 1.0).powf(0.9))
        .collect();
    let total: f64 = weights.iter().sum();
    values
        .into_iter()
        .zip(weights)
        .map(|(value, w)| FilterValue {
            value,
            share: if total > 0.0 { w / total } else { 1.0 },
            latency: rng.between(0.6, 1.8),
            errors: rng.between(0.3, 2.5),
        })
        .collect()
}

/// A filter resolved against one app and side: which value of each dimension it keeps.
/// The traffic model splits each slice exactly among a dimension's values
/// ([`super::traffic`]'s partition), so the values of a dimension add up to the whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Resolved {
    /// A value the app does not have: every slice is empty.
    pub(crate) zero: bool,
    /// The kept value of each server dimension (domain, URL, controller, action: the
    /// order they apply in), as an index into the app's values.
    pub(crate) server: [Option<usize>; 4],
    /// Layer filter: index into the app's stack.
    pub(crate) layer: Option<usize>,
    /// The kept browser (index into the browser list), client side only.
    pub(crate) browser: Option<usize>,
    /// The kept region, client side only: a country (index into the countries) and
    /// optionally one of its subdivisions (index among that country's subdivisions).
    pub(crate) region: Option<(usize, Option<usize>)>,
}

impl Resolved {
    /// No filter.
    pub(crate) const NONE: Resolved = Resolved {
        zero: false,
        server: [None; 4],
        layer: None,
        browser: None,
        region: None,
    };

    /// Resolves `filter` for `app` on `side`.
    pub(crate) fn resolve(app: &App, filter: &Filter, side: Side) -> Resolved {
        let mut r = Resolved::NONE;
        let dims: [(&Option<String>, &[FilterValue]); 4] = [
            (&filter.domain, &app.filters.domains),
            (&filter.url, &app.filters.urls),
            (&filter.controller, &app.filters.controllers),
            (&filter.action, &app.filters.actions),
        ];
        for (slot, (wanted, values)) in r.server.iter_mut().zip(dims) {
            let Some(wanted) = given(wanted) else {
                continue;
            };
            match values.iter().position(|v| v.value == wanted) {
                Some(i) => *slot = Some(i),
                None => r.zero = true,
            }
        }
        if let Some(layer) = given(&filter.layer) {
            match app.profile.layer_index(layer) {
                Some(i) => r.layer = Some(i),
                None => r.zero = true,
            }
        }
        if side == Side::Client {
            if let Some(browser) = given(&filter.browser) {
                match browser_index(browser) {
                    Some(i) => r.browser = Some(i),
                    None => r.zero = true,
                }
            }
            if let Some(region) = given(&filter.region) {
                match region_index(region) {
                    Some(i) => r.region = Some(i),
                    None => r.zero = true,
                }
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::app::AppId;

    fn app() -> App {
        App::generate(5, AppId(2), "web-shop", "example", 8, false)
    }

    #[test]
    fn shares_are_normalised_per_dimension() {
        let a = app();
        for dim in [
            &a.filters.domains,
            &a.filters.urls,
            &a.filters.controllers,
            &a.filters.actions,
        ] {
            assert!(!dim.is_empty());
            let total: f64 = dim.iter().map(|v| v.share).sum();
            assert!((total - 1.0).abs() < 1e-9);
            assert!(dim.iter().all(|v| v.share > 0.0 && v.share <= 1.0));
        }
    }

    #[test]
    fn resolution_narrows_and_unknown_is_zero() {
        let a = app();
        let none = Resolved::resolve(&a, &Filter::default(), Side::Server);
        assert_eq!(none, Resolved::NONE);
        let ctrl = a.filters.controllers[0].value.clone();
        let f = Filter {
            controller: Some(ctrl),
            ..Filter::default()
        };
        let r = Resolved::resolve(&a, &f, Side::Server);
        assert!(!r.zero);
        assert_eq!(r.server[2], Some(0));
        let f = Filter {
            controller: Some("no-such".into()),
            ..Filter::default()
        };
        assert!(Resolved::resolve(&a, &f, Side::Server).zero);
        let f = Filter {
            layer: Some("no-such".into()),
            ..Filter::default()
        };
        assert!(Resolved::resolve(&a, &f, Side::Server).zero);
        let f = Filter {
            domain: Some(String::new()),
            ..Filter::default()
        };
        assert!(tv_api::filters::FilterParams::is_empty(&f));
        assert_eq!(Resolved::resolve(&a, &f, Side::Server), Resolved::NONE);
    }

    #[test]
    fn client_dimensions_only_on_the_client() {
        let a = app();
        let f = Filter {
            browser: Some("Chrome".into()),
            region: Some("US-RI".into()),
            ..Filter::default()
        };
        assert_eq!(Resolved::resolve(&a, &f, Side::Server), Resolved::NONE);
        let r = Resolved::resolve(&a, &f, Side::Client);
        assert!(!r.zero);
        assert!(r.browser.is_some() && r.region.is_some_and(|(_, sub)| sub.is_some()));
        let f = Filter {
            region: Some("XX".into()),
            ..Filter::default()
        };
        assert!(Resolved::resolve(&a, &f, Side::Client).zero);
    }
}
