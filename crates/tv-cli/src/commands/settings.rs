//! `tv config set|get|list|use` and `tv doctor`.

use schemars::JsonSchema;
use serde::Serialize;
use tv_client::config::ProfileSetting;
use tv_client::config::{ProcessEnv, Source, default_config_path};
use tv_client::profile_file::ProfileFile;

use super::{Env, column, emit};
use crate::cli::{ConfigCommand, GlobalArgs};
use crate::context;
use crate::exit::{CliError, Exit};
use crate::render::{Align, Cell, Listed, Table, Tone};

/// The profile `tv config` edits: `--profile`, else `TV_PROFILE`, else the file's
/// default profile, else `default`.
pub(super) fn target_profile(global: &GlobalArgs, file: Option<&ProfileFile>) -> String {
    global
        .profile
        .clone()
        .or_else(|| std::env::var("TV_PROFILE").ok().filter(|p| !p.is_empty()))
        .or_else(|| file.and_then(ProfileFile::default_profile))
        .unwrap_or_else(|| "default".to_string())
}

pub(super) fn config_path(global: &GlobalArgs) -> Result<std::path::PathBuf, CliError> {
    global
        .config
        .clone()
        .or_else(|| default_config_path(&ProcessEnv))
        .ok_or_else(|| {
            CliError::new(
                Exit::Config,
                "cannot locate the config file: set HOME, XDG_CONFIG_HOME or TV_CONFIG",
            )
        })
}

/// Shows a setting's value: keys redacted, credentials in URLs too, and nothing that
/// could drive the terminal.
fn shown(field: ProfileSetting, value: &str) -> String {
    if field == ProfileSetting::ApiKey {
        redacted_key(value)
    } else {
        tv_client::error::one_line(value, 200)
    }
}

/// A key as shown by `tv config` and `tv doctor`: never any of its characters, only
/// that it is set and how long it is (to tell a truncated paste).
pub fn redacted_key(key: &str) -> String {
    format!("*** ({} characters)", key.chars().count())
}

/// A row of `tv config list`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProfileRow {
    /// The profile.
    pub profile: String,
    /// The setting (`api_key`, `base_url`, `timeout`, …).
    pub key: String,
    /// Its value (keys redacted).
    pub value: String,
    /// Whether this is the default profile.
    pub default: bool,
}

/// `tv config …`.
pub fn config(command: ConfigCommand, global: &GlobalArgs, env: &Env) -> Result<Exit, CliError> {
    let path = config_path(global)?;
    let existing = ProfileFile::load(&path)?;
    let profile = target_profile(global, existing.as_ref());
    match command {
        ConfigCommand::Set { key, value } => {
            let key = setting_named(&key)?;
            let value = if key == ProfileSetting::ApiKey && value == "-" {
                super::login::read_key(&format!("API key for profile `{profile}`: "))?
            } else {
                value
            };
            set_setting(existing, &path, &profile, key, &value)?;
            eprintln!("set {key} of profile `{profile}` in {}", path.display());
            Ok(Exit::Ok)
        }
        ConfigCommand::Use { profile } => {
            let mut file = existing.ok_or_else(|| {
                CliError::new(
                    Exit::Config,
                    format!("{} does not exist yet", path.display()),
                )
            })?;
            if !file.has_profile(&profile) {
                return Err(CliError::new(
                    Exit::Config,
                    format!(
                        "no profile `{profile}` in {} (known: {})",
                        path.display(),
                        file.profile_names().join(", ")
                    ),
                ));
            }
            file.set_default_profile(&profile);
            file.save()?;
            eprintln!("default profile is now `{profile}`");
            Ok(Exit::Ok)
        }
        ConfigCommand::Get { key } => {
            let key = setting_named(&key)?;
            let value = existing
                .as_ref()
                .and_then(|f| f.get(&profile, key))
                .ok_or_else(|| {
                    CliError::new(
                        Exit::Config,
                        format!(
                            "`{key}` is not set in profile `{profile}` of {}",
                            path.display()
                        ),
                    )
                })?;
            super::print_raw(format!("{}\n", shown(key, &value)).as_bytes())
        }
        ConfigCommand::List => {
            let mut rows = Vec::new();
            if let Some(file) = &existing {
                let default = file.default_profile();
                for name in file.profile_names() {
                    for field in ProfileSetting::ALL {
                        if let Some(value) = file.get(&name, field) {
                            rows.push(ProfileRow {
                                default: default.as_deref() == Some(name.as_str()),
                                profile: name.clone(),
                                key: field.name().to_string(),
                                value: shown(field, &value),
                            });
                        }
                    }
                }
            }
            let table = || Table {
                title: Some(format!("Profiles in {}", path.display())),
                columns: vec![
                    column("profile", "Profile", Align::Left),
                    column("key", "Setting", Align::Left),
                    column("value", "Value", Align::Left),
                    column("default", "Default", Align::Left),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            Cell::text(&r.profile),
                            Cell::text(&r.key),
                            Cell::text(&r.value),
                            Cell::flag(r.default, "yes", ""),
                        ]
                    })
                    .collect(),
            };
            let listed = Listed {
                document: &rows,
                rows: &rows,
                table: &table,
            };
            emit(&listed, env)
        }
    }
}

/// The setting a user named; an unknown name is a usage error (exit 2) listing the
/// known ones.
fn setting_named(name: &str) -> Result<ProfileSetting, CliError> {
    ProfileSetting::named(name).map_err(|e| match e {
        tv_client::Error::Config { detail, .. } => CliError::usage(detail),
        other => other.into(),
    })
}

/// Writes `key = value` into `profile` of the file at `path` (0600, atomically),
/// checked with the same parsers as when the profile is used: nothing unusable is
/// saved. A bad name or value is a usage error (exit 2), like a bad flag.
pub(super) fn set_setting(
    existing: Option<ProfileFile>,
    path: &std::path::Path,
    profile: &str,
    key: ProfileSetting,
    value: &str,
) -> Result<(), CliError> {
    let mut file = existing.unwrap_or_else(|| ProfileFile::empty(path));
    key.check(value).map_err(|e| {
        CliError::usage(match e {
            tv_client::Error::Config { detail, .. } => format!("{key}: {detail}"),
            other => other.to_string(),
        })
    })?;
    if key == ProfileSetting::Output {
        context::parse_output(value).map_err(CliError::usage)?;
    }
    file.set(profile, key, value)?;
    if file.default_profile().is_none() {
        file.set_default_profile(profile);
    }
    file.save()?;
    Ok(())
}

/// A row of `tv doctor`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Check {
    /// What was checked.
    pub check: String,
    /// `ok`, `warning` or `failed`.
    pub status: String,
    /// The value (keys redacted) or what went wrong.
    pub detail: String,
}

fn check(name: &str, status: &str, detail: impl Into<String>) -> Check {
    Check {
        check: name.to_string(),
        status: status.to_string(),
        detail: detail.into(),
    }
}

/// `tv doctor`: where each setting comes from, then whether the server answers and
/// takes the key. Exit 0 when all is well, 3 for a configuration or key problem, 1 when
/// the server cannot be reached.
pub async fn doctor(
    global: &GlobalArgs,
    env: &Env,
    run_settings: &crate::context::RunSettings,
) -> Result<Exit, CliError> {
    let mut checks = Vec::new();
    let mut exit = Exit::Ok;
    if global.demo {
        checks.push(check("mode", "ok", "--demo: the built-in sandbox"));
    } else {
        match run_settings.get(global) {
            Ok(settings) => {
                let source = |s: &Source| s.to_string();
                match &settings.api_key {
                    Some(key) => checks.push(check(
                        "api key",
                        "ok",
                        format!(
                            "{} from {}",
                            redacted_key(key.value.expose()),
                            source(&key.source)
                        ),
                    )),
                    None => {
                        checks.push(check("api key", "failed", "not set: pass --api-key, set TV_API_KEY or `tv config set api_key KEY`"));
                        exit = Exit::Config;
                    }
                }
                checks.push(check(
                    "base url",
                    "ok",
                    format!(
                        "{} from {}",
                        settings.site.value,
                        source(&settings.site.source)
                    ),
                ));
                if settings.allow_plain_http.value {
                    checks.push(check(
                        "plain http",
                        "warning",
                        format!(
                            "allowed from {}: the key may travel in clear text",
                            source(&settings.allow_plain_http.source)
                        ),
                    ));
                }
                checks.push(check(
                    "limits",
                    "ok",
                    format!(
                        "{} per attempt, {} attempts per read or delete, responses up to {} MiB",
                        tv_client::units::format_duration(settings.timeout.value),
                        settings.attempts.value,
                        settings.max_response_bytes.value / (1024 * 1024)
                    ),
                ));
                if let Some(profile) = &settings.profile {
                    checks.push(check(
                        "profile",
                        "ok",
                        format!("{} from {}", profile.value, source(&profile.source)),
                    ));
                }
                if let Some(path) = &settings.config_path {
                    let state = if path.exists() {
                        "exists"
                    } else {
                        "does not exist"
                    };
                    checks.push(check(
                        "config file",
                        "ok",
                        format!("{} ({state})", path.display()),
                    ));
                }
                for warning in &settings.warnings {
                    checks.push(check("permissions", "warning", warning.as_str()));
                }
            }
            Err(error) => {
                checks.push(check("configuration", "failed", error.to_string()));
                exit = Exit::Config;
            }
        }
    }
    if exit == Exit::Ok {
        match context::connect(global, run_settings).await {
            Ok(connection) => match connection.tv.discovery().apps().await {
                Ok(apps) => {
                    checks.push(check(
                        "server",
                        "ok",
                        format!("{} answers", tv_client::redact(connection.tv.base_url())),
                    ));
                    checks.push(check(
                        "key accepted",
                        "ok",
                        format!("{} apps visible", apps.len()),
                    ));
                    checks.push(clock_check(&connection.tv, apps.first()).await);
                }
                Err(tv_client::Error::Auth) => {
                    checks.push(check(
                        "server",
                        "ok",
                        format!("{} answers", tv_client::redact(connection.tv.base_url())),
                    ));
                    checks.push(check(
                        "key accepted",
                        "failed",
                        "the server refused the key (403)",
                    ));
                    exit = Exit::Config;
                }
                Err(error) => {
                    checks.push(check("server", "failed", error.to_string()));
                    exit = Exit::Runtime;
                }
            },
            Err(error) => {
                checks.push(check("client", "failed", error.message.clone()));
                exit = error.exit;
            }
        }
    }
    let listed = Listed {
        document: &checks,
        rows: &checks,
        table: &|| checks_table(&checks),
    };
    emit(&listed, env)?;
    Ok(exit)
}

/// The table of `tv doctor`.
fn checks_table(checks: &[Check]) -> Table {
    let rows = checks
        .iter()
        .map(|c| {
            let tone = match c.status.as_str() {
                "ok" => Tone::Good,
                "warning" => Tone::Warn,
                _ => Tone::Bad,
            };
            vec![
                Cell::text(&c.check),
                Cell::text(&c.status).toned(tone),
                Cell::text(&c.detail),
            ]
        })
        .collect();
    Table {
        title: None,
        columns: vec![
            column("check", "Check", Align::Left),
            column("status", "Status", Align::Left),
            column("detail", "Detail", Align::Left),
        ],
        rows,
    }
}

/// How this machine's clock compares with the server's now. tv never uses the local
/// clock for windows or relative times, so a skew is a warning, not a failure.
async fn clock_check(tv: &tv_client::TraceView, app: Option<&String>) -> Check {
    use tv_client::workflow::{SystemClock, clock_skew};
    match clock_skew(tv, app.map(String::as_str), &SystemClock).await {
        Ok(Some(skew)) if skew.num_seconds().abs() <= 60 => {
            check("clock", "ok", "within a minute of the server's")
        }
        Ok(Some(skew)) => {
            let side = if skew.num_seconds() > 0 {
                "behind"
            } else {
                "ahead of"
            };
            let by = std::time::Duration::from_secs(skew.num_seconds().unsigned_abs());
            check(
                "clock",
                "warning",
                format!(
                    "this machine's clock is {} {side} the server's; tv uses the server's now",
                    humantime::format_duration(by)
                ),
            )
        }
        Ok(None) => check("clock", "ok", "the server has no app to tell its time by"),
        Err(error) => check(
            "clock",
            "warning",
            format!("cannot compare with the server's: {error}"),
        ),
    }
}
