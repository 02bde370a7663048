//! Filters and how they narrow an app's traffic.
//!
//! Every app has its own domains, URLs, controllers and actions, each with a share of the
//! app's traffic (Zipf-like weights normalised to 1 per dimension) and factors for its
//! latency and error rate. Browsers and regions (client side only) have world-wide
//! shares, perturbed per app; a US or Canadian subdivision is a share of its country.
//!
//! Filters of different dimensions combine by multiplying shares. A filter is resolved
//! once per request into a [`Resolved`], so the per-slice cost does not depend on it.
//! A value the app does not have (or an unknown layer, browser or region) resolves to
//! "no traffic". An empty value (`domain=`) counts as not given.

use super::app::App;
use super::audience::{browser_share, region_share};
use super::hash::{Stream, combine, hash_str};
use super::layers::Language;
use super::names::{ACTIONS, CONTROLLERS, URL_PATHS};

/// Which side of the traffic a series or summary is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// Server-side traces (latency in microseconds at the web server).
    Server,
    /// Client-side real-user monitoring (page-load latency in the browser).
    Client,
}

/// The traffic filters of the latency, error-rate and total-request endpoints.
///
/// `browser` and `region` apply to the client side only; the server side ignores them
/// (they are not parameters of the server endpoints, and unknown parameters are ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// One domain (`www.example.com`).
    pub domain: Option<String>,
    /// One URL path (`/checkout`).
    pub url: Option<String>,
    /// One code controller.
    pub controller: Option<String>,
    /// One code action.
    pub action: Option<String>,
    /// Requests that went through this layer.
    pub layer: Option<String>,
    /// One browser family (client side).
    pub browser: Option<String>,
    /// One ISO 3166-1 country or US/CA ISO 3166-2 subdivision (client side).
    pub region: Option<String>,
}

impl Filter {
    /// No filter at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether no dimension is set (empty values count as not set).
    pub fn is_empty(&self) -> bool {
        [
            &self.domain,
            &self.url,
            &self.controller,
            &self.action,
            &self.layer,
            &self.browser,
            &self.region,
        ]
        .iter()
        .all(|v| given(v).is_none())
    }
}

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

/// A filter resolved against one app and side: what the traffic model needs per slice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Resolved {
    /// A value the app does not have: every slice is empty.
    pub(crate) zero: bool,
    /// Server-side share (domain, URL, controller, action); `None` = not narrowed.
    pub(crate) share: Option<f64>,
    /// Latency factor of the narrowed traffic.
    pub(crate) latency: f64,
    /// Error-rate factor of the narrowed traffic.
    pub(crate) errors: f64,
    /// Hash of the server-side filter values (noise of the narrowing).
    pub(crate) key: u64,
    /// Layer filter: index into the app's stack.
    pub(crate) layer: Option<usize>,
    /// Client-side share (browser × region); `None` = not narrowed.
    pub(crate) client_share: Option<f64>,
    /// Client-side latency factor.
    pub(crate) client_latency: f64,
    /// Hash of the client-side filter values.
    pub(crate) client_key: u64,
}

impl Resolved {
    /// No filter.
    pub(crate) const NONE: Resolved = Resolved {
        zero: false,
        share: None,
        latency: 1.0,
        errors: 1.0,
        key: 0,
        layer: None,
        client_share: None,
        client_latency: 1.0,
        client_key: 0,
    };

    /// Resolves `filter` for `app` on `side`.
    pub(crate) fn resolve(app: &App, filter: &Filter, side: Side) -> Resolved {
        let mut r = Resolved::NONE;
        let dims: [(&str, &Option<String>, &[FilterValue]); 4] = [
            ("domain", &filter.domain, &app.filters.domains),
            ("url", &filter.url, &app.filters.urls),
            ("controller", &filter.controller, &app.filters.controllers),
            ("action", &filter.action, &app.filters.actions),
        ];
        let mut share = 1.0;
        let mut narrowed = false;
        for (dim, wanted, values) in dims {
            let Some(wanted) = given(wanted) else {
                continue;
            };
            narrowed = true;
            r.key = combine(r.key ^ hash_str(dim), hash_str(wanted));
            match values.iter().find(|v| v.value == wanted) {
                Some(v) => {
                    share *= v.share;
                    r.latency *= v.latency;
                    r.errors *= v.errors;
                }
                None => r.zero = true,
            }
        }
        if narrowed {
            r.share = Some(share);
        }
        if let Some(layer) = given(&filter.layer) {
            match app.profile.layer_index(layer) {
                Some(i) => r.layer = Some(i),
                None => r.zero = true,
            }
        }
        if side == Side::Client {
            let mut cshare = 1.0;
            let mut cnarrowed = false;
            if let Some(browser) = given(&filter.browser) {
                cnarrowed = true;
                r.client_key = combine(r.client_key ^ 0xb0, hash_str(browser));
                match browser_share(app.profile.key, browser) {
                    Some((s, lat)) => {
                        cshare *= s;
                        r.client_latency *= lat;
                    }
                    None => r.zero = true,
                }
            }
            if let Some(region) = given(&filter.region) {
                cnarrowed = true;
                r.client_key = combine(r.client_key ^ 0x7e, hash_str(region));
                match region_share(app.profile.key, region) {
                    Some((s, lat)) => {
                        cshare *= s;
                        r.client_latency *= lat;
                    }
                    None => r.zero = true,
                }
            }
            if cnarrowed {
                r.client_share = Some(cshare);
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
        let none = Resolved::resolve(&a, &Filter::none(), Side::Server);
        assert_eq!(none, Resolved::NONE);
        let ctrl = a.filters.controllers[0].value.clone();
        let f = Filter {
            controller: Some(ctrl),
            ..Filter::none()
        };
        let r = Resolved::resolve(&a, &f, Side::Server);
        assert!(!r.zero);
        assert!(r.share.is_some_and(|s| s < 1.0));
        let f = Filter {
            controller: Some("no-such".into()),
            ..Filter::none()
        };
        assert!(Resolved::resolve(&a, &f, Side::Server).zero);
        let f = Filter {
            layer: Some("no-such".into()),
            ..Filter::none()
        };
        assert!(Resolved::resolve(&a, &f, Side::Server).zero);
        let f = Filter {
            domain: Some(String::new()),
            ..Filter::none()
        };
        assert!(f.is_empty());
        assert_eq!(Resolved::resolve(&a, &f, Side::Server), Resolved::NONE);
    }

    #[test]
    fn client_dimensions_only_on_the_client() {
        let a = app();
        let f = Filter {
            browser: Some("Chrome".into()),
            region: Some("US-RI".into()),
            ..Filter::none()
        };
        assert_eq!(Resolved::resolve(&a, &f, Side::Server), Resolved::NONE);
        let r = Resolved::resolve(&a, &f, Side::Client);
        assert!(!r.zero);
        let s = r.client_share.unwrap();
        assert!(s > 0.0 && s < 0.01, "{s}");
        let f = Filter {
            region: Some("XX".into()),
            ..Filter::none()
        };
        assert!(Resolved::resolve(&a, &f, Side::Client).zero);
    }
}
