//! Hosts, their heartbeats and their instrumentation versions.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::app::{App, AppId};
use super::error::WorldError;
use super::hash::{Stream, hash_str};
use super::layers::entry_component;
use super::time::midnight;

/// A host's integer id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HostId(pub u64);

impl HostId {
    /// Parses a host id path segment; anything that is not an id is a host that does not
    /// exist ([`WorldError::NotFound`], worded like the real service).
    pub fn parse(value: &str) -> Result<HostId, WorldError> {
        value.trim().parse::<u64>().map(HostId).map_err(|_| {
            let shown: String = value.chars().take(64).collect();
            WorldError::host_not_found(shown)
        })
    }
}

impl std::fmt::Display for HostId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The `platform` field of an instrumentation version: absent, `null` or a value (the
/// real service was seen sending all three shapes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Platform {
    /// The key is not in the object at all.
    Absent,
    /// The key is present with `null`.
    Null,
    /// `"linux"`.
    Linux,
    /// `"windows"`.
    Windows,
}

impl Platform {
    /// The value, if any (`None` for both `Absent` and `Null`).
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            Platform::Linux => Some("linux"),
            Platform::Windows => Some("windows"),
            Platform::Absent | Platform::Null => None,
        }
    }

    /// Whether the key should be left out of the object.
    pub fn is_absent(self) -> bool {
        self == Platform::Absent
    }
}

/// One instrumentation component installed on a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstrumentationVersion {
    /// Component name (`tracelyzer`, `nginx`, `php`, ...).
    pub name: String,
    /// Version string (`1.3.0`).
    pub version: String,
    /// Release date of that version: midnight UTC, seconds since the epoch.
    pub release_date: i64,
    /// Whether a newer version exists.
    pub update_required: bool,
    /// The platform, when the component reports it.
    pub platform: Platform,
}

/// A host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    /// Integer id.
    pub id: HostId,
    /// Host name.
    pub name: String,
    /// First heartbeat, seconds since the epoch.
    pub first_heartbeat: i64,
    /// Last heartbeat, seconds since the epoch.
    pub last_heartbeat: i64,
    /// Last trace, seconds since the epoch; `None` for hosts that never traced.
    pub last_trace: Option<i64>,
    /// The app the host was generated in or assigned to.
    pub app: AppId,
    /// Installed instrumentation.
    pub versions: Vec<InstrumentationVersion>,
}

/// Released versions of one component, oldest first, with their release dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComponentReleases {
    pub(crate) name: &'static str,
    pub(crate) versions: Vec<(&'static str, i64)>,
}

const COMPONENTS: &[(&str, &[&str])] = &[
    ("tracelyzer", &["1.1.0", "1.1.1", "1.2.1", "1.3.0", "1.3.2"]),
    ("nginx", &["1.0.4", "1.1.0", "1.2.0", "1.3.0"]),
    ("apache", &["2.0.1", "2.1.0", "2.2.3"]),
    ("lighttpd", &["0.9.1", "1.0.0"]),
    ("ruby", &["2.5.0", "2.6.3", "2.7.1", "3.0.0"]),
    ("python", &["1.4.2", "1.5.0", "1.5.8", "2.0.0"]),
    ("php", &["1.3.0", "1.4.0", "1.5.2"]),
    ("java", &["3.2.0", "3.3.1", "4.0.0"]),
];

/// Release dates of every component, relative to the catalog's `now`.
pub(crate) fn releases(seed: u64, anchor: i64) -> Vec<ComponentReleases> {
    let mut rng = Stream::new(seed, "releases");
    COMPONENTS
        .iter()
        .map(|(name, versions)| {
            let mut date = midnight(anchor - (rng.between(10.0, 60.0) * 86_400.0) as i64);
            let mut dated: Vec<(&'static str, i64)> = Vec::with_capacity(versions.len());
            for v in versions.iter().rev() {
                dated.push((v, date));
                date = midnight(date - (rng.between(45.0, 150.0) * 86_400.0) as i64);
            }
            dated.reverse();
            ComponentReleases {
                name,
                versions: dated,
            }
        })
        .collect()
}

/// The instrumentation a host of `app` runs: the tracelyzer, the web server module (for
/// a known web server) and the language agent.
pub(crate) fn versions_for(
    rng: &mut Stream,
    app: &App,
    releases: &[ComponentReleases],
) -> Vec<InstrumentationVersion> {
    let windows = matches!(app.language.component(), "php" | "java") && rng.chance(0.15);
    let os = if windows {
        Platform::Windows
    } else {
        Platform::Linux
    };
    let language_platform = if rng.chance(0.4) {
        Platform::Absent
    } else {
        os
    };
    let mut wanted: Vec<(&str, Platform)> = vec![("tracelyzer", os)];
    if let Some(entry) = app.layers().first().and_then(|l| entry_component(&l.name)) {
        wanted.push((entry, Platform::Null));
    }
    wanted.push((app.language.component(), language_platform));
    wanted
        .into_iter()
        .filter_map(|(name, platform)| {
            let rel = releases.iter().find(|r| r.name == name)?;
            let latest = rel.versions.len().checked_sub(1)?;
            let k = if rng.chance(0.65) {
                latest
            } else {
                rng.pick(latest.max(1))
            };
            let (version, date) = rel.versions.get(k)?;
            Some(InstrumentationVersion {
                name: name.to_owned(),
                version: (*version).to_owned(),
                release_date: *date,
                update_required: k < latest,
                platform,
            })
        })
        .collect()
}

/// Generic host names of the `Default` app.
const DEFAULT_HOSTS: &[&str] = &[
    "dev_testing",
    "web_production",
    "ip-127-0-0-1",
    "staging-01",
    "build-agent",
    "qa-box",
];

/// Generates the hosts of every app. Ids are unique and increase with the catalog order.
pub(crate) fn generate(
    seed: u64,
    anchor: i64,
    org: &str,
    apps: &[App],
    releases: &[ComponentReleases],
) -> Vec<Host> {
    let mut rng = Stream::new(seed, "hosts");
    let mut hosts: Vec<Host> = Vec::with_capacity(apps.len() * 3);
    let mut names: HashSet<String> = HashSet::with_capacity(apps.len() * 3);
    for (i, app) in apps.iter().enumerate() {
        let count = if i == 0 {
            rng.range(4, 6)
        } else {
            rng.range(1, 4)
        };
        for k in 0..count {
            let candidate = if i == 0 {
                DEFAULT_HOSTS[k as usize % DEFAULT_HOSTS.len()].to_owned()
            } else {
                match rng.pick(3) {
                    0 => format!("{}-web-{:02}", app.name, k + 1),
                    1 => format!(
                        "ip-10-{}-{}-{}",
                        rng.range(0, 31),
                        rng.range(0, 255),
                        rng.range(2, 254)
                    ),
                    _ => format!("{}{}.{org}.com", app.name, k + 1),
                }
            };
            let mut name = candidate.clone();
            let mut n = 2;
            while names.contains(&name) {
                name = format!("{candidate}-{n}");
                n += 1;
            }
            names.insert(name.clone());
            let index = hosts.len() as u64;
            let id = HostId(100_000 + index * 37 + rng.range(0, 36));
            let mut hrng = Stream::new(seed ^ hash_str(&name), "host");
            let first_heartbeat = anchor - (hrng.between(30.0, 500.0) * 86_400.0) as i64;
            // Default always has a host that never traced; elsewhere 10 % never traced,
            // 10 % stopped tracing days ago.
            let state = if i == 0 && k == count - 1 {
                0.0
            } else {
                hrng.unit()
            };
            let (last_heartbeat, last_trace) = if state < 0.1 {
                (anchor - hrng.range(5, 900) as i64, None)
            } else if state < 0.2 {
                let last = anchor - (hrng.between(2.0, 25.0) * 86_400.0) as i64;
                (last + hrng.range(60, 3_600) as i64, Some(last))
            } else {
                (
                    anchor - hrng.range(5, 120) as i64,
                    Some(anchor - hrng.range(0, 600) as i64),
                )
            };
            let versions = versions_for(&mut hrng, app, releases);
            hosts.push(Host {
                id,
                name,
                first_heartbeat,
                last_heartbeat: last_heartbeat.max(first_heartbeat),
                // A stale app's hosts traced last before it went silent.
                last_trace: last_trace.map(|t| t.min(app.silent_from.saturating_sub(1))),
                app: app.id,
                versions,
            });
        }
    }
    hosts
}

/// A host created by `assign_app` for an unknown host name: it has just sent its first
/// heartbeat and has not traced yet.
pub(crate) fn created(
    seed: u64,
    id: HostId,
    name: &str,
    app: &App,
    now: i64,
    releases: &[ComponentReleases],
) -> Host {
    let mut rng = Stream::new(seed ^ hash_str(name), "host");
    Host {
        id,
        name: name.to_owned(),
        first_heartbeat: now,
        last_heartbeat: now,
        last_trace: None,
        app: app.id,
        versions: versions_for(&mut rng, app, releases),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_are_dated_at_midnight_and_ordered() {
        let anchor = 1_704_283_200;
        for r in releases(3, anchor) {
            assert!(r.versions.windows(2).all(|p| p[0].1 < p[1].1), "{r:?}");
            for (_, d) in &r.versions {
                assert_eq!(d % 86_400, 0);
                assert!(*d < anchor);
            }
        }
    }

    #[test]
    fn host_ids_parse_or_are_not_found() {
        assert_eq!(HostId::parse("123456"), Ok(HostId(123_456)));
        let err = HostId::parse("abc").unwrap_err();
        assert!(matches!(err, WorldError::NotFound(_)));
        assert_eq!(err.message(), "No host found with ID abc");
    }

    #[test]
    fn platform_shapes() {
        assert_eq!(Platform::Linux.as_str(), Some("linux"));
        assert_eq!(Platform::Null.as_str(), None);
        assert!(Platform::Absent.is_absent() && !Platform::Null.is_absent());
    }
}
