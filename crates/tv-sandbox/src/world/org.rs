//! The organization, its users and its licenses.

use super::hash::Stream;
use super::names::{FIRST_NAMES, LAST_NAMES, ORGANIZATIONS};

/// `GET organization`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Short name (`example`).
    pub name: String,
    /// Full name (`the example organization`).
    pub fullname: String,
}

/// One entry of `GET organization/users`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Whether the user is an administrator.
    pub admin: bool,
    /// Display name (`Jane Doe`).
    pub name: String,
    /// E-mail address (`jdoe@example.com`).
    pub email: String,
}

/// `GET organization/licenses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Licenses {
    /// Hosts that sent a trace in the last 24 hours.
    pub hosts_used: u64,
    /// Hosts the organization is licensed for.
    pub hosts_limit: u64,
}

/// Draws the organization.
pub(crate) fn organization(seed: u64) -> Organization {
    let mut rng = Stream::new(seed, "organization");
    let (name, fullname) = ORGANIZATIONS[rng.pick(ORGANIZATIONS.len())];
    Organization {
        name: name.to_owned(),
        fullname: fullname.to_owned(),
    }
}

/// Draws 3–8 users with distinct names; the first is an administrator, and so are about
/// a quarter of the others.
pub(crate) fn users(seed: u64, org: &str) -> Vec<User> {
    let mut rng = Stream::new(seed, "users");
    let count = rng.range(3, 8) as usize;
    let mut out: Vec<User> = Vec::with_capacity(count);
    let mut guard = 0;
    while out.len() < count && guard < 200 {
        guard += 1;
        let first = FIRST_NAMES[rng.pick(FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.pick(LAST_NAMES.len())];
        let name = format!("{first} {last}");
        if out.iter().any(|u| u.name == name) {
            continue;
        }
        let initial = first
            .chars()
            .next()
            .map(|c| c.to_ascii_lowercase())
            .unwrap_or('x');
        let email = format!("{initial}{}@{org}.com", last.to_ascii_lowercase());
        let admin = out.is_empty() || rng.chance(0.25);
        out.push(User { admin, name, email });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_distinct_and_someone_is_admin() {
        for seed in 0..50 {
            let u = users(seed, "example");
            assert!((3..=8).contains(&u.len()));
            assert!(u[0].admin);
            let mut names: Vec<&str> = u.iter().map(|u| u.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), u.len());
            assert!(u.iter().all(|u| u.email.ends_with("@example.com")));
        }
    }
}
