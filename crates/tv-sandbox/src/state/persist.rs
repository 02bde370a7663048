//! The state file: the writes, saved atomically and durably before a write is
//! acknowledged, loaded at startup.
//!
//! Format: one JSON document
//! `{"format": "tv-sandbox-state", "version": 1, "seed": N, "apps": N, "state": {...}}`
//! holding the *resulting* mutable state (created apps and hosts, deletions, host moves,
//! tags, logged annotations, id counters), not a log of requests. Saving writes a
//! temporary file in the same directory, fsyncs it, renames it over the state file and
//! fsyncs the directory, so after a crash the file is either the old or the new state,
//! never a mix. A missing file starts a fresh world; an unreadable, corrupt or foreign
//! (other seed or app count) file is an error, and the file is left untouched.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::overlay::StateData;

/// The `format` marker of a state file.
pub const STATE_FORMAT: &str = "tv-sandbox-state";

/// The current state file version.
pub const STATE_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct StateFile<T> {
    format: String,
    version: u32,
    seed: u64,
    apps: usize,
    state: T,
}

/// Why the world could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The app count is out of range.
    #[error("the number of apps must be between 1 and {max} (got {apps})")]
    InvalidApps {
        /// The requested count.
        apps: usize,
        /// The largest accepted count.
        max: usize,
    },
    /// The state file exists but cannot be read.
    #[error("cannot read the state file {}: {source}", path.display())]
    Read {
        /// The state file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The state file could not be created.
    #[error("cannot write the state file {}: {source}", path.display())]
    Write {
        /// The state file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The state file is not a valid state file.
    #[error("the state file {} is corrupt ({reason}); fix or remove it", path.display())]
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The state path exists and is not a regular file (a FIFO, a directory, a device).
    #[error("the state file {} is not a regular file; give the path of a file (it is created if missing)", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
    },
    /// The state file has other hard links: every save replaces it with a new file, so
    /// the other names would silently keep the old state (and escape the lock).
    #[error("the state file {} has {links} hard links; give the one path it should have (a symlink is fine)", path.display())]
    HardLinked {
        /// The path.
        path: PathBuf,
        /// How many names the file has.
        links: u64,
    },
    /// The state path is a symlink that cannot be followed (a loop, or too deep).
    #[error("the state file {} is a symlink that cannot be followed: {source}", path.display())]
    BadLink {
        /// The path given.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Another process (another sandbox) holds the state file's lock.
    #[error("the state file {} is in use by another sandbox{}; stop it or use another file", path.display(), holder.map(|pid| format!(" (pid {pid})")).unwrap_or_default())]
    Locked {
        /// The state file.
        path: PathBuf,
        /// The pid of the process that holds the lock, if it could be read.
        holder: Option<u32>,
    },
    /// The state file was written by a world with another seed or app count.
    #[error("the state file {} belongs to another world ({reason}); use the same --seed and --apps or another file", path.display())]
    Mismatch {
        /// The state file.
        path: PathBuf,
        /// What differs.
        reason: String,
    },
}

/// Loads the state file: `Ok(None)` when it does not exist.
pub(crate) fn load(path: &Path, seed: u64, apps: usize) -> Result<Option<StateData>, OpenError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(OpenError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let corrupt = |reason: String| OpenError::Corrupt {
        path: path.to_owned(),
        reason,
    };
    let file: StateFile<StateData> =
        serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("not a state file: {e}")))?;
    if file.format != STATE_FORMAT {
        return Err(corrupt(format!(
            "format is {:?}, expected {STATE_FORMAT:?}",
            file.format
        )));
    }
    if file.version != STATE_VERSION {
        return Err(corrupt(format!(
            "version {} is not supported (expected {STATE_VERSION})",
            file.version
        )));
    }
    if file.seed != seed || file.apps != apps {
        return Err(OpenError::Mismatch {
            path: path.to_owned(),
            reason: format!(
                "it was written with seed {} and {} apps, this world has seed {seed} and {apps} apps",
                file.seed, file.apps
            ),
        });
    }
    Ok(Some(file.state))
}

/// Saves the state atomically and durably (temp file, fsync, rename, fsync directory).
pub(crate) fn save(path: &Path, seed: u64, apps: usize, state: &StateData) -> io::Result<()> {
    let doc = StateFile {
        format: STATE_FORMAT.to_owned(),
        version: STATE_VERSION,
        seed,
        apps,
        state,
    };
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(io::Error::other)?;
    bytes.push(b'\n');
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the state file path has no file name",
        )
    })?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = write_then_rename(&tmp, path, &bytes).and_then(|()| sync_dir(&dir));
    if result.is_err() {
        // Best effort: do not leave the temporary file behind.
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_then_rename(tmp: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(tmp, path)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    // Directories cannot be opened for syncing on this platform; the rename is atomic.
    let _ = File::open;
    Ok(())
}
