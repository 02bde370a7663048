//! The seeded, immutable part of the world: organization, users, apps, hosts, seeded
//! annotations and discovery lists, generated from `(seed, apps, now)`.
//!
//! Generation is linear in the number of apps and cheap (about 1 ms per 100 apps): no
//! per-slice data is stored, only per-app constants.

use std::collections::HashMap;

use super::annotations::{self, Annotation};
use super::app::{App, AppId, DEFAULT_APP, DEFAULT_APP_ID};
use super::audience;
use super::hash::{Stream, combine, hash_str};
use super::hosts::{self, ComponentReleases, Host, HostId};
use super::layers::MAX_LEAVES;
use super::names::{ACTIONS, APP_NAMES, CONTROLLERS, METRICS};
use super::org::{self, Organization, User};
use super::outages;

/// The seeded world.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The seed everything derives from.
    pub seed: u64,
    /// The instant the catalog was generated at (heartbeats, release dates and seeded
    /// annotations are relative to it).
    pub anchor: i64,
    /// The organization.
    pub organization: Organization,
    /// The organization's users.
    pub users: Vec<User>,
    /// Licensed hosts.
    pub hosts_limit: u64,
    apps: Vec<App>,
    hosts: Vec<Host>,
    annotations: Vec<Annotation>,
    controllers: Vec<String>,
    actions: Vec<String>,
    domains: Vec<String>,
    browsers: Vec<String>,
    regions: Vec<String>,
    metrics: Vec<String>,
    releases: Vec<ComponentReleases>,
    app_by_name: HashMap<String, usize>,
    host_by_name: HashMap<String, usize>,
    /// Per app, its seeded annotations (indexes, in time order) and hosts (indexes, in
    /// id order), so that a per-app list costs what it lists, not the world's size.
    annotations_by_app: HashMap<AppId, Vec<usize>>,
    hosts_by_app: HashMap<AppId, Vec<usize>>,
    /// The `last_trace` of every host that traced, ascending.
    trace_times: Vec<i64>,
}

/// Groups the indexes of `items` by `key`, each group in `items`' order.
fn index_by<T>(items: &[T], key: impl Fn(&T) -> Option<AppId>) -> HashMap<AppId, Vec<usize>> {
    let mut out: HashMap<AppId, Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(app) = key(item) {
            out.entry(app).or_default().push(i);
        }
    }
    out
}

/// The name of the `i`-th app: `Default`, then [`APP_NAMES`], then the same names
/// numbered (`web-shop-2`, ...).
pub(crate) fn app_name(i: usize) -> String {
    if i == 0 {
        return DEFAULT_APP.to_owned();
    }
    let k = i - 1;
    let base = APP_NAMES[k % APP_NAMES.len()];
    let round = k / APP_NAMES.len();
    if round == 0 {
        base.to_owned()
    } else {
        format!("{base}-{}", round + 1)
    }
}

/// The `i`-th generated app of the world of `seed`; `rich` is the index of the app
/// with the most layers (1, or 0 when `Default` is alone).
fn generated_app(seed: u64, i: usize, org: &str, rich: usize) -> App {
    let name = app_name(i);
    let mut rng = Stream::new(combine(seed, hash_str(&name)), "size");
    let leaves = if i == rich {
        MAX_LEAVES
    } else if i == 0 {
        rng.range(3, 5) as usize
    } else {
        rng.range(2, MAX_LEAVES as u64) as usize
    };
    App::generate(seed, AppId(i as u64 + 1), &name, org, leaves, i == 0)
}

/// The index `i` with `app_name(i) == name`, if `name` is a generated app's name.
fn generated_index(name: &str) -> Option<usize> {
    if name == DEFAULT_APP {
        return Some(0);
    }
    let (base, round) = match APP_NAMES.iter().position(|b| *b == name) {
        Some(k) => return Some(k + 1),
        None => {
            let (base, n) = name.rsplit_once('-')?;
            (base, n.parse::<usize>().ok().filter(|n| *n >= 2)?)
        }
    };
    let k = APP_NAMES.iter().position(|b| *b == base)?;
    let i = (round - 1)
        .checked_mul(APP_NAMES.len())?
        .checked_add(k + 1)?;
    (app_name(i) == name).then_some(i)
}

/// The app named `name` as a world of `seed` with more than one app generates it
/// (whatever `--apps` is, as long as it is large enough to hold the app), or `None` when
/// no generated app has that name.
pub(crate) fn generated_app_named(seed: u64, name: &str) -> Option<App> {
    let i = generated_index(name)?;
    let org = org::organization(seed);
    Some(generated_app(seed, i, &org.name, 1))
}

/// [`generated_app_named`] as a catalog anchored at `anchor` holds it: with its
/// silence when it is one of the stale apps.
pub(crate) fn generated_app_seen_at(seed: u64, name: &str, anchor: i64) -> Option<App> {
    let i = generated_index(name)?;
    let mut app = generated_app_named(seed, name)?;
    app.silent_from = outages::silent_from(seed, i, app.profile.key, anchor);
    Some(app)
}

impl Catalog {
    /// Generates the catalog of `apps` apps (`Default` included; at least 1) from `seed`,
    /// as seen at `anchor` (seconds since the epoch).
    ///
    /// The first named app (`web-shop`; `Default` when it is alone) has 10 layers; the
    /// others 4 to 10. An app's stack and traffic depend only on `(seed, name)`.
    pub fn generate(seed: u64, apps: usize, anchor: i64) -> Catalog {
        let apps = apps.max(1);
        let organization = org::organization(seed);
        let users = org::users(seed, &organization.name);
        let rich = if apps > 1 { 1 } else { 0 };
        let app_list: Vec<App> = (0..apps)
            .map(|i| {
                let mut app = generated_app(seed, i, &organization.name, rich);
                app.silent_from = outages::silent_from(seed, i, app.profile.key, anchor);
                app
            })
            .collect();
        let releases = hosts::releases(seed, anchor);
        let host_list = hosts::generate(seed, anchor, &organization.name, &app_list, &releases);
        let annotations = annotations::seed(seed, anchor, &app_list, &host_list, &users);
        let hosts_limit = (host_list.len() as u64).div_ceil(5) * 5 + 5;
        let mut domains: Vec<String> = app_list
            .iter()
            .flat_map(|a| a.domains().map(str::to_owned))
            .collect();
        domains.sort();
        domains.dedup();
        let app_by_name = app_list
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.clone(), i))
            .collect();
        let host_by_name = host_list
            .iter()
            .enumerate()
            .map(|(i, h)| (h.name.clone(), i))
            .collect();
        let annotations_by_app = index_by(&annotations, |a| a.app);
        let hosts_by_app = index_by(&host_list, |h| Some(h.app));
        let mut trace_times: Vec<i64> = host_list.iter().filter_map(|h| h.last_trace).collect();
        trace_times.sort_unstable();
        Catalog {
            seed,
            anchor,
            organization,
            users,
            hosts_limit,
            apps: app_list,
            hosts: host_list,
            annotations,
            controllers: CONTROLLERS.iter().map(|s| (*s).to_owned()).collect(),
            actions: ACTIONS.iter().map(|s| (*s).to_owned()).collect(),
            domains,
            browsers: audience::browsers(),
            regions: audience::regions(),
            metrics: METRICS.iter().map(|s| (*s).to_owned()).collect(),
            releases,
            app_by_name,
            host_by_name,
            annotations_by_app,
            hosts_by_app,
            trace_times,
        }
    }

    /// All generated apps, `Default` first, in id order.
    pub fn apps(&self) -> &[App] {
        &self.apps
    }

    /// A generated app by name.
    pub fn app(&self, name: &str) -> Option<&App> {
        self.app_by_name.get(name).and_then(|i| self.apps.get(*i))
    }

    /// A generated app by id.
    pub fn app_by_id(&self, id: AppId) -> Option<&App> {
        let i = usize::try_from(id.0).ok()?.checked_sub(1)?;
        self.apps.get(i)
    }

    /// The `Default` app.
    pub fn default_app(&self) -> Option<&App> {
        self.app_by_id(DEFAULT_APP_ID)
    }

    /// All generated hosts, in id order.
    pub fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    /// A generated host by id.
    pub fn host(&self, id: HostId) -> Option<&Host> {
        self.hosts
            .binary_search_by_key(&id, |h| h.id)
            .ok()
            .and_then(|i| self.hosts.get(i))
    }

    /// A generated host by name.
    pub fn host_by_name(&self, name: &str) -> Option<&Host> {
        self.host_by_name.get(name).and_then(|i| self.hosts.get(*i))
    }

    /// The seeded annotations, in id (= time) order.
    pub fn annotations(&self) -> &[Annotation] {
        &self.annotations
    }

    /// The seeded annotations with a time in `[start, end]`, in time order.
    pub fn annotations_between(&self, start: i64, end: i64) -> &[Annotation] {
        let from = self.annotations.partition_point(|a| a.time < start);
        let to = self
            .annotations
            .partition_point(|a| a.time <= end)
            .max(from);
        &self.annotations[from..to]
    }

    /// The seeded annotations of an app, in time order.
    pub fn annotations_of(&self, app: AppId) -> impl Iterator<Item = &Annotation> + '_ {
        let indexes = self
            .annotations_by_app
            .get(&app)
            .map_or(&[][..], Vec::as_slice);
        indexes.iter().filter_map(|i| self.annotations.get(*i))
    }

    /// The seeded hosts generated in an app, in id order (whatever writes did since).
    pub fn hosts_of(&self, app: AppId) -> impl Iterator<Item = &Host> + '_ {
        let indexes = self.hosts_by_app.get(&app).map_or(&[][..], Vec::as_slice);
        indexes.iter().filter_map(|i| self.hosts.get(*i))
    }

    /// How many seeded hosts traced at or after `since`.
    pub fn hosts_traced_since(&self, since: i64) -> usize {
        self.trace_times.len() - self.trace_times.partition_point(|t| *t < since)
    }

    /// `GET controllers`.
    pub fn controllers(&self) -> &[String] {
        &self.controllers
    }

    /// `GET actions`.
    pub fn actions(&self) -> &[String] {
        &self.actions
    }

    /// `GET domains`: every domain any app serves, sorted.
    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// `GET browsers`.
    pub fn browsers(&self) -> &[String] {
        &self.browsers
    }

    /// `GET regions`: ISO 3166-1 countries and US/CA ISO 3166-2 subdivisions, sorted.
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    /// `GET metrics`: host metric names.
    pub fn metrics(&self) -> &[String] {
        &self.metrics
    }

    /// Component release tables (for hosts created later).
    pub(crate) fn releases(&self) -> &[ComponentReleases] {
        &self.releases
    }

    /// The largest seeded host id.
    pub(crate) fn max_host_id(&self) -> u64 {
        self.hosts.last().map_or(0, |h| h.id.0)
    }

    /// The largest seeded annotation id.
    pub(crate) fn max_annotation_id(&self) -> u64 {
        self.annotations.iter().map(|a| a.id).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::layers::LayerRole;

    const NOW: i64 = 1_704_283_200;

    #[test]
    fn names_are_unique_short_and_realistic() {
        let c = Catalog::generate(1, 1_000, NOW);
        assert_eq!(c.apps().len(), 1_000);
        assert_eq!(c.apps()[0].name, "Default");
        assert_eq!(c.apps()[1].name, "web-shop");
        assert_eq!(c.apps()[21].name, "web-shop-2");
        let mut names: Vec<&str> = c.apps().iter().map(|a| a.name.as_str()).collect();
        assert!(names.iter().all(|n| n.len() <= 40));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 1_000);
        let mut hosts: Vec<&str> = c.hosts().iter().map(|h| h.name.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        assert_eq!(hosts.len(), c.hosts().len());
        assert!(c.hosts().windows(2).all(|p| p[0].id < p[1].id));
    }

    #[test]
    fn generated_apps_are_found_by_name_alone() {
        let c = Catalog::generate(5, 300, NOW);
        for a in c.apps() {
            let alone = generated_app_named(5, &a.name).unwrap();
            assert_eq!((alone.id, &alone.profile), (a.id, &a.profile), "{}", a.name);
        }
        for other in ["nope", "web-shop-1", "web-shop-02", "web-shop-", "-2"] {
            assert!(generated_app_named(5, other).is_none(), "{other}");
        }
    }

    #[test]
    fn stacks_and_ids() {
        let c = Catalog::generate(7, 6, NOW);
        assert_eq!(c.apps()[1].layers().len(), 10);
        for (i, a) in c.apps().iter().enumerate() {
            assert_eq!(a.id, AppId(i as u64 + 1));
            assert!((4..=10).contains(&a.layers().len()), "{}", a.name);
            assert_eq!(a.layers()[0].role, LayerRole::Entry);
            assert_eq!(c.app(&a.name).map(|x| x.id), Some(a.id));
            assert_eq!(
                c.app_by_id(a.id).map(|x| x.name.as_str()),
                Some(a.name.as_str())
            );
        }
        assert!(c.app_by_id(AppId(0)).is_none());
        let alone = Catalog::generate(7, 1, NOW);
        assert_eq!(alone.apps()[0].layers().len(), 10);
    }

    #[test]
    fn hosts_versions_and_annotations() {
        let c = Catalog::generate(3, 20, NOW);
        let default_hosts = c.hosts().iter().filter(|h| h.app == DEFAULT_APP_ID).count();
        assert!(default_hosts >= 4);
        assert!(c.hosts().iter().any(|h| h.last_trace.is_none()));
        assert!(c.hosts().iter().any(|h| h.last_trace.is_some()));
        let versions: Vec<_> = c.hosts().iter().flat_map(|h| &h.versions).collect();
        assert!(versions.iter().any(|v| v.update_required));
        assert!(versions.iter().any(|v| !v.update_required));
        assert!(versions.iter().any(|v| v.platform.is_absent()));
        assert!(
            versions
                .iter()
                .any(|v| v.platform == crate::world::hosts::Platform::Null)
        );
        assert!(versions.iter().any(|v| v.platform.as_str().is_some()));
        assert!(versions.iter().all(|v| v.release_date % 86_400 == 0));
        for h in c.hosts() {
            assert!(h.first_heartbeat <= h.last_heartbeat);
            assert_eq!(c.host(h.id).map(|x| &x.name), Some(&h.name));
        }
        let count = |id: AppId| c.annotations().iter().filter(|a| a.app == Some(id)).count();
        let default = count(DEFAULT_APP_ID);
        for a in &c.apps()[1..] {
            assert!(count(a.id) < default);
        }
        let week = c
            .annotations()
            .iter()
            .filter(|a| a.time >= NOW - 604_800)
            .count();
        assert!(week >= 6);
        assert!(
            c.annotations()
                .windows(2)
                .all(|p| p[0].id < p[1].id && p[0].time <= p[1].time)
        );
        assert!(c.hosts_limit >= c.hosts().len() as u64);
    }

    #[test]
    fn discovery_lists_are_filled() {
        let c = Catalog::generate(3, 6, NOW);
        for list in [
            c.controllers(),
            c.actions(),
            c.domains(),
            c.browsers(),
            c.regions(),
            c.metrics(),
        ] {
            assert!(!list.is_empty());
        }
        assert!(c.domains().iter().any(|d| d.starts_with("web-shop.")));
    }
}
