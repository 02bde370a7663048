//! The listing commands: apps, layers, hosts, annotations, organization, discovery.

use std::io;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use tv_client::{AnnotationRange, TraceView};

use super::{Env, column, emit};
use crate::cli::{DiscoverKind, OrgCommand};
use crate::exit::{CliError, Exit};
use crate::render::{Align, Cell, Format, Json, Listed, Output, Rows, Single, Table, Tone};
use crate::suggest::app_error;
use crate::timearg::TimeArg;

/// JSON of `tv apps`, `tv layers`, `tv discover`: `{"kind": "apps", "names": [...]}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Names {
    /// What the names are (apps, layers, browsers, …).
    pub kind: String,
    /// The names, in the server's order.
    pub names: Vec<String>,
}

fn names_report(kind: &str, names: Vec<String>, env: &Env) -> Result<Exit, CliError> {
    let kind = kind.to_string();
    emit(&Names { kind, names }, env)
}

impl Output for Names {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(self)
    }

    /// `{"name": …}` a line.
    fn records(&self) -> Rows<'_> {
        Box::new(
            self.names
                .iter()
                .map(|n| Ok(serde_json::json!({ "name": n }))),
        )
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        let rows = self.names.iter().map(|n| vec![Cell::text(n)]).collect();
        Ok(vec![Table {
            title: None,
            columns: vec![column("name", kind_header(&self.kind), Align::Left)],
            rows,
        }])
    }
}

fn kind_header(kind: &str) -> &str {
    match kind {
        "apps" => "App",
        "layers" => "Layer",
        _ => "Name",
    }
}

/// `tv apps`.
pub async fn apps(tv: &TraceView, env: &Env) -> Result<Exit, CliError> {
    names_report("apps", tv.discovery().apps().await?, env)
}

/// `tv layers APP [--since]`.
pub async fn layers(
    tv: &TraceView,
    app: &str,
    since: Option<TimeArg>,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let since = since.map(|since| since.at(now)).transpose()?;
    match tv.discovery().layers(app, since).await {
        Ok(layers) => names_report("layers", layers, env),
        Err(error) => Err(app_error(tv, app, error).await),
    }
}

/// `tv discover KIND`.
pub async fn discover(tv: &TraceView, kind: DiscoverKind, env: &Env) -> Result<Exit, CliError> {
    let discovery = tv.discovery();
    let (name, names) = match kind {
        DiscoverKind::Actions => ("actions", discovery.actions().await?),
        DiscoverKind::Browsers => ("browsers", discovery.browsers().await?),
        DiscoverKind::Controllers => ("controllers", discovery.controllers().await?),
        DiscoverKind::Domains => ("domains", discovery.domains().await?),
        DiscoverKind::Metrics => ("metrics", discovery.metrics().await?),
        DiscoverKind::Regions => ("regions", discovery.regions().await?),
    };
    names_report(name, names, env)
}

/// JSON of `tv hosts`: `{"app": "web-shop" | null, "hosts": [Host, …]}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HostList {
    /// The app, when listing one app's hosts.
    pub app: Option<String>,
    /// The hosts, most recent trace first.
    pub hosts: Vec<tv_client::Host>,
}

/// `tv hosts [--app]`.
pub async fn hosts(tv: &TraceView, app: Option<&str>, env: &Env) -> Result<Exit, CliError> {
    let hosts = match app {
        Some(app) => tv.hosts().of_app(app).await.map_err(|e| (app, e)),
        None => tv.hosts().list().await.map_err(|e| ("", e)),
    };
    let hosts = match hosts {
        Ok(hosts) => hosts,
        Err((app, error)) if !app.is_empty() => return Err(app_error(tv, app, error).await),
        Err((_, error)) => return Err(error.into()),
    };
    let table = || hosts_table(app, &hosts);
    let list = HostList {
        app: app.map(str::to_string),
        hosts: hosts.clone(),
    };
    let listed = Listed {
        document: &list,
        rows: &hosts,
        table: &table,
    };
    emit(&listed, env)
}

fn hosts_table(app: Option<&str>, hosts: &[tv_client::Host]) -> Table {
    let rows = hosts
        .iter()
        .map(|h| {
            let last_trace = match h.last_trace {
                Some(at) => Cell::time(at),
                None => Cell::new("never", "").toned(Tone::Dim),
            };
            vec![
                Cell::number(h.id as f64),
                Cell::text(&h.name),
                last_trace,
                Cell::time(h.last_heartbeat),
                Cell::time(h.first_heartbeat),
            ]
        })
        .collect();
    Table {
        title: app.map(|a| format!("Hosts of {a}")),
        columns: vec![
            column("id", "Id", Align::Right),
            column("name", "Host", Align::Left),
            column("last_trace", "Last trace", Align::Left),
            column("last_heartbeat", "Last heartbeat", Align::Left),
            column("first_heartbeat", "First heartbeat", Align::Left),
        ],
        rows,
    }
}

/// `tv host versions NAME|ID`.
pub async fn versions(
    tv: &TraceView,
    host: tv_client::workflow::HostRef,
    env: &Env,
) -> Result<Exit, CliError> {
    let found = tv_client::workflow::resolve_host_id(tv, &host).await?;
    let id = found.id;
    let name = found.listed.map_or_else(|| id.to_string(), |h| h.name);
    let versions = tv.hosts().versions(id).await?;
    let table = || versions_table(&name, id, &versions);
    let listed = Listed {
        document: &versions,
        rows: &versions,
        table: &table,
    };
    emit(&listed, env)
}

fn versions_table(name: &str, id: i64, versions: &[tv_client::InstrumentationVersion]) -> Table {
    let rows = versions
        .iter()
        .map(|v| {
            let tone = if v.update_required {
                Tone::Warn
            } else {
                Tone::Plain
            };
            let update = Cell::flag(v.update_required, "required", "no").toned(tone);
            vec![
                Cell::text(&v.name),
                Cell::text(&v.version),
                Cell::time(v.release_date),
                update,
                Cell::optional_text(v.platform.as_deref()),
            ]
        })
        .collect();
    Table {
        title: Some(format!("Instrumentation of host {name} ({id})")),
        columns: vec![
            column("name", "Component", Align::Left),
            column("version", "Version", Align::Left),
            column("release_date", "Released", Align::Left),
            column("update_required", "Update", Align::Left),
            column("platform", "Platform", Align::Left),
        ],
        rows,
    }
}

/// `tv annotations [--app] [--since] [--until]`.
pub async fn annotations(
    tv: &TraceView,
    app: Option<&str>,
    since: Option<TimeArg>,
    until: Option<TimeArg>,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let end = until.map(|until| until.at(now)).transpose()?;
    let range = AnnotationRange {
        start: since
            .map(|since| since.since(end.unwrap_or(now), now))
            .transpose()?,
        end,
    };
    let notes = match tv_client::workflow::annotations_with_apps(tv, app, range, 8).await {
        Ok(notes) => notes,
        Err(error) => match app {
            Some(app) => return Err(app_error(tv, app, error).await),
            None => return Err(error.into()),
        },
    };
    let table = || annotations_table(&notes);
    let listed = Listed {
        document: &notes,
        rows: &notes,
        table: &table,
    };
    emit(&listed, env)
}

fn annotations_table(notes: &[tv_client::workflow::NamedAnnotation]) -> Table {
    let rows = notes
        .iter()
        .map(|n| {
            let a = &n.annotation;
            vec![
                Cell::time(a.time),
                Cell::optional_text(n.app.as_deref()),
                Cell::text(&a.message),
                Cell::optional_text(a.username.as_deref()),
                Cell::optional_text(a.host.as_deref()),
            ]
        })
        .collect();
    Table {
        title: None,
        columns: vec![
            column("time", "Time", Align::Left),
            column("app", "App", Align::Left).cut(crate::render::Cut::Never),
            column("message", "Message", Align::Left),
            column("username", "User", Align::Left).droppable(2),
            column("host", "Host", Align::Left).droppable(1),
        ],
        rows,
    }
}

/// `tv org [users|licenses]`.
pub async fn org(tv: &TraceView, what: Option<OrgCommand>, env: &Env) -> Result<Exit, CliError> {
    let organization = tv.organization();
    match what {
        None => {
            let value = organization.get().await?;
            emit(
                &Single {
                    value,
                    table: org_table,
                },
                env,
            )
        }
        Some(OrgCommand::Users) => {
            let users = organization.users().await?;
            let table = || users_table(&users);
            let listed = Listed {
                document: &users,
                rows: &users,
                table: &table,
            };
            emit(&listed, env)
        }
        Some(OrgCommand::Licenses) => {
            let value = organization.licenses().await?;
            emit(
                &Single {
                    value,
                    table: licenses_table,
                },
                env,
            )
        }
    }
}

fn org_table(org: &tv_client::Organization) -> Table {
    Table {
        title: None,
        columns: vec![
            column("name", "Name", Align::Left),
            column("fullname", "Full name", Align::Left),
        ],
        rows: vec![vec![Cell::text(&org.name), Cell::text(&org.fullname)]],
    }
}

fn users_table(users: &[tv_client::User]) -> Table {
    let rows = users
        .iter()
        .map(|u| {
            vec![
                Cell::text(&u.name),
                Cell::text(&u.email),
                Cell::flag(u.admin, "yes", "no"),
            ]
        })
        .collect();
    Table {
        title: None,
        columns: vec![
            column("name", "Name", Align::Left),
            column("email", "E-mail", Align::Left),
            column("admin", "Admin", Align::Left),
        ],
        rows,
    }
}

fn licenses_table(licenses: &tv_client::Licenses) -> Table {
    let tone = match licenses.usage {
        Some(used) if used >= 1.0 => Tone::Bad,
        Some(used) if used >= 0.9 => Tone::Warn,
        Some(_) => Tone::Good,
        None => Tone::Plain,
    };
    Table {
        title: None,
        columns: vec![
            column("hosts_used", "Hosts used", Align::Right),
            column("hosts_limit", "Hosts licensed", Align::Right),
            column("usage", "Usage", Align::Right),
        ],
        rows: vec![vec![
            Cell::number(licenses.hosts_used as f64),
            Cell::number(licenses.hosts_limit as f64),
            Cell::percent(licenses.usage).toned(tone),
        ]],
    }
}
