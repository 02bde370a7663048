//! The client-side audience: browser families and regions, with their share of an
//! app's page views and their effect on page-load time.
//!
//! Shares are world-wide base shares perturbed per app (±25–30 %); a US or Canadian
//! ISO 3166-2 subdivision is a share of its country, so `US-CA` < `US`.

use super::hash::{between, combine, hash_str};
use super::names::{BROWSERS, COUNTRIES, SUBDIVISIONS};
use super::traffic::partition::Weight;

/// A browser's share of an app's page views and its latency factor.
pub(crate) fn browser_share(app_key: u64, browser: &str) -> Option<(f64, f64)> {
    let (name, base) = BROWSERS.iter().find(|(n, _)| *n == browser)?;
    let h = combine(app_key, hash_str(name));
    let share = (base * between(h, 0.7, 1.3)).min(1.0);
    Some((share, between(h ^ 0x5a5a, 0.85, 1.5)))
}

/// A region's share of an app's page views and its latency factor.
pub(crate) fn region_share(app_key: u64, region: &str) -> Option<(f64, f64)> {
    let base = if let Some((_, s)) = COUNTRIES.iter().find(|(n, _)| *n == region) {
        *s
    } else {
        let (_, sub) = SUBDIVISIONS.iter().find(|(n, _)| *n == region)?;
        let country = region.split('-').next().unwrap_or(region);
        let (_, parent) = COUNTRIES.iter().find(|(n, _)| *n == country)?;
        parent * sub
    };
    let h = combine(app_key, hash_str(region));
    let share = (base * between(h, 0.75, 1.25)).min(1.0);
    Some((share, between(h ^ 0x3c3c, 0.7, 2.2)))
}

/// The index of a browser in the browser list.
pub(crate) fn browser_index(browser: &str) -> Option<usize> {
    BROWSERS.iter().position(|(n, _)| *n == browser)
}

/// A country's index, and the index of the subdivision among that country's
/// subdivisions when `region` is one (`US-RI`).
pub(crate) fn region_index(region: &str) -> Option<(usize, Option<usize>)> {
    if let Some(i) = COUNTRIES.iter().position(|(n, _)| *n == region) {
        return Some((i, None));
    }
    let country = region.split_once('-')?.0;
    let c = COUNTRIES.iter().position(|(n, _)| *n == country)?;
    let sub = subdivisions_of(country).position(|n| n == region)?;
    Some((c, Some(sub)))
}

/// The subdivisions of a country, in list order.
fn subdivisions_of(country: &str) -> impl Iterator<Item = &'static str> + '_ {
    SUBDIVISIONS
        .iter()
        .map(|(n, _)| *n)
        .filter(move |n| n.split_once('-').is_some_and(|(c, _)| c == country))
}

/// The weights of every browser for an app: share of page views, latency factor.
pub(crate) fn browser_weights(app_key: u64) -> Vec<Weight> {
    BROWSERS
        .iter()
        .filter_map(|(n, _)| browser_share(app_key, n))
        .map(|(share, latency)| Weight {
            share,
            latency,
            errors: 1.0,
        })
        .collect()
}

/// The weights of every country for an app.
pub(crate) fn country_weights(app_key: u64) -> Vec<Weight> {
    COUNTRIES
        .iter()
        .filter_map(|(n, _)| region_share(app_key, n))
        .map(|(share, latency)| Weight {
            share,
            latency,
            errors: 1.0,
        })
        .collect()
}

/// The weights of a country's subdivisions for an app, then one for the rest of the
/// country (the part in no listed subdivision).
pub(crate) fn subdivision_weights(app_key: u64, country: usize) -> Vec<Weight> {
    let Some((name, _)) = COUNTRIES.get(country) else {
        return Vec::new();
    };
    let (whole, latency) = region_share(app_key, name).unwrap_or((1.0, 1.0));
    let mut out: Vec<Weight> = subdivisions_of(name)
        .filter_map(|n| region_share(app_key, n))
        .map(|(share, latency)| Weight {
            share,
            latency,
            errors: 1.0,
        })
        .collect();
    let listed: f64 = out.iter().map(|w| w.share).sum();
    out.push(Weight {
        share: (whole - listed).max(whole * 0.05),
        latency,
        errors: 1.0,
    });
    out
}

/// The `browsers` discovery list.
pub(crate) fn browsers() -> Vec<String> {
    BROWSERS.iter().map(|(n, _)| (*n).to_owned()).collect()
}

/// The `regions` discovery list: countries and US/CA subdivisions, sorted.
pub(crate) fn regions() -> Vec<String> {
    let mut out: Vec<String> = COUNTRIES
        .iter()
        .chain(SUBDIVISIONS.iter())
        .map(|(n, _)| (*n).to_owned())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdivisions_are_shares_of_their_country() {
        for key in 0..20u64 {
            let (us, _) = region_share(key, "US").unwrap();
            let (ca, _) = region_share(key, "US-CA").unwrap();
            assert!(ca < us);
        }
        assert!(region_share(1, "XX").is_none());
        assert!(region_share(1, "XX-YY").is_none());
        assert!(browser_share(1, "Netscape").is_none());
    }

    #[test]
    fn discovery_lists() {
        let r = regions();
        assert!(r.contains(&"US".to_owned()) && r.contains(&"CA-BC".to_owned()));
        assert!(r.windows(2).all(|p| p[0] < p[1]));
        assert_eq!(browsers()[0], "Chrome");
    }
}
