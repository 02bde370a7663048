//! Handlers of the plain reads: discovery lists, hosts, annotations, organization.
//! Each takes a snapshot of the world and answers with a tv-api envelope.

use axum::extract::State;
use axum::response::Response;
use tv_api::types::{
    Annotation, AnnotationListEnvelope, Host, HostListEnvelope, InstrumentationVersion,
    InstrumentationVersionListEnvelope, Licenses, LicensesEnvelope, Organization,
    OrganizationEnvelope, ResponseOk, StringListEnvelope, User, UserListEnvelope,
};

use crate::state::HostInfo;
use crate::world::{self, HostId, Platform};

use super::envelope::{self, add_nulls};
use super::error::{Answer, ApiError};
use super::params::{Authorized, Segment};
use super::sandbox::Sandbox;

/// Converts a count or id to the wire's `i64` (saturating; the world never gets there).
pub(crate) fn wire_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn names<S: AsRef<str>>(items: &[S]) -> Response {
    envelope::ok(&StringListEnvelope {
        data: items.iter().map(|s| s.as_ref().to_owned()).collect(),
        response: ResponseOk::Ok,
    })
}

/// `GET apps`.
pub(crate) async fn apps(State(sb): State<Sandbox>, _: Authorized) -> Response {
    names(&sb.world().view().apps())
}

/// `GET layers/{app}?since_time=`.
pub(crate) async fn layers(
    State(sb): State<Sandbox>,
    Authorized(p): Authorized,
    Segment(app): Segment,
) -> Answer {
    let since = p.since_time()?;
    Ok(names(&sb.world().view().layers(&app, since)?))
}

/// `GET actions`.
pub(crate) async fn actions(State(sb): State<Sandbox>, _: Authorized) -> Response {
    names(sb.world().view().actions())
}

/// `GET controllers`.
pub(crate) async fn controllers(State(sb): State<Sandbox>, _: Authorized) -> Response {
    names(sb.world().view().controllers())
}

/// `GET domains`.
pub(crate) async fn domains(State(sb): State<Sandbox>, _: Authorized) -> Response {
    names(sb.world().view().domains())
}

/// `GET browsers`.
pub(crate) async fn browsers(State(sb): State<Sandbox>, _: Authorized) -> Response {
    names(sb.world().view().browsers())
}

/// `GET regions`.
pub(crate) async fn regions(State(sb): State<Sandbox>, _: Authorized) -> Response {
    names(sb.world().view().regions())
}

/// `GET metrics`.
pub(crate) async fn metrics(State(sb): State<Sandbox>, _: Authorized) -> Response {
    names(sb.world().view().metrics())
}

fn host_list(hosts: &[HostInfo<'_>]) -> Response {
    let envelope = HostListEnvelope {
        data: hosts
            .iter()
            .map(|h| Host {
                id: wire_int(h.id.0),
                name: h.name.to_owned(),
                first_heartbeat: h.first_heartbeat,
                last_heartbeat: h.last_heartbeat,
                last_trace: h.last_trace,
            })
            .collect(),
        response: ResponseOk::Ok,
    };
    envelope::ok(&envelope)
}

/// `GET hosts`.
pub(crate) async fn hosts(State(sb): State<Sandbox>, _: Authorized) -> Response {
    host_list(&sb.world().view().hosts())
}

/// `GET app/{app}/hosts`.
pub(crate) async fn app_hosts(
    State(sb): State<Sandbox>,
    _: Authorized,
    Segment(app): Segment,
) -> Answer {
    Ok(host_list(&sb.world().view().app_hosts(&app)?))
}

/// `GET hosts/{host_id}/versions`. `platform` is absent, `null` or a value, as the
/// world says.
pub(crate) async fn host_versions(
    State(sb): State<Sandbox>,
    _: Authorized,
    Segment(id): Segment,
) -> Answer {
    let view = sb.world().view();
    let versions = view.host_versions(HostId::parse(&id)?)?;
    let envelope = InstrumentationVersionListEnvelope {
        data: versions
            .iter()
            .map(|v| InstrumentationVersion {
                name: v.name.clone(),
                version: v.version.clone(),
                release_date: v.release_date,
                update_required: v.update_required,
                platform: v.platform.as_str().map(str::to_owned),
            })
            .collect(),
        response: ResponseOk::Ok,
    };
    let mut value = serde_json::to_value(&envelope)
        .map_err(|_| ApiError::Internal("could not serialize host versions"))?;
    if let Some(items) = value.get_mut("data").and_then(|d| d.as_array_mut()) {
        for (item, v) in items.iter_mut().zip(versions) {
            if v.platform == Platform::Null {
                add_nulls(item, &["platform"]);
            }
        }
    }
    Ok(envelope::ok(&value))
}

fn annotation_list(items: &[&world::Annotation]) -> Response {
    let envelope = AnnotationListEnvelope {
        data: items
            .iter()
            .map(|a| Annotation {
                id: wire_int(a.id),
                message: a.message.clone(),
                time: a.time,
                username: a.username.clone(),
                host: a.host.clone(),
                app: a.app.map(|id| wire_int(id.0)),
            })
            .collect(),
        response: ResponseOk::Ok,
    };
    envelope::ok(&envelope)
}

/// `GET annotations?time_start=&time_end=`: newest first.
pub(crate) async fn annotations(State(sb): State<Sandbox>, Authorized(p): Authorized) -> Answer {
    let range = p.annotation_range()?;
    let view = sb.world().view();
    Ok(annotation_list(&view.annotations(range)))
}

/// `GET app/{app}/annotations?time_start=&time_end=`.
pub(crate) async fn app_annotations(
    State(sb): State<Sandbox>,
    Authorized(p): Authorized,
    Segment(app): Segment,
) -> Answer {
    let range = p.annotation_range()?;
    let view = sb.world().view();
    Ok(annotation_list(&view.app_annotations(&app, range)?))
}

/// `GET organization`.
pub(crate) async fn organization(State(sb): State<Sandbox>, _: Authorized) -> Response {
    let view = sb.world().view();
    let org = view.organization();
    envelope::ok(&OrganizationEnvelope {
        data: Organization {
            fullname: org.fullname.clone(),
            name: org.name.clone(),
        },
        response: ResponseOk::Ok,
    })
}

/// `GET organization/users`.
pub(crate) async fn users(State(sb): State<Sandbox>, _: Authorized) -> Response {
    let view = sb.world().view();
    envelope::ok(&UserListEnvelope {
        data: view
            .users()
            .iter()
            .map(|u| User {
                admin: u.admin,
                email: u.email.clone(),
                name: u.name.clone(),
            })
            .collect(),
        response: ResponseOk::Ok,
    })
}

/// `GET organization/licenses`.
pub(crate) async fn licenses(State(sb): State<Sandbox>, _: Authorized) -> Response {
    let l = sb.world().view().licenses();
    envelope::ok(&LicensesEnvelope {
        data: Licenses {
            hosts_limit: wire_int(l.hosts_limit),
            hosts_used: wire_int(l.hosts_used),
        },
        response: ResponseOk::Ok,
    })
}
