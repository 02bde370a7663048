//! Fault injection: the kinds, their counts and the seeded, reproducible decision.
//!
//! # Which requests get a fault
//!
//! With a fault rate `P`, each request draws from a hash of `(seed, method, path, its
//! parameters without the key, how many times this same request was seen before)`: a
//! fault when the draw is below `P`, and then its kind from a second draw over the
//! configured kinds. The parameters are taken from both transports (query string and
//! form body) and sorted, so the same call sent python-style or curl-style is the same
//! request. Because the draw depends on the request and its repetition count only, the
//! faults a client sees do not depend on how its requests interleave with other
//! clients', and a retry of a faulted request gets an independent draw. The repetition
//! counts are kept for up to [`MAX_TRACKED_REQUESTS`] distinct requests, then start over.
//!
//! The `X-Sandbox-Fault: <kind>` request header forces one fault on one request, at any
//! rate (and `X-Sandbox-Fault: none` forces none).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

use crate::world::hash::{combine, hash_str, pick, unit};

/// The request header that forces a fault (`X-Sandbox-Fault: 503`).
pub const FAULT_HEADER: &str = "x-sandbox-fault";

/// How long a `slow` fault holds its answer: longer than a typical client timeout (30 s).
pub const SLOW_FAULT_DELAY: Duration = Duration::from_secs(35);

/// How many distinct requests the repetition counts track before starting over.
pub const MAX_TRACKED_REQUESTS: usize = 100_000;

/// One kind of injected fault.
///
/// For writes (`POST`, `DELETE`) the kinds that answer without touching the request
/// (`429`, `redirect`) are applied before the write; all the others after the write was
/// applied and persisted — "the write landed but the answer was lost".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// `500 Internal Server Error` with the error envelope.
    Status500,
    /// `502 Bad Gateway` with the error envelope.
    Status502,
    /// `503 Service Unavailable` with the error envelope.
    Status503,
    /// `429 Too Many Requests` with the error envelope and `Retry-After: 1`.
    Status429,
    /// The normal answer, held for [`SLOW_FAULT_DELAY`] (other requests are not held).
    Slow,
    /// The connection is reset (TCP RST) without an answer.
    Reset,
    /// A proxy-style HTML `502 Bad Gateway` page (`text/html`).
    Html,
    /// `200 OK` with the first half of the JSON body.
    Truncated,
    /// `302 Found` to `/login?next=<path>` (the key is never echoed).
    Redirect,
}

impl FaultKind {
    /// Every kind, in the order of the `--faults` documentation.
    pub const ALL: [FaultKind; 9] = [
        FaultKind::Status500,
        FaultKind::Status502,
        FaultKind::Status503,
        FaultKind::Status429,
        FaultKind::Slow,
        FaultKind::Reset,
        FaultKind::Html,
        FaultKind::Truncated,
        FaultKind::Redirect,
    ];

    /// The name used by `--faults` and `X-Sandbox-Fault` (`500`, `slow`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            FaultKind::Status500 => "500",
            FaultKind::Status502 => "502",
            FaultKind::Status503 => "503",
            FaultKind::Status429 => "429",
            FaultKind::Slow => "slow",
            FaultKind::Reset => "reset",
            FaultKind::Html => "html",
            FaultKind::Truncated => "truncated",
            FaultKind::Redirect => "redirect",
        }
    }

    /// Whether the fault answers instead of the request (for writes: before the write).
    pub const fn replaces_request(self) -> bool {
        matches!(self, FaultKind::Status429 | FaultKind::Redirect)
    }

    fn index(self) -> usize {
        match self {
            FaultKind::Status500 => 0,
            FaultKind::Status502 => 1,
            FaultKind::Status503 => 2,
            FaultKind::Status429 => 3,
            FaultKind::Slow => 4,
            FaultKind::Reset => 5,
            FaultKind::Html => 6,
            FaultKind::Truncated => 7,
            FaultKind::Redirect => 8,
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown fault name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown fault {0:?}: expected one of 500, 502, 503, 429, slow, reset, html, truncated, redirect"
)]
pub struct UnknownFault(pub String);

impl FromStr for FaultKind {
    type Err = UnknownFault;

    /// Parses a name of [`FaultKind::as_str`] (case-insensitive, surrounding spaces ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        FaultKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownFault(name.chars().take(40).collect()))
    }
}

/// Parses a comma-separated list of fault names (`500,503,reset`); empty items are
/// skipped, duplicates removed.
pub fn parse_fault_list(list: &str) -> Result<Vec<FaultKind>, UnknownFault> {
    let mut kinds = Vec::new();
    for item in list.split(',').filter(|s| !s.trim().is_empty()) {
        let kind: FaultKind = item.parse()?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// The number of injected faults per kind (serialized with the kinds' names as keys).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FaultCounts {
    /// `500` faults.
    #[serde(rename = "500")]
    pub status_500: u64,
    /// `502` faults.
    #[serde(rename = "502")]
    pub status_502: u64,
    /// `503` faults.
    #[serde(rename = "503")]
    pub status_503: u64,
    /// `429` faults.
    #[serde(rename = "429")]
    pub status_429: u64,
    /// `slow` faults.
    pub slow: u64,
    /// `reset` faults.
    pub reset: u64,
    /// `html` faults.
    pub html: u64,
    /// `truncated` faults.
    pub truncated: u64,
    /// `redirect` faults.
    pub redirect: u64,
}

impl FaultCounts {
    /// The count of one kind.
    pub fn get(&self, kind: FaultKind) -> u64 {
        match kind {
            FaultKind::Status500 => self.status_500,
            FaultKind::Status502 => self.status_502,
            FaultKind::Status503 => self.status_503,
            FaultKind::Status429 => self.status_429,
            FaultKind::Slow => self.slow,
            FaultKind::Reset => self.reset,
            FaultKind::Html => self.html,
            FaultKind::Truncated => self.truncated,
            FaultKind::Redirect => self.redirect,
        }
    }

    /// All faults injected so far.
    pub fn total(&self) -> u64 {
        FaultKind::ALL.into_iter().map(|k| self.get(k)).sum()
    }
}

impl fmt::Display for FaultCounts {
    /// `500=2 reset=1` (kinds with a count only; `none` when there is none).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut any = false;
        for kind in FaultKind::ALL {
            let n = self.get(kind);
            if n > 0 {
                if any {
                    f.write_str(" ")?;
                }
                write!(f, "{kind}={n}")?;
                any = true;
            }
        }
        if !any {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// The fault injector of one sandbox.
#[derive(Debug)]
pub(crate) struct Faults {
    seed: u64,
    rate: f64,
    kinds: Vec<FaultKind>,
    seen: Mutex<HashMap<u64, u64>>,
    counts: [AtomicU64; 9],
}

impl Faults {
    /// An injector drawing `kinds` at `rate`.
    pub(crate) fn new(seed: u64, rate: f64, kinds: Vec<FaultKind>) -> Self {
        Faults {
            seed,
            rate: if rate.is_finite() {
                rate.clamp(0.0, 1.0)
            } else {
                0.0
            },
            kinds,
            seen: Mutex::new(HashMap::new()),
            counts: Default::default(),
        }
    }

    /// The seeded decision for one request (see the module documentation). `params` are
    /// the request's parameters without the key, in any order.
    pub(crate) fn draw<'a>(
        &self,
        method: &str,
        path: &str,
        params: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Option<FaultKind> {
        if self.rate <= 0.0 || self.kinds.is_empty() {
            return None;
        }
        let mut pairs: Vec<(&str, &str)> = params.collect();
        pairs.sort_unstable();
        let mut id = combine(self.seed, hash_str(method));
        id = combine(id, hash_str(path));
        for (name, value) in pairs {
            id = combine(combine(id, hash_str(name)), hash_str(value));
        }
        let repetition = {
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            if seen.len() >= MAX_TRACKED_REQUESTS && !seen.contains_key(&id) {
                seen.clear();
            }
            let n = seen.entry(id).or_insert(0);
            let before = *n;
            *n += 1;
            before
        };
        let draw = combine(id, repetition);
        if unit(draw) >= self.rate {
            return None;
        }
        self.kinds
            .get(pick(combine(draw, 0x6b69_6e64), self.kinds.len()))
            .copied()
    }

    /// Counts one injected fault.
    pub(crate) fn record(&self, kind: FaultKind) {
        if let Some(c) = self.counts.get(kind.index()) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counts so far.
    pub(crate) fn counts(&self) -> FaultCounts {
        let get = |k: FaultKind| {
            self.counts
                .get(k.index())
                .map_or(0, |c| c.load(Ordering::Relaxed))
        };
        FaultCounts {
            status_500: get(FaultKind::Status500),
            status_502: get(FaultKind::Status502),
            status_503: get(FaultKind::Status503),
            status_429: get(FaultKind::Status429),
            slow: get(FaultKind::Slow),
            reset: get(FaultKind::Reset),
            html: get(FaultKind::Html),
            truncated: get(FaultKind::Truncated),
            redirect: get(FaultKind::Redirect),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in FaultKind::ALL {
            assert_eq!(kind.as_str().parse::<FaultKind>(), Ok(kind));
        }
        assert_eq!(" SLOW ".parse::<FaultKind>(), Ok(FaultKind::Slow));
        assert!("404".parse::<FaultKind>().is_err());
        assert_eq!(
            parse_fault_list("500,,503,500"),
            Ok(vec![FaultKind::Status500, FaultKind::Status503])
        );
    }

    #[test]
    fn draws_are_reproducible_and_retries_independent() {
        let a = Faults::new(7, 0.5, FaultKind::ALL.to_vec());
        let b = Faults::new(7, 0.5, FaultKind::ALL.to_vec());
        let seq = |f: &Faults| {
            (0..64)
                .map(|_| f.draw("GET", "/api-v2/apps", [("x", "1")].into_iter()))
                .collect::<Vec<_>>()
        };
        let (sa, sb) = (seq(&a), seq(&b));
        assert_eq!(sa, sb);
        // Repetitions are independent draws: some faulted, some not.
        assert!(sa.iter().any(Option::is_some) && sa.iter().any(Option::is_none));
        // Parameter order does not matter.
        let c = Faults::new(7, 0.5, FaultKind::ALL.to_vec());
        let d = Faults::new(7, 0.5, FaultKind::ALL.to_vec());
        let x = c.draw("GET", "/p", [("a", "1"), ("b", "2")].into_iter());
        let y = d.draw("GET", "/p", [("b", "2"), ("a", "1")].into_iter());
        assert_eq!(x, y);
    }

    #[test]
    fn rate_bounds() {
        let never = Faults::new(1, 0.0, FaultKind::ALL.to_vec());
        let always = Faults::new(1, 1.0, vec![FaultKind::Html]);
        for i in 0..100 {
            let p = i.to_string();
            assert_eq!(never.draw("GET", &p, std::iter::empty()), None);
            assert_eq!(
                always.draw("GET", &p, std::iter::empty()),
                Some(FaultKind::Html)
            );
        }
    }
}
