//! Graphite names and the carbon plaintext protocol (`path value timestamp` lines), for
//! `tv export graphite`; the path rule is shared with the exporter's statsd push
//! ([`super::statsd`]).
//!
//! A path is `PREFIX.APP.LEAF` (`PREFIX.APP.layer.LAYER.LEAF` for a layer's series), where
//! `LEAF` is the metric's Prometheus name without `traceview_` ([`leaf`]) and `APP` and
//! `LAYER` are names made safe as one component ([`component`]). Two names that become
//! the same component are refused ([`Collision`]), never merged.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::str::FromStr;

use super::history::{AppHistory, FAMILIES};
use super::names::Family;

/// The longest component a name becomes, in characters (whisper keeps a file per path,
/// and file names stop at 255 bytes).
pub const MAX_COMPONENT_CHARS: usize = 200;

/// The default prefix of every path.
pub const DEFAULT_PREFIX: &str = "traceview";

/// `name` made safe as one Graphite (or statsd) path component: ASCII letters, digits,
/// `-` and `_` stay; every other character (dots, spaces, slashes, `:`, `|`, `@`, control
/// characters, anything not ASCII) becomes `_`; the result is cut at
/// [`MAX_COMPONENT_CHARS`], and an empty name becomes `_`.
///
/// ```
/// use tv_client::export::graphite::component;
/// assert_eq!(component("web-shop"), "web-shop");
/// assert_eq!(component("api.v2/orders eu"), "api_v2_orders_eu");
/// assert_eq!(component(""), "_");
/// ```
pub fn component(name: &str) -> String {
    let safe: String = name
        .chars()
        .take(MAX_COMPONENT_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "_".to_string()
    } else {
        safe
    }
}

/// The last component of a family's paths: its Prometheus name without `traceview_`
/// (`request_latency_average_seconds`).
pub fn leaf(family: Family) -> &'static str {
    family
        .name
        .strip_prefix("traceview_")
        .unwrap_or(family.name)
}

/// Two names that would become one path component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    /// The names, in the order given.
    pub names: (String, String),
    /// The component both become.
    pub component: String,
}

impl fmt::Display for Collision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} and {:?} both become the path component {:?}",
            self.names.0, self.names.1, self.component
        )
    }
}

impl std::error::Error for Collision {}

/// Each name's component, or `None` for every name whose component another name also
/// becomes; and those collisions.
pub fn components<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> (Vec<Option<String>>, Vec<Collision>) {
    let mut first: HashMap<String, &'a str> = HashMap::new();
    let mut collisions = Vec::new();
    let mut out = Vec::new();
    for name in names {
        let safe = component(name);
        match first.get(&safe) {
            Some(earlier) if *earlier != name => collisions.push(Collision {
                names: ((*earlier).to_string(), name.to_string()),
                component: safe.clone(),
            }),
            _ => {
                first.insert(safe.clone(), name);
            }
        }
        out.push(Some(safe));
    }
    for safe in out.iter_mut() {
        if safe
            .as_ref()
            .is_some_and(|s| collisions.iter().any(|c| &c.component == s))
        {
            *safe = None;
        }
    }
    (out, collisions)
}

/// A path prefix: one or more components joined by dots, each already safe
/// ([`component`] leaves it unchanged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix(String);

impl Prefix {
    /// The prefix as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Prefix {
    fn default() -> Self {
        Prefix(DEFAULT_PREFIX.to_string())
    }
}

impl FromStr for Prefix {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let safe = text
            .split('.')
            .all(|part| !part.is_empty() && component(part) == part);
        if safe {
            Ok(Prefix(text.to_string()))
        } else {
            Err(
                "a prefix is components joined by dots, each of ASCII letters, digits, - and _ \
                 (at most 200 characters each)"
                    .to_string(),
            )
        }
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The histories as carbon plaintext, `PREFIX.APP.LEAF VALUE TIMESTAMP` per sample
/// (timestamp: the start of the sample's slice, epoch seconds), app by app, family by
/// family, in time order; non-finite values are left out. Refuses apps whose names
/// become one component.
pub fn plaintext(apps: &[AppHistory], prefix: &Prefix) -> Result<Vec<u8>, Collision> {
    let (safe, collisions) = components(apps.iter().map(|a| a.app.as_str()));
    if let Some(collision) = collisions.into_iter().next() {
        return Err(collision);
    }
    let mut out = Vec::new();
    for (app, safe) in apps.iter().zip(safe) {
        let safe = safe.unwrap_or_default();
        for (family, samples) in FAMILIES {
            for (at, value) in samples(app) {
                if value.is_finite() {
                    // Writing into a Vec cannot fail.
                    let _ = writeln!(
                        out,
                        "{prefix}.{safe}.{} {value} {}",
                        leaf(family),
                        at.timestamp()
                    );
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::export::names;

    #[test]
    fn the_rule_replaces_every_unsafe_character_and_bounds_the_length() {
        assert_eq!(component("a.b c/d:e|f@g\u{1b}h\néi"), "a_b_c_d_e_f_g_h__i");
        assert_eq!(component("Web_Shop-2"), "Web_Shop-2");
        assert_eq!(component(&"x".repeat(300)).len(), MAX_COMPONENT_CHARS);
        assert_eq!(component(""), "_");
        assert_eq!(leaf(names::ERROR_RATIO), "error_ratio");
    }

    #[test]
    fn names_that_become_one_component_are_all_refused() {
        let (safe, collisions) = components(["web.shop", "billing", "web shop", "web_shop"]);
        assert_eq!(safe, [None, Some("billing".to_string()), None, None]);
        assert_eq!(collisions.len(), 2);
        assert_eq!(
            collisions[0].to_string(),
            "\"web.shop\" and \"web shop\" both become the path component \"web_shop\""
        );
        // The same name twice is one series, not a collision.
        let (safe, collisions) = components(["a", "a"]);
        assert_eq!(safe, [Some("a".to_string()), Some("a".to_string())]);
        assert!(collisions.is_empty());
    }

    #[test]
    fn prefixes_are_checked_not_rewritten() {
        assert_eq!(
            "tv.prod-eu".parse::<Prefix>().map(|p| p.to_string()),
            Ok("tv.prod-eu".to_string())
        );
        for bad in ["", "a..b", ".a", "a b", "a/b", "a.", "é"] {
            assert!(bad.parse::<Prefix>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn plaintext_has_a_line_per_finite_sample_with_its_own_timestamp() {
        let t = |s: i64| {
            Utc.timestamp_opt(1_704_283_200 + s, 0)
                .single()
                .unwrap_or_default()
        };
        let apps = [
            AppHistory {
                app: "web.shop".into(),
                latency_average: vec![(t(0), 0.25), (t(30), 0.125)],
                error_ratio: vec![(t(0), f64::NAN)],
                ..AppHistory::default()
            },
            AppHistory {
                app: "billing".into(),
                request_rate: vec![(t(0), 2.5)],
                ..AppHistory::default()
            },
        ];
        let Ok(text) = plaintext(&apps, &Prefix::default()) else {
            panic!("no collision")
        };
        assert_eq!(
            String::from_utf8_lossy(&text),
            "traceview.web_shop.request_latency_average_seconds 0.25 1704283200\n\
             traceview.web_shop.request_latency_average_seconds 0.125 1704283230\n\
             traceview.billing.requests_per_second 2.5 1704283200\n"
        );
        let clash = [
            apps[0].clone(),
            AppHistory {
                app: "web/shop".into(),
                ..AppHistory::default()
            },
        ];
        assert!(plaintext(&clash, &Prefix::default()).is_err());
    }
}
