//! The short on-disk cache of completion names: one small JSON file per question
//! (kind, app, server) under `$XDG_CACHE_HOME/tv/completion` (or
//! `~/.cache/tv/completion`), fresh for [`FRESH_FOR`], read only up to [`MAX_BYTES`];
//! a broken or oversized file is ignored. Names only: never a key.

use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Names with an optional help text (`(web-01, Some("host 12"))`).
pub type Names = Vec<(String, Option<String>)>;

/// How long cached names are used without asking the server again.
pub const FRESH_FOR: Duration = Duration::from_secs(300);

/// The largest cache file read.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// A cache file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// When it was written, in seconds since the epoch.
    pub saved: u64,
    /// The names.
    pub names: Names,
}

impl Entry {
    /// Whether it is younger than [`FRESH_FOR`].
    pub fn fresh(&self) -> bool {
        now().saturating_sub(self.saved) < FRESH_FOR.as_secs()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The cache directory, from `XDG_CACHE_HOME` or `HOME`.
fn dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .map(|base| base.join("tv").join("completion"))
}

/// The file of the question `origin`.
fn file(origin: &str) -> Option<PathBuf> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    origin.hash(&mut hasher);
    Some(dir()?.join(format!("{:016x}.json", hasher.finish())))
}

/// The cached answer to `origin`, fresh or not.
pub fn load(origin: &str) -> Option<Entry> {
    let mut text = String::new();
    std::fs::File::open(file(origin)?)
        .ok()?
        .take(MAX_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    serde_json::from_str(&text).ok()
}

/// Keeps `names` as the answer to `origin` (best effort: a TAB never fails on the
/// cache), written atomically.
pub fn save(origin: &str, names: &Names) {
    let Some(path) = file(origin) else { return };
    let Some(parent) = path.parent() else { return };
    if std::fs::create_dir_all(parent).is_err() {
        return;
    }
    let entry = Entry {
        saved: now(),
        names: names.clone(),
    };
    let Ok(text) = serde_json::to_string(&entry) else {
        return;
    };
    if text.len() as u64 > MAX_BYTES {
        return;
    }
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&temp, text).is_ok() && std::fs::rename(&temp, &path).is_err() {
        let _ = std::fs::remove_file(&temp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_entry_is_fresh_and_an_old_one_is_not() {
        let entry = Entry {
            saved: now(),
            names: vec![("web-shop".into(), None)],
        };
        assert!(entry.fresh());
        let old = Entry {
            saved: now() - FRESH_FOR.as_secs() - 1,
            ..entry
        };
        assert!(!old.fresh());
    }
}
