//! Apps and their traffic constants.
//!
//! Everything about an app's traffic derives from `(seed, app name)`: the same name gets
//! the same stack and numbers whatever `--apps` is and whether the app was generated or
//! re-created after a delete. Constants are fixed once here so the per-slice work in
//! [`super::traffic`] is a handful of multiplications and hashes.

use serde::{Deserialize, Serialize};

use super::filter::AppFilters;
use super::hash::{Stream, combine, hash_str};
use super::layers::{self, Language, LayerProfile, LayerRole};

/// An app's integer id (annotations reference apps by id). `Default` is 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AppId(pub u64);

impl std::fmt::Display for AppId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The name of the app every host starts in.
pub const DEFAULT_APP: &str = "Default";

/// The id of [`DEFAULT_APP`].
pub const DEFAULT_APP_ID: AppId = AppId(1);

/// One app: identity, layer stack, traffic constants and filterable values.
#[derive(Debug, Clone)]
pub struct App {
    /// Integer id.
    pub id: AppId,
    /// Name, as used in paths (`web-shop`); at most 40 characters.
    pub name: String,
    /// The language of the framework layer (decides component names).
    pub language: Language,
    /// Traffic constants, including the layer stack.
    pub(crate) profile: AppProfile,
    /// Domains, URLs, controllers and actions with their traffic shares.
    pub(crate) filters: AppFilters,
    /// When the app came into existence (seconds): it has no traffic in slices that
    /// start before. Seeded apps have always existed (`i64::MIN`); an app created
    /// through `assign_app` starts at its creation, with the host assigned to it.
    pub(crate) born: i64,
    /// When the app stopped reporting (seconds): it has no traffic in 30-second slices
    /// that start at or after it. [`MAX_TIME`](super::window::MAX_TIME) (never) except
    /// for the seeded stale apps ([`super::outages`]).
    pub(crate) silent_from: i64,
}

impl App {
    /// The app's layers, entry (web server) first.
    pub fn layers(&self) -> &[LayerProfile] {
        &self.profile.layers
    }

    /// The domains this app serves.
    pub fn domains(&self) -> impl Iterator<Item = &str> {
        self.filters.domains.iter().map(|v| v.value.as_str())
    }

    /// The URL paths this app serves.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.filters.urls.iter().map(|v| v.value.as_str())
    }

    /// The controllers this app has.
    pub fn controllers(&self) -> impl Iterator<Item = &str> {
        self.filters.controllers.iter().map(|v| v.value.as_str())
    }

    /// The actions this app has.
    pub fn actions(&self) -> impl Iterator<Item = &str> {
        self.filters.actions.iter().map(|v| v.value.as_str())
    }

    /// A generated app with `leaves` leaf layers.
    pub(crate) fn generate(
        seed: u64,
        id: AppId,
        name: &str,
        org: &str,
        leaves: usize,
        busy: bool,
    ) -> Self {
        let key = app_key(seed, name);
        let mut rng = Stream::new(key, "stack");
        let language = layers::draw_language(&mut rng);
        let stack = layers::generate_stack(&mut rng, language, leaves);
        let profile = AppProfile::new(key, stack, busy);
        let filters = AppFilters::generate(key, name, org, language);
        App {
            id,
            name: name.to_owned(),
            language,
            profile,
            filters,
            born: i64::MIN,
            silent_from: super::window::MAX_TIME,
        }
    }

    /// An app created through `assign_app` at `born`: a single configured layer, no
    /// history before `born`.
    pub(crate) fn created(
        seed: u64,
        id: AppId,
        name: &str,
        layer: &str,
        org: &str,
        born: i64,
    ) -> Self {
        let key = app_key(seed, name);
        let mut rng = Stream::new(key, "stack");
        let language = layers::draw_language(&mut rng);
        let stack = layers::single_layer_stack(&mut rng, layer);
        let profile = AppProfile::new(key, stack, false);
        let filters = AppFilters::generate(key, name, org, language);
        App {
            id,
            name: name.to_owned(),
            language,
            profile,
            filters,
            born,
            silent_from: super::window::MAX_TIME,
        }
    }
}

/// The hash identity of an app's traffic.
fn app_key(seed: u64, name: &str) -> u64 {
    combine(seed, hash_str(name))
}

/// The per-app constants of the traffic model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AppProfile {
    /// Hash identity: `(seed, name)`.
    pub(crate) key: u64,
    /// Traced requests per second at the daily peak on a weekday.
    pub(crate) peak_rps: f64,
    /// Hour of day (UTC, fractional) of the peak.
    pub(crate) peak_hour: f64,
    /// Traffic at the quietest hour as a share of the peak.
    pub(crate) night_floor: f64,
    /// Traffic on Saturdays and Sundays as a share of weekdays.
    pub(crate) weekend: f64,
    /// Relative amplitude of the volume noise.
    pub(crate) noise: f64,
    /// Share of traced requests that end in an error, outside incidents.
    pub(crate) error_rate: f64,
    /// Share of all requests that are traced (total requests = traced / trace_rate).
    pub(crate) trace_rate: f64,
    /// Page views with real-user monitoring per traced request.
    pub(crate) rum_share: f64,
    /// Browser-side time per page view (network, DOM, render), in microseconds.
    pub(crate) frontend_us: f64,
    /// The expected request latency outside incidents (the sum of the layers' expected
    /// self times per request), in microseconds.
    pub(crate) base_request_us: f64,
    /// Probability that a given hour holds a minor incident.
    pub(crate) minor_incidents: f64,
    /// Probability that a given day holds a major incident.
    pub(crate) major_incidents: f64,
    /// The layer stack: the once-per-request layers (entry, framework) first, then leaves.
    pub(crate) layers: Vec<LayerProfile>,
    /// How many layers at the front of `layers` every request passes through exactly once
    /// (entry, framework).
    pub(crate) per_request: usize,
}

impl AppProfile {
    fn new(key: u64, layers: Vec<LayerProfile>, busy: bool) -> Self {
        let mut rng = Stream::new(key, "profile");
        // Log-uniform traffic: a few busy apps, many small ones.
        let peak_rps = if busy {
            rng.between(3.0, 9.0)
        } else {
            (rng.between(0.4f64.ln(), 12.0f64.ln())).exp()
        };
        let per_request = layers.iter().take_while(|l| l.is_per_request()).count();
        // Layer totals are self times, so the expected request latency is their sum.
        let base_request_us = layers
            .iter()
            .map(|l| match l.role {
                LayerRole::Leaf => l.coverage * l.calls_per_touch * l.cost_us,
                LayerRole::Entry | LayerRole::Framework => l.cost_us,
            })
            .sum();
        AppProfile {
            key,
            peak_rps,
            peak_hour: rng.between(12.0, 20.0),
            night_floor: rng.between(0.08, 0.35),
            weekend: rng.between(0.55, 0.9),
            noise: rng.between(0.08, 0.25),
            error_rate: (rng.between(0.002f64.ln(), 0.03f64.ln())).exp(),
            trace_rate: rng.between(0.08, 0.6),
            rum_share: rng.between(0.05, 0.3),
            frontend_us: rng.between(400_000.0, 2_500_000.0),
            base_request_us,
            minor_incidents: rng.between(0.2, 0.45),
            major_incidents: rng.between(0.2, 0.5),
            layers,
            per_request,
        }
    }

    /// The daily and weekly rhythm at instant `t`: a factor in `(0, 1]` of the peak.
    #[inline]
    pub(crate) fn rhythm(&self, t: i64) -> f64 {
        let day = t.div_euclid(86_400);
        let hour = t.rem_euclid(86_400) as f64 / 3_600.0;
        let phase = (hour - self.peak_hour) * (std::f64::consts::TAU / 24.0);
        let wave = 0.5 + 0.5 * phase.cos();
        let daily = self.night_floor + (1.0 - self.night_floor) * wave * wave;
        // 1970-01-01 was a Thursday: (day + 4) % 7 == 0 is a Sunday, 6 a Saturday.
        let weekday = (day + 4).rem_euclid(7);
        if weekday == 0 || weekday == 6 {
            daily * self.weekend
        } else {
            daily
        }
    }

    /// The index of a layer by name.
    pub(crate) fn layer_index(&self, name: &str) -> Option<usize> {
        self.layers.iter().position(|l| l.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_profile_whatever_the_id() {
        let a = App::generate(9, AppId(2), "web-shop", "example", 8, false);
        let b = App::generate(9, AppId(77), "web-shop", "example", 8, false);
        assert_eq!(a.profile, b.profile);
        let c = App::generate(10, AppId(2), "web-shop", "example", 8, false);
        assert_ne!(a.profile, c.profile);
    }

    #[test]
    fn rhythm_has_a_day_and_a_weekend() {
        let app = App::generate(1, AppId(2), "blog", "example", 3, false);
        let p = &app.profile;
        // A Wednesday (2024-01-03) at the peak hour vs. 12 hours later.
        let wed = 1_704_240_000;
        let peak = wed + (p.peak_hour * 3_600.0) as i64;
        let night = peak + 12 * 3_600;
        assert!(p.rhythm(peak) > 0.99);
        assert!(p.rhythm(night) < 0.36);
        // Saturday 2024-01-06 at the same time of day.
        let sat_peak = peak + 3 * 86_400;
        assert!((p.rhythm(sat_peak) - p.weekend * p.rhythm(peak)).abs() < 1e-9);
    }

    #[test]
    fn base_latency_is_plausible() {
        for (i, name) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
            let app = App::generate(3, AppId(i as u64 + 2), name, "example", 6, false);
            let ms = app.profile.base_request_us / 1_000.0;
            assert!((15.0..1_500.0).contains(&ms), "{name}: {ms} ms");
        }
    }
}
