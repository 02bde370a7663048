//! The profile file (`~/.config/tv/config.toml`), read and edited without losing the
//! user's comments or layout (`tv config set|get|list`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, value};

use crate::config::ProfileSetting;
use crate::error::{ConfigKind, Error};

/// A parsed profile file.
#[derive(Debug, Clone)]
pub struct ProfileFile {
    path: PathBuf,
    doc: DocumentMut,
}

impl ProfileFile {
    /// Reads the file; `Ok(None)` when it does not exist. An unreadable or malformed
    /// file is an error naming it (it is never silently ignored).
    pub fn load(path: &Path) -> Result<Option<ProfileFile>, Error> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::config_caused(
                    ConfigKind::ProfileFile,
                    format!("cannot read {}: {e}", path.display()),
                    e,
                ));
            }
        };
        let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            let first_line = e.to_string().lines().next().unwrap_or_default().to_string();
            let detail = format!("{} is not valid TOML: {first_line}", path.display());
            Error::config_caused(ConfigKind::ProfileFile, detail, e)
        })?;
        if let Some(item) = doc.get("profiles")
            && !item.is_table_like()
        {
            return Err(Error::config(
                ConfigKind::ProfileFile,
                format!("{}: `profiles` must be a table", path.display()),
            ));
        }
        Ok(Some(ProfileFile {
            path: path.to_path_buf(),
            doc,
        }))
    }

    /// An empty file at `path` (written by [`ProfileFile::save`]).
    pub fn empty(path: &Path) -> ProfileFile {
        ProfileFile {
            path: path.to_path_buf(),
            doc: DocumentMut::new(),
        }
    }

    /// Where the file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a profile of that name exists.
    pub fn has_profile(&self, name: &str) -> bool {
        self.doc
            .get("profiles")
            .and_then(|p| p.get(name))
            .is_some_and(Item::is_table_like)
    }

    /// The profiles' names, in file order.
    pub fn profile_names(&self) -> Vec<String> {
        self.doc
            .get("profiles")
            .and_then(Item::as_table_like)
            .map(|t| {
                t.iter()
                    .filter(|(_, v)| v.is_table_like())
                    .map(|(k, _)| k.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `default_profile` setting.
    pub fn default_profile(&self) -> Option<String> {
        self.doc
            .get("default_profile")
            .and_then(Item::as_str)
            .map(str::to_string)
    }

    /// A profile's setting.
    pub fn get(&self, profile: &str, field: ProfileSetting) -> Option<String> {
        let item = self.doc.get("profiles")?.get(profile)?.get(field.name())?;
        // Hand-written numbers and booleans (`attempts = 2`) read like strings.
        match item.as_value()? {
            toml_edit::Value::String(text) => Some(text.value().clone()),
            toml_edit::Value::Integer(n) => Some(n.value().to_string()),
            toml_edit::Value::Boolean(b) => Some(b.value().to_string()),
            _ => None,
        }
    }

    /// Sets a profile's setting (creating the profile), keeping everything else.
    pub fn set(&mut self, profile: &str, field: ProfileSetting, text: &str) -> Result<(), Error> {
        let profiles = self.doc.entry("profiles").or_insert_with(|| {
            let mut table = Table::new();
            table.set_implicit(true);
            Item::Table(table)
        });
        let profiles = profiles.as_table_like_mut().ok_or_else(|| {
            Error::config(
                ConfigKind::ProfileFile,
                format!("{}: `profiles` must be a table", self.path.display()),
            )
        })?;
        let entry = profiles.entry(profile).or_insert(Item::Table(Table::new()));
        let table = entry.as_table_like_mut().ok_or_else(|| {
            Error::config(
                ConfigKind::ProfileFile,
                format!(
                    "{}: profile `{profile}` must be a table",
                    self.path.display()
                ),
            )
        })?;
        // Numbers and booleans are written as such, so the file reads naturally.
        let item = match field {
            ProfileSetting::Attempts => text.parse::<i64>().map_or_else(|_| value(text), value),
            ProfileSetting::AllowPlainHttp => {
                text.parse::<bool>().map_or_else(|_| value(text), value)
            }
            ProfileSetting::ApiKey
            | ProfileSetting::BaseUrl
            | ProfileSetting::Timeout
            | ProfileSetting::Output
            | ProfileSetting::MaxResponseSize => value(text),
        };
        table.insert(field.name(), item);
        Ok(())
    }

    /// Sets which profile is used when none is named.
    pub fn set_default_profile(&mut self, profile: &str) {
        self.doc["default_profile"] = value(profile);
    }

    /// Removes a profile's setting; returns whether it was there.
    pub fn unset(&mut self, profile: &str, field: ProfileSetting) -> bool {
        let table = self
            .doc
            .get_mut("profiles")
            .and_then(|p| p.get_mut(profile))
            .and_then(Item::as_table_like_mut);
        table.is_some_and(|t| t.remove(field.name()).is_some())
    }

    /// Writes the file atomically (temporary file, then rename), readable by the owner
    /// only, creating the directory when needed.
    pub fn save(&self) -> Result<(), Error> {
        let fail = |what: &str, e: std::io::Error| {
            let detail = format!("cannot {what} {}: {e}", self.path.display());
            Error::config_caused(ConfigKind::ProfileFile, detail, e)
        };
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(|e| fail("create the directory of", e))?;
        let temp = dir.join(format!(
            ".{}.tmp",
            self.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("config.toml")
        ));
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&temp).map_err(|e| fail("write", e))?;
        file.write_all(self.doc.to_string().as_bytes())
            .map_err(|e| fail("write", e))?;
        file.sync_all().map_err(|e| fail("write", e))?;
        fs::rename(&temp, &self.path).map_err(|e| fail("replace", e))
    }

    /// The file's text as it would be saved.
    pub fn render(&self) -> String {
        self.doc.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# my accounts\ndefault_profile = \"prod\"\n\n[profiles.prod] # the real one\napi_key = \"abc\"\nbase_url = \"appneta\"\n";

    #[test]
    fn edits_keep_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tv").join("config.toml");
        let mut file = ProfileFile::empty(&path);
        file.doc = TEXT.parse().unwrap();
        file.set("prod", ProfileSetting::ApiKey, "xyz").unwrap();
        file.set(
            "local",
            ProfileSetting::BaseUrl,
            "http://127.0.0.1:8642/api-v2",
        )
        .unwrap();
        file.save().unwrap();
        let reread = ProfileFile::load(&path).unwrap().unwrap();
        let text = reread.render();
        assert!(text.starts_with("# my accounts\n"), "{text}");
        assert!(text.contains("[profiles.prod] # the real one"), "{text}");
        assert_eq!(
            reread.get("prod", ProfileSetting::ApiKey).as_deref(),
            Some("xyz")
        );
        assert_eq!(reread.profile_names(), vec!["prod", "local"]);
        assert_eq!(reread.default_profile().as_deref(), Some("prod"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn a_broken_file_is_an_error_not_a_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        fs::write(&path, "[profiles.prod\napi_key = 1").unwrap();
        let error = ProfileFile::load(&path).unwrap_err();
        assert!(error.to_string().contains("is not valid TOML"), "{error}");
        assert!(
            ProfileFile::load(&dir.path().join("missing.toml"))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut file = ProfileFile::empty(Path::new("x.toml"));
        assert!(ProfileSetting::named("apikey").is_err());
        assert!(!file.unset("p", ProfileSetting::ApiKey));
    }
}
