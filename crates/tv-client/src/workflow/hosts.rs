//! Hosts named as people name them: by name or by id.

use std::fmt;
use std::str::FromStr;

use crate::client::TraceView;
use crate::error::{Error, Missing};
use crate::model::Host;

/// A host given by a person: its name (`web-1`) or its numeric id (`42`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRef(String);

impl FromStr for HostRef {
    type Err = Error;

    /// Any non-empty text (surrounding whitespace ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::invalid_argument("a host name or id is required"));
        }
        Ok(HostRef(s.to_string()))
    }
}

impl fmt::Display for HostRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl HostRef {
    /// The host among `hosts` this names: the one with exactly this name, else the one
    /// with this id. `None` when none matches.
    pub fn find<'a>(&self, hosts: &'a [Host]) -> Option<&'a Host> {
        hosts.iter().find(|h| h.name == self.0).or_else(|| {
            let id: i64 = self.0.parse().ok()?;
            hosts.iter().find(|h| h.id == id)
        })
    }
}

/// The host `host` names ([`HostRef::find`] over [`Hosts::list`](crate::Hosts::list));
/// [`Error::NotFound`] when there is none.
pub async fn resolve_host(tv: &TraceView, host: &HostRef) -> Result<Host, Error> {
    let hosts = tv.hosts().list().await?;
    host.find(&hosts)
        .cloned()
        .ok_or_else(|| Error::NotFound(Missing::Host(host.to_string())))
}

/// A host as [`resolve_host_id`] found it: its id, and its record when it is listed.
#[derive(Debug, Clone, PartialEq)]
pub struct HostId {
    /// The id to send.
    pub id: i64,
    /// The listed host, when there is one (a host need not be listed to have an id).
    pub listed: Option<Host>,
}

/// The id of the host `host` names: a listed host by name (names win) or by id, else a
/// number taken as the id as it stands (the server then says whether it exists: a host
/// need not be listed to have an id, e.g. one that stopped reporting).
/// [`Error::NotFound`] for a name no host has.
pub async fn resolve_host_id(tv: &TraceView, host: &HostRef) -> Result<HostId, Error> {
    let hosts = tv.hosts().list().await?;
    if let Some(found) = host.find(&hosts) {
        return Ok(HostId {
            id: found.id,
            listed: Some(found.clone()),
        });
    }
    let id = host
        .0
        .parse::<i64>()
        .map_err(|_| Error::NotFound(Missing::Host(host.to_string())))?;
    Ok(HostId { id, listed: None })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn host(id: i64, name: &str) -> Host {
        let at = Utc.timestamp_opt(0, 0).unwrap();
        Host {
            id,
            name: name.into(),
            first_heartbeat: at,
            last_heartbeat: at,
            last_trace: None,
        }
    }

    #[test]
    fn names_win_over_ids() {
        let hosts = [host(1, "web-1"), host(2, "1"), host(3, "db")];
        let find = |s: &str| s.parse::<HostRef>().unwrap().find(&hosts).map(|h| h.id);
        assert_eq!(find("db"), Some(3));
        assert_eq!(find(" 3 "), Some(3));
        assert_eq!(find("1"), Some(2), "a host named `1` is meant before id 1");
        assert_eq!(find("nope"), None);
        assert!("  ".parse::<HostRef>().is_err());
    }
}
