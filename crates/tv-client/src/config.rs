//! Where the key and the base URL come from: flags, environment, profile file, defaults.
//!
//! Precedence, highest first: explicit values ([`Overrides`], i.e. command-line flags) >
//! environment (`TV_API_KEY`, `TV_BASE_URL`, `TV_PROFILE`) > the profile file >
//! defaults (the AppNeta site, no key).
//!
//! The profile file is `$XDG_CONFIG_HOME/tv/config.toml` (else `~/.config/tv/config.toml`;
//! `TV_CONFIG` names another file), one profile per account:
//!
//! ```toml
//! # used when neither --profile nor TV_PROFILE is given
//! default_profile = "prod"
//!
//! [profiles.prod]
//! api_key = "9de3ed4c-5e33-4e26-b0b7-82c20ea01532"
//! base_url = "appneta"            # appneta, solarwinds or a URL
//!
//! [profiles.local]
//! api_key = "sandbox"
//! base_url = "http://127.0.0.1:8642/api-v2"
//!
//! [profiles.lab]                  # a sandbox in a container on another machine
//! api_key = "sandbox"
//! base_url = "http://lab.internal:8642/api-v2"
//! allow_plain_http = true         # send the key in clear text there (warned about)
//! timeout = "10s"                 # per HTTP attempt, 100ms to 1h [default: 30s]
//! attempts = 2                    # per read or delete, 1 to 10 [default: 3]
//! output = "json"                 # tv's output format [default: table on a terminal]
//! max_response_size = "256MiB"    # largest response body read [default: 64MiB]
//! ```
//!
//! The key may also come from a file (`--api-key-file`, `TV_API_KEY_FILE`; `-` reads
//! standard input), so that it does not show in `ps`.
//!
//! Conflicts are errors, never silent choices: a profile asked for by name must exist,
//! and a profile's key is never sent to a base URL other than the profile's own (a
//! `--base-url` with a profile's key would hand the key to another server). A file that
//! holds a key and is readable by other users produces a warning.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[path = "config_value.rs"]
pub mod value;

#[path = "config_key_files.rs"]
mod key_files;
use key_files::{key_file_warning, permission_warning};

use crate::error::{ConfigKind, Error};
#[cfg(feature = "profile-file")]
use crate::profile_file::ProfileFile;
use crate::secret::ApiKey;
use crate::site::Site;
pub use value::ProfileSetting;

/// Environment variable holding the key.
pub const ENV_API_KEY: &str = "TV_API_KEY";
/// Environment variable holding the base URL or site name.
pub const ENV_BASE_URL: &str = "TV_BASE_URL";
/// Environment variable naming the profile.
pub const ENV_PROFILE: &str = "TV_PROFILE";
/// Environment variable naming the profile file.
pub const ENV_CONFIG: &str = "TV_CONFIG";
/// Environment variable naming a file that holds the key (`-`: standard input).
pub const ENV_API_KEY_FILE: &str = "TV_API_KEY_FILE";

/// The default timeout of one HTTP attempt.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default number of attempts per read or delete.
pub const DEFAULT_ATTEMPTS: u32 = 3;

/// Values given explicitly (command-line flags); they win over everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--api-key`.
    pub api_key: Option<String>,
    /// `--base-url` (a site name or URL).
    pub base_url: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--config`: the profile file to use.
    pub config_path: Option<PathBuf>,
    /// `--api-key-file`: a file holding the key (`-`: standard input).
    pub api_key_file: Option<PathBuf>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// `--attempts`.
    pub attempts: Option<u32>,
    /// `--allow-plain-http` (only ever turns the opt-in on).
    pub allow_plain_http: bool,
    /// `--max-response-size`, in bytes.
    pub max_response_bytes: Option<u64>,
}

/// Where a setting came from (`tv doctor` shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Env(&'static str),
    /// A profile of the profile file.
    Profile {
        /// The profile's name.
        name: String,
        /// The file.
        path: PathBuf,
    },
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("command-line flag"),
            Source::Env(name) => write!(f, "environment variable {name}"),
            Source::Profile { name, path } => write!(f, "profile `{name}` in {}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Its origin.
    pub source: Source,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The key, when one was found.
    pub api_key: Option<Setting<ApiKey>>,
    /// Where requests go.
    pub site: Setting<Site>,
    /// The profile in use, if any.
    pub profile: Option<Setting<String>>,
    /// The profile file consulted (it may not exist).
    pub config_path: Option<PathBuf>,
    /// Time allowed for one HTTP attempt.
    pub timeout: Setting<Duration>,
    /// Attempts per read or delete.
    pub attempts: Setting<u32>,
    /// Whether the key may travel over plain `http://` to another host.
    pub allow_plain_http: Setting<bool>,
    /// The largest response body read, in bytes.
    pub max_response_bytes: Setting<u64>,
    /// The output format a profile asks for (`tv` validates it).
    pub output: Option<Setting<String>>,
    /// Things the user should fix (e.g. a key file readable by others).
    pub warnings: Vec<String>,
}

/// Reads the process environment; a seam so tests can pass their own.
pub trait Environment {
    /// The variable's value, if set and not empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Environment for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// The default profile file: `TV_CONFIG`, else `$XDG_CONFIG_HOME/tv/config.toml`, else
/// `$HOME/.config/tv/config.toml`.
pub fn default_config_path(env: &dyn Environment) -> Option<PathBuf> {
    if let Some(path) = env.var(ENV_CONFIG) {
        return Some(PathBuf::from(path));
    }
    let base = env
        .var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| env.var("HOME").map(|home| Path::new(&home).join(".config")))?;
    Some(base.join("tv").join("config.toml"))
}

impl Settings {
    /// Resolves from the overrides, the process environment and the profile file.
    pub fn resolve(overrides: &Overrides) -> Result<Settings, Error> {
        Self::resolve_with(overrides, &ProcessEnv)
    }

    /// Resolves with an explicit environment (for tests and embedding).
    pub fn resolve_with(overrides: &Overrides, env: &dyn Environment) -> Result<Settings, Error> {
        let config_path = overrides
            .config_path
            .clone()
            .or_else(|| default_config_path(env));
        let file = match &config_path {
            Some(path) => ProfileFile::load(path)?,
            None => None,
        };
        let requested = match (&overrides.profile, env.var(ENV_PROFILE)) {
            (Some(name), _) => Some(Setting {
                value: name.clone(),
                source: Source::Flag,
            }),
            (None, Some(name)) => Some(Setting {
                value: name,
                source: Source::Env(ENV_PROFILE),
            }),
            (None, None) => None,
        };
        let profile = match (requested, &file) {
            (Some(requested), Some(file)) if file.has_profile(&requested.value) => Some(requested),
            (Some(requested), file) => {
                let known = file
                    .as_ref()
                    .map(|f| f.profile_names().join(", "))
                    .unwrap_or_default();
                let path = config_path
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                return Err(Error::config(
                    ConfigKind::Profile,
                    format!(
                        "profile `{}` (from {}) is not in {path}{}",
                        requested.value,
                        requested.source,
                        if known.is_empty() {
                            String::new()
                        } else {
                            format!(" (known: {known})")
                        }
                    ),
                ));
            }
            (None, Some(file)) => file.default_profile().map(|name| Setting {
                value: name,
                source: Source::Profile {
                    name: "default_profile".into(),
                    path: file.path().to_path_buf(),
                },
            }),
            (None, None) => None,
        };
        let from_profile = |field: ProfileSetting| -> Option<Setting<String>> {
            let (file, profile) = (file.as_ref()?, profile.as_ref()?);
            let value = file.get(&profile.value, field)?;
            Some(Setting {
                value,
                source: Source::Profile {
                    name: profile.value.clone(),
                    path: file.path().to_path_buf(),
                },
            })
        };

        let key_text = match (&overrides.api_key, &overrides.api_key_file) {
            (Some(value), _) => Some(Setting {
                value: value.clone(),
                source: Source::Flag,
            }),
            (None, Some(path)) => Some(Setting {
                value: value::read_key_file(path)?,
                source: Source::Flag,
            }),
            (None, None) => match (env.var(ENV_API_KEY), env.var(ENV_API_KEY_FILE)) {
                (Some(value), _) => Some(Setting {
                    value,
                    source: Source::Env(ENV_API_KEY),
                }),
                (None, Some(path)) => Some(Setting {
                    value: value::read_key_file(Path::new(&path))
                        .map_err(|e| e.from_origin(Source::Env(ENV_API_KEY_FILE)))?,
                    source: Source::Env(ENV_API_KEY_FILE),
                }),
                (None, None) => from_profile(ProfileSetting::ApiKey),
            },
        };
        let url_text = overrides
            .base_url
            .clone()
            .map(|value| Setting {
                value,
                source: Source::Flag,
            })
            .or_else(|| {
                env.var(ENV_BASE_URL).map(|value| Setting {
                    value,
                    source: Source::Env(ENV_BASE_URL),
                })
            })
            .or_else(|| from_profile(ProfileSetting::BaseUrl));

        let site = match url_text {
            Some(text) => Setting {
                value: text
                    .value
                    .parse::<Site>()
                    .map_err(|e| e.from_origin(&text.source))?,
                source: text.source,
            },
            None => Setting {
                value: Site::AppNeta,
                source: Source::Default,
            },
        };
        let mut warnings = Vec::new();
        let api_key = match key_text {
            Some(text) => {
                if let Source::Profile { name, path } = &text.source {
                    check_profile_site(name, from_profile(ProfileSetting::BaseUrl), &site)?;
                    if let Some(warning) = permission_warning(path) {
                        warnings.push(warning);
                    }
                }
                if let Some(warning) = key_file_warning(overrides, env) {
                    warnings.push(warning);
                }
                let value = ApiKey::new(text.value).map_err(|e| e.from_origin(&text.source))?;
                Some(Setting {
                    value,
                    source: text.source,
                })
            }
            None => None,
        };
        let timeout = typed(
            overrides.timeout,
            from_profile(ProfileSetting::Timeout),
            value::parse_timeout,
        )?
        .unwrap_or(Setting {
            value: DEFAULT_TIMEOUT,
            source: Source::Default,
        });
        let attempts = typed(
            overrides.attempts,
            from_profile(ProfileSetting::Attempts),
            value::parse_attempts,
        )?
        .unwrap_or(Setting {
            value: DEFAULT_ATTEMPTS,
            source: Source::Default,
        });
        let allow_plain_http = typed(
            overrides.allow_plain_http.then_some(true),
            from_profile(ProfileSetting::AllowPlainHttp),
            value::parse_bool,
        )?
        .unwrap_or(Setting {
            value: false,
            source: Source::Default,
        });
        let max_response_bytes = typed(
            overrides.max_response_bytes,
            from_profile(ProfileSetting::MaxResponseSize),
            value::parse_size,
        )?
        .unwrap_or(Setting {
            value: value::DEFAULT_MAX_RESPONSE_BYTES,
            source: Source::Default,
        });
        let output = from_profile(ProfileSetting::Output);
        Ok(Settings {
            api_key,
            site,
            profile,
            config_path,
            timeout,
            attempts,
            allow_plain_http,
            max_response_bytes,
            output,
            warnings,
        })
    }

    /// A client builder with this key and site.
    pub fn client_builder(&self) -> Result<crate::TraceViewBuilder, Error> {
        let key = self.api_key.as_ref().ok_or_else(|| {
            Error::config(
                ConfigKind::MissingKey,
                format!(
                    "no API key: pass --api-key or --api-key-file, set {ENV_API_KEY} or \
                     {ENV_API_KEY_FILE}, or add `api_key` to a profile \
                     (`tv config set api_key <KEY>`)"
                ),
            )
        })?;
        Ok(crate::TraceView::builder()
            .site(self.site.value.base_url())
            .key(key.value.clone())
            .timeout(self.timeout.value)
            .retry(crate::RetryPolicy::default().max_attempts(self.attempts.value))
            .allow_plain_http(self.allow_plain_http.value)
            .max_response_bytes(self.max_response_bytes.value))
    }
}

/// A flag's value, else a profile's parsed with `parse` (an unusable profile value is
/// an error naming the profile), else `None`.
fn typed<T>(
    flag: Option<T>,
    profile: Option<Setting<String>>,
    parse: fn(&str) -> Result<T, Error>,
) -> Result<Option<Setting<T>>, Error> {
    if let Some(value) = flag {
        return Ok(Some(Setting {
            value,
            source: Source::Flag,
        }));
    }
    match profile {
        Some(text) => Ok(Some(Setting {
            value: parse(&text.value).map_err(|e| e.from_origin(&text.source))?,
            source: text.source,
        })),
        None => Ok(None),
    }
}

/// A profile's key may only travel to the profile's own site.
fn check_profile_site(
    profile: &str,
    profile_url: Option<Setting<String>>,
    site: &Setting<Site>,
) -> Result<(), Error> {
    if matches!(site.source, Source::Profile { .. } | Source::Default) {
        return Ok(());
    }
    let own: Site = match profile_url {
        Some(url) => url
            .value
            .parse()
            .map_err(|e: Error| e.from_origin(&url.source))?,
        None => Site::AppNeta,
    };
    if own.base_url() == site.value.base_url() {
        return Ok(());
    }
    Err(Error::config(
        ConfigKind::Profile,
        format!(
            "the key of profile `{profile}` belongs to {}, but the base URL is {} (from {}); \
             pass --api-key as well, or choose another profile",
            own, site.value, site.source
        ),
    ))
}

/// Without the `profile-file` feature there is no profile file: this type has no
/// values, so every profile lookup is statically "none".
#[cfg(not(feature = "profile-file"))]
enum ProfileFile {}

#[cfg(not(feature = "profile-file"))]
impl ProfileFile {
    fn load(_path: &Path) -> Result<Option<ProfileFile>, Error> {
        Ok(None)
    }
    fn has_profile(&self, _name: &str) -> bool {
        match *self {}
    }
    fn profile_names(&self) -> Vec<String> {
        match *self {}
    }
    fn default_profile(&self) -> Option<String> {
        match *self {}
    }
    fn get(&self, _profile: &str, _field: ProfileSetting) -> Option<String> {
        match *self {}
    }
    fn path(&self) -> &Path {
        match *self {}
    }
}

#[cfg(all(test, feature = "profile-file"))]
#[path = "config_tests.rs"]
mod tests;
