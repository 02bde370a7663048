//! The write requests and their rules (reference §7.4, §8, §9.1).
//!
//! Each function validates first and then changes the overlay it is given; the caller
//! ([`super::World`]) works on a copy and only publishes it once it is saved, so a
//! rejected or failed write changes nothing.

use crate::world::{Annotation, AppId, Catalog, DEFAULT_APP, HostId, WorldError, hosts};

use super::overlay::{MAX_ID, Overlay};

/// App names have at most this many characters.
pub const MAX_APP_NAME: usize = 40;

/// Layer names have at most this many characters.
pub const MAX_LAYER_NAME: usize = 100;

/// The parameters of `POST assign_app`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignApp {
    /// `appname` (required): the target app.
    pub appname: Option<String>,
    /// `hostname` (required): the host to put into the app; unknown names become hosts.
    pub hostname: Option<String>,
    /// `layer`: the layer to configure; required to create an app or fill an empty one,
    /// ignored for an app that already has layers.
    pub layer: Option<String>,
    /// `tags`: one comma-separated list without spaces (`development,staging`).
    pub tags: Option<String>,
    /// `create`: create the app when it does not exist (see [`create_flag`]).
    pub create: bool,
}

/// The parameters of `POST log_message`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogMessage {
    /// `message` (required).
    pub message: Option<String>,
    /// `appname`: attach to this app (must exist).
    pub appname: Option<String>,
    /// `hostname`: a host name, stored as given.
    pub hostname: Option<String>,
    /// `username`: who logged it.
    pub username: Option<String>,
    /// `layer`: stored, not listed.
    pub layer: Option<String>,
    /// `time` in seconds (parse with [`crate::world::parse_instant`]); default now.
    pub time: Option<i64>,
}

/// The `create` presence flag: any value other than `false`, `0` or empty (in any case)
/// enables it; `None` (absent) disables it.
pub fn create_flag(value: Option<&str>) -> bool {
    match value.map(str::trim) {
        None | Some("") | Some("0") => false,
        Some(v) => !v.eq_ignore_ascii_case("false"),
    }
}

/// A non-empty parameter value.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.trim().is_empty())
}

/// Checks an app name for `assign_app`.
fn check_app_name(name: &str) -> Result<(), WorldError> {
    if name == DEFAULT_APP {
        return Err(WorldError::BadRequest(
            "appname: hosts cannot be assigned to the Default app (all hosts start there)"
                .to_owned(),
        ));
    }
    let len = name.chars().count();
    if len > MAX_APP_NAME {
        return Err(WorldError::BadRequest(format!(
            "appname: app names have a maximum length of {MAX_APP_NAME} characters (got {len})"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(WorldError::BadRequest(
            "appname must not contain control characters".to_owned(),
        ));
    }
    if name.parse::<tv_api::types::PathSegment>().is_err() {
        return Err(WorldError::BadRequest(format!(
            "appname `{name}` cannot be addressed: a URL path cannot carry `.` or `..` as a name"
        )));
    }
    Ok(())
}

/// Splits and checks `tags`.
fn parse_tags(tags: Option<&str>) -> Result<Vec<String>, WorldError> {
    let Some(tags) = tags else {
        return Ok(Vec::new());
    };
    if tags.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(WorldError::BadRequest(format!(
            "tags must be one comma-separated list without spaces, e.g. development,staging (got {tags:?})"
        )));
    }
    Ok(tags
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Checks a layer name.
fn check_layer(layer: &str) -> Result<(), WorldError> {
    if layer.chars().count() > MAX_LAYER_NAME || layer.chars().any(char::is_control) {
        return Err(WorldError::BadRequest(format!(
            "layer must be a name of at most {MAX_LAYER_NAME} characters without control characters"
        )));
    }
    Ok(())
}

/// `POST assign_app`.
pub(crate) fn assign_app(
    ov: &mut Overlay,
    catalog: &Catalog,
    req: &AssignApp,
    now: i64,
) -> Result<(), WorldError> {
    if ov.data.next_app_id >= MAX_ID || ov.data.next_host_id >= MAX_ID {
        return Err(WorldError::Storage(
            "no app or host id is left (the state file's counters are at their limit)".into(),
        ));
    }
    let appname = given(&req.appname)
        .ok_or_else(|| WorldError::BadRequest("appname is required".to_owned()))?;
    let hostname = given(&req.hostname)
        .ok_or_else(|| WorldError::BadRequest("hostname is required".to_owned()))?;
    check_app_name(appname)?;
    if hostname.chars().count() > 255 {
        return Err(WorldError::BadRequest(
            "hostname must be a host name of at most 255 characters".to_owned(),
        ));
    }
    if hostname.chars().any(char::is_control) {
        return Err(WorldError::BadRequest(
            "hostname must not contain control characters (such as a tab)".to_owned(),
        ));
    }
    let tags = parse_tags(given(&req.tags))?;
    let layer = given(&req.layer);
    if let Some(layer) = layer {
        check_layer(layer)?;
    }
    let app_id: AppId = match ov.app(catalog, appname) {
        Some(app) => {
            if app.layers().is_empty() && layer.is_none() {
                return Err(WorldError::BadRequest(format!(
                    "layer is required: the app {appname} has no layer yet"
                )));
            }
            app.id
        }
        None => {
            if !req.create {
                return Err(WorldError::NotFound(format!(
                    "No app found with name {appname} (pass create to create it)"
                )));
            }
            let Some(layer) = layer else {
                return Err(WorldError::BadRequest(format!(
                    "layer is required to create the app {appname}"
                )));
            };
            ov.push_app(catalog, appname, layer, now)
        }
    };
    match ov.host_by_name(catalog, hostname) {
        Some(host) => ov.move_host(catalog, host, app_id),
        None => {
            let Some(app) = ov.app_by_id(catalog, app_id) else {
                return Err(WorldError::app_not_found(appname));
            };
            let id = HostId(ov.data.next_host_id.max(catalog.max_host_id() + 1));
            let host = hosts::created(catalog.seed, id, hostname, app, now, catalog.releases());
            ov.push_host(host);
        }
    }
    if !tags.is_empty() {
        ov.data.app_tags.entry(app_id).or_default().extend(tags);
    }
    Ok(())
}

/// `POST log_message`; returns the new annotation's id.
pub(crate) fn log_message(
    ov: &mut Overlay,
    catalog: &Catalog,
    req: &LogMessage,
    now: i64,
) -> Result<u64, WorldError> {
    let message = given(&req.message)
        .ok_or_else(|| WorldError::BadRequest("message is required".to_owned()))?;
    let app = match given(&req.appname) {
        None => None,
        Some(name) => Some(
            ov.app(catalog, name)
                .ok_or_else(|| WorldError::app_not_found(name))?
                .id,
        ),
    };
    let id = ov.data.next_annotation_id;
    if id >= MAX_ID {
        return Err(WorldError::Storage(
            "no annotation id is left (the state file's counter is at its limit)".into(),
        ));
    }
    ov.data.next_annotation_id += 1;
    ov.data.annotations.push(Annotation {
        id,
        message: message.to_owned(),
        time: req.time.unwrap_or(now),
        username: given(&req.username).map(str::to_owned),
        host: given(&req.hostname).map(str::to_owned),
        app,
        layer: given(&req.layer).map(str::to_owned),
    });
    Ok(id)
}

/// `DELETE hosts/{id}`.
pub(crate) fn delete_host(
    ov: &mut Overlay,
    catalog: &Catalog,
    id: HostId,
) -> Result<(), WorldError> {
    if ov.host(catalog, id).is_none() {
        return Err(WorldError::host_not_found(id));
    }
    ov.remove_host(catalog, id);
    Ok(())
}

/// `DELETE app/{name}`: the app disappears; its hosts move to `Default`.
pub(crate) fn delete_app(
    ov: &mut Overlay,
    catalog: &Catalog,
    name: &str,
) -> Result<(), WorldError> {
    if name == DEFAULT_APP {
        return Err(WorldError::BadRequest(
            "app: the Default app cannot be deleted".to_owned(),
        ));
    }
    let id = ov
        .app(catalog, name)
        .ok_or_else(|| WorldError::app_not_found(name))?
        .id;
    ov.remove_app(catalog, id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_flag_follows_the_decision() {
        assert!(!create_flag(None));
        for off in ["", "0", "false", "False", "FALSE", " 0 "] {
            assert!(!create_flag(Some(off)), "{off:?}");
        }
        for on in ["true", "True", "1", "yes", "on", "x"] {
            assert!(create_flag(Some(on)), "{on:?}");
        }
    }

    #[test]
    fn tags_are_comma_separated_without_spaces() {
        assert_eq!(
            parse_tags(Some("development,staging")),
            Ok(vec!["development".into(), "staging".into()])
        );
        assert_eq!(parse_tags(Some("a,,b,")), Ok(vec!["a".into(), "b".into()]));
        let err = parse_tags(Some("a, b")).unwrap_err();
        assert!(err.message().starts_with("tags"));
    }

    #[test]
    fn app_names_are_checked() {
        assert!(check_app_name("web-shop").is_ok());
        assert!(check_app_name(&"x".repeat(40)).is_ok());
        let long = check_app_name(&"x".repeat(41)).unwrap_err();
        assert!(long.message().starts_with("appname") && matches!(long, WorldError::BadRequest(_)));
        let default = check_app_name("Default").unwrap_err();
        assert!(
            default.message().starts_with("appname")
                && matches!(default, WorldError::BadRequest(_))
        );
        // Characters, not bytes.
        assert!(check_app_name(&"é".repeat(40)).is_ok());
    }
}
