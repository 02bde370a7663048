//! Annotations (deploy markers and other events), seeded and listed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::app::{App, AppId};
use super::hash::{Stream, combine, hash_str};
use super::hosts::Host;
use super::names::{APP_NAMES, DEPLOY_MESSAGES};
use super::org::User;

/// One annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// Integer id, increasing with creation order.
    pub id: u64,
    /// The text.
    pub message: String,
    /// Event time, seconds since the epoch.
    pub time: i64,
    /// Who logged it (`null` when not given).
    pub username: Option<String>,
    /// Host *name* it is about (`null` when not given).
    pub host: Option<String>,
    /// App *id* it is about (`null` when not given).
    pub app: Option<AppId>,
    /// Layer given at creation (accepted, not part of the list output).
    pub layer: Option<String>,
}

/// The default listing span: 7 days.
pub const DEFAULT_ANNOTATION_SPAN: i64 = 7 * 86_400;

/// A time range for listing annotations, inclusive at both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnnotationRange {
    /// `time_start` in seconds; default `end - 7 days`.
    pub start: Option<i64>,
    /// `time_end` in seconds; default now.
    pub end: Option<i64>,
}

impl AnnotationRange {
    /// The concrete `[start, end]` at `now`.
    pub fn resolve(&self, now: i64) -> (i64, i64) {
        let end = self.end.unwrap_or(now);
        let start = self
            .start
            .unwrap_or(end.saturating_sub(DEFAULT_ANNOTATION_SPAN));
        (start, end)
    }
}

/// Seeds annotations: `Default` gets 6 in the last 7 days and 6 older ones (so it always
/// has more than any other app), every other app 0–3 within 4 weeks, plus 2 org-wide
/// ones (no app). Ids follow time order, starting at 1.
pub(crate) fn seed(
    seed: u64,
    anchor: i64,
    apps: &[App],
    hosts: &[Host],
    users: &[User],
) -> Vec<Annotation> {
    let mut rng = Stream::new(seed, "annotations");
    let mut out: Vec<Annotation> = Vec::with_capacity(apps.len() * 2 + 12);
    let day = 86_400.0;
    let mut by_app: HashMap<AppId, Vec<&str>> = HashMap::with_capacity(apps.len());
    for h in hosts {
        by_app.entry(h.app).or_default().push(h.name.as_str());
    }
    for (i, app) in apps.iter().enumerate() {
        let app_hosts: &[&str] = by_app.get(&app.id).map(Vec::as_slice).unwrap_or(&[]);
        let times: Vec<i64> = if i == 0 {
            let mut times: Vec<i64> = (0..6)
                .map(|_| anchor - (rng.between(600.0, 6.9 * day)) as i64)
                .collect();
            times.extend((0..6).map(|_| anchor - (rng.between(7.1 * day, 28.0 * day)) as i64));
            times
        } else {
            let n = rng.range(0, 3);
            (0..n)
                .map(|_| anchor - (rng.between(600.0, 28.0 * day)) as i64)
                .collect()
        };
        for time in times {
            let template = DEPLOY_MESSAGES[rng.pick(DEPLOY_MESSAGES.len())];
            let version = format!(
                "{}.{}.{}",
                rng.range(1, 4),
                rng.range(0, 20),
                rng.range(0, 9)
            );
            let message = template
                .replace("{app}", &app.name)
                .replace("{v}", &version);
            let username = if rng.chance(0.8) && !users.is_empty() {
                Some(users[rng.pick(users.len())].name.clone())
            } else {
                None
            };
            let host = if rng.chance(0.7) && !app_hosts.is_empty() {
                Some(app_hosts[rng.pick(app_hosts.len())].to_owned())
            } else {
                None
            };
            out.push(Annotation {
                id: 0,
                message,
                time,
                username,
                host,
                app: Some(app.id),
                layer: None,
            });
        }
    }
    // The named apps (web-shop, billing-api, …, before the numbered copies) also had a
    // deploy in the last hour and one earlier in the day, so the charts a newcomer
    // opens first show markers. Their own stream keeps every other draw as it was.
    for app in apps.iter().skip(1).take(APP_NAMES.len()) {
        let mut own = Stream::new(combine(seed, hash_str(&app.name)), "recent deploys");
        let app_hosts: &[&str] = by_app.get(&app.id).map(Vec::as_slice).unwrap_or(&[]);
        for ago in [
            own.between(600.0, 3_000.0),
            own.between(3.0 * 3_600.0, 20.0 * 3_600.0),
        ] {
            let template = DEPLOY_MESSAGES[own.pick(DEPLOY_MESSAGES.len())];
            let version = format!(
                "{}.{}.{}",
                own.range(1, 4),
                own.range(0, 20),
                own.range(0, 9)
            );
            out.push(Annotation {
                id: 0,
                message: template
                    .replace("{app}", &app.name)
                    .replace("{v}", &version),
                time: anchor - ago as i64,
                username: (!users.is_empty()).then(|| users[own.pick(users.len())].name.clone()),
                host: (!app_hosts.is_empty())
                    .then(|| app_hosts[own.pick(app_hosts.len())].to_owned()),
                app: Some(app.id),
                layer: None,
            });
        }
    }
    for message in [
        "Maintenance window: network upgrade",
        "Rotated TLS certificates",
    ] {
        out.push(Annotation {
            id: 0,
            message: message.to_owned(),
            time: anchor - rng.between(3_600.0, 6.5 * day) as i64,
            username: Some("ops".to_owned()),
            host: None,
            app: None,
            layer: None,
        });
    }
    out.sort_by_key(|a| a.time);
    for (i, a) in out.iter_mut().enumerate() {
        a.id = i as u64 + 1;
    }
    out
}

/// Sorts newest first (time descending, then id descending).
pub(crate) fn sort_newest_first(list: &mut [&Annotation]) {
    list.sort_by(|a, b| b.time.cmp(&a.time).then(b.id.cmp(&a.id)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_apps_have_recent_deploys() {
        let catalog = crate::world::Catalog::generate(42, 30, 1_704_283_200);
        for app in &catalog.apps()[1..=APP_NAMES.len()] {
            let recent = |span: i64| {
                catalog
                    .annotations()
                    .iter()
                    .filter(|a| a.app == Some(app.id) && a.time >= catalog.anchor - span)
                    .count()
            };
            assert!(
                recent(3_600) >= 1,
                "{}: no deploy in the last hour",
                app.name
            );
            assert!(
                recent(86_400) >= 2,
                "{}: fewer than 2 deploys in a day",
                app.name
            );
        }
    }

    #[test]
    fn range_defaults_to_the_last_week() {
        assert_eq!(
            AnnotationRange::default().resolve(1_000_000),
            (1_000_000 - 604_800, 1_000_000)
        );
        let r = AnnotationRange {
            start: None,
            end: Some(2_000_000),
        };
        assert_eq!(r.resolve(1), (2_000_000 - 604_800, 2_000_000));
    }
}
