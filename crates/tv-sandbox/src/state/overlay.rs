//! The mutable part of the world: what writes changed on top of the seeded catalog.
//!
//! [`StateData`] is what is persisted; [`Overlay`] adds the derived data (profiles of
//! created apps, name index) and answers "what is live" questions by combining itself
//! with the catalog.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::world::{Annotation, App, AppId, Catalog, DEFAULT_APP_ID, Host, HostId};

/// The largest id the world hands out or loads: 2^53 - 1, the largest integer every
/// JSON reader (JavaScript's, Python's float path) reads exactly, far below the wire's
/// `i64`. A state file whose counters go past it is refused at load, so that no write
/// can produce an id that overflows or a file that cannot be reloaded.
pub(crate) const MAX_ID: u64 = (1 << 53) - 1;

/// An app created through `assign_app`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CreatedApp {
    pub(crate) id: AppId,
    pub(crate) name: String,
    pub(crate) layer: String,
    pub(crate) created_at: i64,
}

/// The persisted writes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct StateData {
    /// Next id for a created app.
    pub(crate) next_app_id: u64,
    /// Next id for a created host.
    pub(crate) next_host_id: u64,
    /// Next id for a logged annotation.
    pub(crate) next_annotation_id: u64,
    /// Live created apps, in creation order.
    pub(crate) created_apps: Vec<CreatedApp>,
    /// Ids of deleted apps (seeded or created).
    pub(crate) deleted_apps: BTreeSet<AppId>,
    /// Tags attached through `assign_app`.
    pub(crate) app_tags: BTreeMap<AppId, BTreeSet<String>>,
    /// Live hosts created through `assign_app`.
    pub(crate) created_hosts: Vec<Host>,
    /// Ids of deleted seeded hosts.
    pub(crate) deleted_hosts: BTreeSet<HostId>,
    /// Seeded hosts moved to another app.
    pub(crate) host_apps: BTreeMap<HostId, AppId>,
    /// Annotations logged through `log_message`.
    pub(crate) annotations: Vec<Annotation>,
}

impl StateData {
    /// The state of a fresh world.
    pub(crate) fn fresh(catalog: &Catalog) -> Self {
        StateData {
            next_app_id: catalog.apps().len() as u64 + 1,
            next_host_id: catalog.max_host_id() + 1,
            next_annotation_id: catalog.max_annotation_id() + 1,
            ..StateData::default()
        }
    }
}

/// Persisted writes plus derived indexes.
#[derive(Debug, Clone)]
pub(crate) struct Overlay {
    pub(crate) data: StateData,
    /// Built apps, parallel to `data.created_apps`.
    created: Vec<App>,
    created_by_name: HashMap<String, usize>,
    created_by_id: HashMap<AppId, usize>,
    created_host_by_id: HashMap<HostId, usize>,
    created_host_by_name: HashMap<String, usize>,
}

impl Overlay {
    /// The overlay of a fresh world: no writes yet.
    pub(crate) fn fresh(catalog: &Catalog) -> Overlay {
        Overlay {
            data: StateData::fresh(catalog),
            created: Vec::new(),
            created_by_name: HashMap::new(),
            created_by_id: HashMap::new(),
            created_host_by_id: HashMap::new(),
            created_host_by_name: HashMap::new(),
        }
    }

    /// Builds the overlay from persisted data, checking it against the catalog.
    pub(crate) fn from_data(data: StateData, catalog: &Catalog) -> Result<Overlay, String> {
        let org = &catalog.organization.name;
        let catalog_apps = catalog.apps().len() as u64;
        for (what, next) in [
            ("next_app_id", data.next_app_id),
            ("next_host_id", data.next_host_id),
            ("next_annotation_id", data.next_annotation_id),
        ] {
            if next > MAX_ID {
                return Err(format!("{what} is {next}, past the largest id {MAX_ID}"));
            }
        }
        if data.deleted_apps.contains(&DEFAULT_APP_ID) {
            return Err("the Default app is listed as deleted".to_owned());
        }
        let mut created = Vec::with_capacity(data.created_apps.len());
        for c in &data.created_apps {
            if c.id.0 <= catalog_apps || c.id.0 >= data.next_app_id {
                return Err(format!(
                    "created app {:?} has an out-of-range id {}",
                    c.name, c.id
                ));
            }
            if data.deleted_apps.contains(&c.id) {
                return Err(format!(
                    "created app {:?} is also listed as deleted",
                    c.name
                ));
            }
            if catalog
                .app(&c.name)
                .is_some_and(|a| !data.deleted_apps.contains(&a.id))
            {
                return Err(format!("app name {:?} exists twice", c.name));
            }
            created.push(App::created(
                catalog.seed,
                c.id,
                &c.name,
                &c.layer,
                org,
                c.created_at,
            ));
        }
        let mut overlay = Overlay {
            data,
            created,
            created_by_name: HashMap::new(),
            created_by_id: HashMap::new(),
            created_host_by_id: HashMap::new(),
            created_host_by_name: HashMap::new(),
        };
        overlay.reindex_apps();
        overlay.reindex_hosts();
        let d = &overlay.data;
        if overlay.created_by_name.len() != overlay.created.len()
            || overlay.created_by_id.len() != overlay.created.len()
        {
            return Err("created apps have duplicate ids or names".to_owned());
        }
        if overlay.created_host_by_id.len() != d.created_hosts.len()
            || overlay.created_host_by_name.len() != d.created_hosts.len()
        {
            return Err("created hosts have duplicate ids or names".to_owned());
        }
        for h in &d.created_hosts {
            if h.id.0 <= catalog.max_host_id() || h.id.0 >= d.next_host_id {
                return Err(format!("created host {} has an out-of-range id", h.id));
            }
            if catalog
                .host_by_name(&h.name)
                .is_some_and(|s| !d.deleted_hosts.contains(&s.id))
            {
                return Err(format!("host name {:?} exists twice", h.name));
            }
        }
        for (host, app) in &d.host_apps {
            if catalog.host(*host).is_none() || !overlay.is_app_live(catalog, *app) {
                return Err(format!("host {host} is assigned to a missing host or app"));
            }
        }
        for id in &d.deleted_hosts {
            if catalog.host(*id).is_none() {
                return Err(format!("deleted host {id} is not a seeded host"));
            }
        }
        for (h, app) in overlay.hosts(catalog) {
            if !overlay.is_app_live(catalog, app) {
                return Err(format!(
                    "host {} is in app {app}, which does not exist",
                    h.id
                ));
            }
        }
        if d.annotations.iter().any(|a| a.id >= d.next_annotation_id) {
            return Err("an annotation id is not below next_annotation_id".to_owned());
        }
        Ok(overlay)
    }

    fn reindex_apps(&mut self) {
        self.created_by_name = self
            .created
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.clone(), i))
            .collect();
        self.created_by_id = self
            .created
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id, i))
            .collect();
    }

    fn reindex_hosts(&mut self) {
        self.created_host_by_id = self
            .data
            .created_hosts
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id, i))
            .collect();
        self.created_host_by_name = self
            .data
            .created_hosts
            .iter()
            .enumerate()
            .map(|(i, h)| (h.name.clone(), i))
            .collect();
    }

    /// A live app by name.
    pub(crate) fn app<'a>(&'a self, catalog: &'a Catalog, name: &str) -> Option<&'a App> {
        if let Some(a) = catalog.app(name)
            && !self.data.deleted_apps.contains(&a.id)
        {
            return Some(a);
        }
        self.created_by_name
            .get(name)
            .and_then(|i| self.created.get(*i))
    }

    /// A live app by id.
    pub(crate) fn app_by_id<'a>(&'a self, catalog: &'a Catalog, id: AppId) -> Option<&'a App> {
        if self.data.deleted_apps.contains(&id) {
            return None;
        }
        catalog.app_by_id(id).or_else(|| {
            self.created_by_id
                .get(&id)
                .and_then(|i| self.created.get(*i))
        })
    }

    /// Whether an app id is live.
    pub(crate) fn is_app_live(&self, catalog: &Catalog, id: AppId) -> bool {
        self.app_by_id(catalog, id).is_some()
    }

    /// Live apps: seeded ones in id order, then created ones in creation order.
    pub(crate) fn apps<'a>(&'a self, catalog: &'a Catalog) -> impl Iterator<Item = &'a App> + 'a {
        catalog
            .apps()
            .iter()
            .filter(|a| !self.data.deleted_apps.contains(&a.id))
            .chain(self.created.iter())
    }

    /// A live host by id, with the app it is in now.
    pub(crate) fn host<'a>(
        &'a self,
        catalog: &'a Catalog,
        id: HostId,
    ) -> Option<(&'a Host, AppId)> {
        if let Some(h) = catalog.host(id) {
            if self.data.deleted_hosts.contains(&id) {
                return None;
            }
            return Some((h, self.data.host_apps.get(&id).copied().unwrap_or(h.app)));
        }
        self.created_host_by_id
            .get(&id)
            .and_then(|i| self.data.created_hosts.get(*i))
            .map(|h| (h, h.app))
    }

    /// A live host by name.
    pub(crate) fn host_by_name(&self, catalog: &Catalog, name: &str) -> Option<HostId> {
        if let Some(h) = catalog.host_by_name(name)
            && !self.data.deleted_hosts.contains(&h.id)
        {
            return Some(h.id);
        }
        self.created_host_by_name
            .get(name)
            .and_then(|i| self.data.created_hosts.get(*i))
            .map(|h| h.id)
    }

    /// Live hosts with the app each is in now.
    pub(crate) fn hosts<'a>(
        &'a self,
        catalog: &'a Catalog,
    ) -> impl Iterator<Item = (&'a Host, AppId)> + 'a {
        catalog
            .hosts()
            .iter()
            .filter(|h| !self.data.deleted_hosts.contains(&h.id))
            .map(|h| (h, self.data.host_apps.get(&h.id).copied().unwrap_or(h.app)))
            .chain(self.data.created_hosts.iter().map(|h| (h, h.app)))
    }

    /// The live hosts in app `id`, in no particular order: its seeded hosts that were
    /// neither deleted nor moved, the seeded hosts moved into it, its created hosts. Costs
    /// the app's hosts plus the writes, not the world's hosts.
    pub(crate) fn hosts_in<'a>(
        &'a self,
        catalog: &'a Catalog,
        id: AppId,
    ) -> impl Iterator<Item = &'a Host> + 'a {
        let d = &self.data;
        let stayed = catalog
            .hosts_of(id)
            .filter(|h| !d.deleted_hosts.contains(&h.id) && !d.host_apps.contains_key(&h.id));
        let moved_in = d
            .host_apps
            .iter()
            .filter(move |(_, app)| **app == id)
            .filter_map(|(host, _)| catalog.host(*host));
        let created = d.created_hosts.iter().filter(move |h| h.app == id);
        stayed.chain(moved_in).chain(created)
    }

    /// How many live hosts traced at or after `since`.
    pub(crate) fn hosts_traced_since(&self, catalog: &Catalog, since: i64) -> usize {
        let traced = |h: &Host| h.last_trace.is_some_and(|t| t >= since);
        let deleted = self
            .data
            .deleted_hosts
            .iter()
            .filter_map(|id| catalog.host(*id))
            .filter(|h| traced(h))
            .count();
        let created = self.data.created_hosts.iter().filter(|h| traced(h)).count();
        catalog.hosts_traced_since(since) - deleted + created
    }

    /// Adds a created app (the caller checked the name is free).
    pub(crate) fn push_app(
        &mut self,
        catalog: &Catalog,
        name: &str,
        layer: &str,
        now: i64,
    ) -> AppId {
        let id = AppId(self.data.next_app_id);
        self.data.next_app_id += 1;
        self.data.created_apps.push(CreatedApp {
            id,
            name: name.to_owned(),
            layer: layer.to_owned(),
            created_at: now,
        });
        let app = App::created(
            catalog.seed,
            id,
            name,
            layer,
            &catalog.organization.name,
            now,
        );
        self.created_by_name
            .insert(name.to_owned(), self.created.len());
        self.created_by_id.insert(id, self.created.len());
        self.created.push(app);
        id
    }

    /// Moves a live host to an app.
    pub(crate) fn move_host(&mut self, catalog: &Catalog, host: HostId, app: AppId) {
        if let Some(h) = catalog.host(host) {
            if h.app == app {
                self.data.host_apps.remove(&host);
            } else {
                self.data.host_apps.insert(host, app);
            }
        } else if let Some(i) = self.created_host_by_id.get(&host)
            && let Some(h) = self.data.created_hosts.get_mut(*i)
        {
            h.app = app;
        }
    }

    /// Adds a created host.
    pub(crate) fn push_host(&mut self, host: Host) {
        self.data.next_host_id = self.data.next_host_id.max(host.id.0 + 1);
        self.created_host_by_id
            .insert(host.id, self.data.created_hosts.len());
        self.created_host_by_name
            .insert(host.name.clone(), self.data.created_hosts.len());
        self.data.created_hosts.push(host);
    }

    /// Removes a live host.
    pub(crate) fn remove_host(&mut self, catalog: &Catalog, id: HostId) {
        if catalog.host(id).is_some() {
            self.data.deleted_hosts.insert(id);
            self.data.host_apps.remove(&id);
        } else {
            self.data.created_hosts.retain(|h| h.id != id);
            self.reindex_hosts();
        }
    }

    /// Removes a live app (not `Default`); its hosts move to `Default`.
    pub(crate) fn remove_app(&mut self, catalog: &Catalog, id: AppId) {
        let moved: Vec<HostId> = self
            .hosts(catalog)
            .filter(|(_, app)| *app == id)
            .map(|(h, _)| h.id)
            .collect();
        for host in moved {
            self.move_host(catalog, host, DEFAULT_APP_ID);
        }
        self.data.deleted_apps.insert(id);
        self.data.app_tags.remove(&id);
        if let Some(i) = self.created_by_id.get(&id).copied() {
            self.created.remove(i);
            self.data.created_apps.retain(|c| c.id != id);
            self.reindex_apps();
        }
    }
}
