//! Key files that other users can read: the warning `tv` prints for the profile file,
//! the file of `--api-key-file` and that of `TV_API_KEY_FILE`.

use std::path::{Path, PathBuf};

use super::{ENV_API_KEY, ENV_API_KEY_FILE, Environment, Overrides};

#[cfg(unix)]
pub(super) fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} holds an API key and is readable by other users (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}

#[cfg(not(unix))]
pub(super) fn permission_warning(_path: &Path) -> Option<String> {
    None
}

/// The warning for a key file that other users can read: the file of `--api-key-file`
/// (or, without the key flags, of `TV_API_KEY_FILE`), saying which one and why.
/// Standard input (`-`) is not a file anyone else can open.
pub(super) fn key_file_warning(overrides: &Overrides, env: &dyn Environment) -> Option<String> {
    let (path, origin) = match (&overrides.api_key, &overrides.api_key_file) {
        (Some(_), _) => return None,
        (None, Some(path)) => (path.clone(), "--api-key-file"),
        (None, None) if env.var(ENV_API_KEY).is_some() => return None,
        (None, None) => (PathBuf::from(env.var(ENV_API_KEY_FILE)?), ENV_API_KEY_FILE),
    };
    if path == Path::new("-") {
        return None;
    }
    permission_warning(&path).map(|warning| format!("{origin}: {warning}"))
}
