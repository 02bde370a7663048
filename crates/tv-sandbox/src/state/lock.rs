//! One state file, one owner: an advisory lock held for the life of the process, the
//! clean-up of temporary files a killed sandbox left behind, and the refusal of state
//! paths that are not regular files.
//!
//! The lock is an exclusive `flock` on `<state file>.lock` next to the state file (the
//! state file itself is replaced by every save, so it cannot carry the lock); the lock
//! file holds the pid of its owner, so that a second sandbox can say who holds it. The
//! operating system releases the lock when the process ends, however it ends, so a
//! `kill -9` leaves no stale lock. On platforms without `flock` nothing is locked.
//!
//! The lock keeps other processes out. Worlds opened on the same file within one
//! process share the process's lock (a test harness that reopens a file to check what
//! landed); keeping their writes apart is then the embedding program's business.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use super::persist::OpenError;

/// The held lock of a state file; dropping the last handle of this process (or the
/// process ending) releases it.
#[derive(Debug, Clone)]
pub(crate) struct StateLock {
    _held: Arc<File>,
}

/// The locks this process holds, by canonical lock-file path.
fn held_locks() -> &'static Mutex<HashMap<PathBuf, Weak<File>>> {
    static HELD: OnceLock<Mutex<HashMap<PathBuf, Weak<File>>>> = OnceLock::new();
    HELD.get_or_init(Mutex::default)
}

/// `<dir>/<name>.lock` for the state file `<dir>/<name>`.
pub(crate) fn lock_path(state: &Path) -> PathBuf {
    let mut name = state.file_name().map(OsString::from).unwrap_or_default();
    name.push(".lock");
    state.with_file_name(name)
}

/// Symlinks followed at most, as the kernel does.
const MAX_LINKS: usize = 40;

/// The state file a path names: symlinks followed (a dangling one names the file it
/// will create), the directory made absolute; a file with more than one hard link is
/// refused. Two sandboxes given a file and a link to it then lock the same lock file,
/// and saves replace the target, never the link.
pub(crate) fn resolve(given: &Path) -> Result<PathBuf, OpenError> {
    let bad_link = |source: io::Error| OpenError::BadLink {
        path: given.to_owned(),
        source,
    };
    let mut path = given.to_owned();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&path).map_err(bad_link)?;
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            Ok(meta) => {
                refuse_hard_links(&path, &meta)?;
                return Ok(absolute(path));
            }
            Err(_) => return Ok(absolute(path)),
        }
    }
    Err(bad_link(io::Error::other(format!(
        "more than {MAX_LINKS} links"
    ))))
}

/// `path` with its directory canonical (the file itself may not exist yet).
fn absolute(path: PathBuf) -> PathBuf {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return path;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    fs::canonicalize(dir).map_or(path.clone(), |dir| dir.join(name))
}

#[cfg(unix)]
fn refuse_hard_links(path: &Path, meta: &fs::Metadata) -> Result<(), OpenError> {
    use std::os::unix::fs::MetadataExt;
    if meta.is_file() && meta.nlink() > 1 {
        return Err(OpenError::HardLinked {
            path: path.to_owned(),
            links: meta.nlink(),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_hard_links(_path: &Path, _meta: &fs::Metadata) -> Result<(), OpenError> {
    Ok(())
}

/// Refuses a path that exists and is not a regular file (a FIFO, a directory, a device)
/// before anything opens it: opening a FIFO would block start-up.
pub(crate) fn check_regular(path: &Path) -> Result<(), OpenError> {
    match fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(OpenError::NotRegular {
            path: path.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Takes the lock of the state file `state` or says who holds it.
pub(crate) fn acquire(state: &Path) -> Result<StateLock, OpenError> {
    let path = lock_path(state);
    check_regular(&path)?;
    let io_error = |source: io::Error| OpenError::Write {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io_error)?;
    let canonical = fs::canonicalize(&path).map_err(io_error)?;
    let mut held = held_locks().lock().unwrap_or_else(PoisonError::into_inner);
    held.retain(|_, lock| lock.strong_count() > 0);
    if let Some(mine) = held.get(&canonical).and_then(Weak::upgrade) {
        return Ok(StateLock { _held: mine });
    }
    if !try_lock(&file).map_err(io_error)? {
        let mut text = String::new();
        let _ = file.read_to_string(&mut text);
        return Err(OpenError::Locked {
            path: state.to_owned(),
            holder: text.trim().parse().ok(),
        });
    }
    file.set_len(0).map_err(io_error)?;
    file.rewind().map_err(io_error)?;
    writeln!(file, "{}", std::process::id()).map_err(io_error)?;
    file.flush().map_err(io_error)?;
    let file = Arc::new(file);
    held.insert(canonical, Arc::downgrade(&file));
    Ok(StateLock { _held: file })
}

/// Whether the exclusive lock was taken (`false`: another process holds it).
#[cfg(unix)]
fn try_lock(file: &File) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock only acts on the descriptor, which `file` keeps open during the call.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.kind() == io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(not(unix))]
fn try_lock(_file: &File) -> io::Result<bool> {
    Ok(true)
}

/// Removes the temporary files (`.<name>.<pid>.tmp`) that a sandbox killed during a save
/// left next to the state file. Call it with the lock held: then no live sandbox is
/// saving this file. Returns how many were removed.
pub(crate) fn remove_stale_temporaries(state: &Path) -> usize {
    let Some(name) = state.file_name().and_then(|n| n.to_str()) else {
        return 0;
    };
    let dir = match state.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = fs::read_dir(&dir) else {
        return 0;
    };
    let prefix = format!(".{name}.");
    // This process's own temporary file may belong to a save in progress.
    let own = std::process::id().to_string();
    let mut removed = 0;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(candidate) = file_name.to_str() else {
            continue;
        };
        let is_temporary = candidate
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .is_some_and(|pid| {
                !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && pid != own
            });
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if is_temporary && regular && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_file_names_its_owner_and_the_process_shares_it() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let held = acquire(&state).unwrap();
        let pid = fs::read_to_string(lock_path(&state)).unwrap();
        assert_eq!(pid.trim(), std::process::id().to_string());
        let shared = acquire(&state).unwrap();
        drop(held);
        drop(shared);
        // Released: taken again (by a fresh descriptor).
        assert!(acquire(&state).is_ok());
        if cfg!(unix) {
            // Another descriptor's flock conflicts with the one held.
            let kept = acquire(&state).unwrap();
            let other = File::open(lock_path(&state)).unwrap();
            assert!(!try_lock(&other).unwrap());
            drop(kept);
        }
    }

    #[test]
    fn stale_temporaries_go_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        for name in [".state.json.123.tmp", ".state.json.9.tmp"] {
            fs::write(dir.path().join(name), b"{").unwrap();
        }
        for keep in [".state.json.x.tmp", ".other.json.1.tmp", "state.json.1.tmp"] {
            fs::write(dir.path().join(keep), b"{").unwrap();
        }
        assert_eq!(remove_stale_temporaries(&state), 2);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3);
    }
}
