//! The client-side audience: browser families and regions, with their share of an
//! app's page views and their effect on page-load time.
//!
//! Shares are world-wide base shares perturbed per app (±25–30 %); a US or Canadian
//! ISO 3166-2 subdivision is a share of its country, so `US-CA` < `US`.

use super::hash::{between, combine, hash_str};
use super::names::{BROWSERS, COUNTRIES, SUBDIVISIONS};

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
