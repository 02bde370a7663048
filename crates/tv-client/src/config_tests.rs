use std::collections::HashMap;

use super::*;

struct MapEnv(HashMap<&'static str, String>);

impl Environment for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

fn env(pairs: &[(&'static str, &str)]) -> MapEnv {
    MapEnv(pairs.iter().map(|(k, v)| (*k, v.to_string())).collect())
}

fn config_file(text: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
    (dir, path)
}

const FILE: &str = "default_profile = \"prod\"\n[profiles.prod]\napi_key = \"prod-key\"\nbase_url = \"appneta\"\n[profiles.local]\napi_key = \"sandbox\"\nbase_url = \"http://127.0.0.1:8642/api-v2\"\n";

fn overrides(path: &Path) -> Overrides {
    Overrides {
        config_path: Some(path.to_path_buf()),
        ..Overrides::default()
    }
}

#[test]
fn flags_beat_environment_beat_profile() {
    let (_dir, path) = config_file(FILE, 0o600);
    let environment = env(&[
        (ENV_API_KEY, "env-key"),
        (ENV_BASE_URL, "http://localhost:1/api-v2"),
    ]);
    let mut given = overrides(&path);
    given.api_key = Some("flag-key".into());
    let settings = Settings::resolve_with(&given, &environment).unwrap();
    let key = settings.api_key.unwrap();
    assert_eq!(
        (key.value.expose(), &key.source),
        ("flag-key", &Source::Flag)
    );
    assert_eq!(settings.site.value.base_url(), "http://localhost:1/api-v2");
    assert_eq!(settings.site.source, Source::Env(ENV_BASE_URL));

    let settings = Settings::resolve_with(&overrides(&path), &env(&[])).unwrap();
    assert_eq!(settings.api_key.unwrap().value.expose(), "prod-key");
    assert_eq!(settings.profile.unwrap().value, "prod");
    assert!(settings.warnings.is_empty());
}

#[test]
fn a_named_profile_must_exist() {
    let (_dir, path) = config_file(FILE, 0o600);
    let error =
        Settings::resolve_with(&overrides(&path), &env(&[(ENV_PROFILE, "staging")])).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("profile `staging` (from environment variable TV_PROFILE)"),
        "{text}"
    );
    assert!(text.contains("known: prod, local"), "{text}");
}

#[test]
fn a_profile_key_never_goes_to_another_site() {
    let (_dir, path) = config_file(FILE, 0o600);
    let mut given = overrides(&path);
    given.base_url = Some("https://evil.example.com/api-v2".into());
    let error = Settings::resolve_with(&given, &env(&[])).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the key of profile `prod` belongs to https://api.tv.appneta.com/api-v2"),
        "{error}"
    );
    assert!(!error.to_string().contains("prod-key"));

    // With an explicit key there is nothing to leak.
    given.api_key = Some("other".into());
    assert!(Settings::resolve_with(&given, &env(&[])).is_ok());
}

#[test]
fn the_local_profile_points_at_the_sandbox() {
    let (_dir, path) = config_file(FILE, 0o600);
    let mut given = overrides(&path);
    given.profile = Some("local".into());
    let settings = Settings::resolve_with(&given, &env(&[])).unwrap();
    assert_eq!(
        settings.site.value.base_url(),
        "http://127.0.0.1:8642/api-v2"
    );
    assert!(settings.client_builder().unwrap().build().is_ok());
}

#[cfg(unix)]
#[test]
fn a_world_readable_key_file_warns() {
    let (_dir, path) = config_file(FILE, 0o644);
    let settings = Settings::resolve_with(&overrides(&path), &env(&[])).unwrap();
    assert_eq!(settings.warnings.len(), 1);
    assert!(
        settings.warnings[0].contains("chmod 600"),
        "{}",
        settings.warnings[0]
    );
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_warns_naming_the_flag_or_variable() {
    let (_dir, key_file) = config_file("file-key\n", 0o640);
    let mut given = Overrides {
        api_key_file: Some(key_file.clone()),
        ..Overrides::default()
    };
    let settings = Settings::resolve_with(&given, &env(&[])).unwrap();
    assert_eq!(settings.api_key.unwrap().value.expose(), "file-key");
    assert_eq!(settings.warnings.len(), 1, "{:?}", settings.warnings);
    let warning = &settings.warnings[0];
    assert!(warning.starts_with("--api-key-file: "), "{warning}");
    assert!(
        warning.contains(&key_file.display().to_string()),
        "{warning}"
    );
    assert!(warning.contains("mode 640"), "{warning}");

    given.api_key_file = None;
    let path = key_file.display().to_string();
    let settings = Settings::resolve_with(&given, &env(&[(ENV_API_KEY_FILE, &path)])).unwrap();
    assert!(settings.warnings[0].starts_with("TV_API_KEY_FILE: "));

    let (_dir, private) = config_file("file-key\n", 0o600);
    given.api_key_file = Some(private);
    let settings = Settings::resolve_with(&given, &env(&[])).unwrap();
    assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);
}

#[test]
fn no_key_says_how_to_set_one() {
    let settings = Settings::resolve_with(&Overrides::default(), &env(&[])).unwrap();
    let error = settings.client_builder().unwrap_err();
    assert!(error.to_string().contains("TV_API_KEY"), "{error}");
}

#[test]
fn the_default_path_follows_xdg() {
    let path = default_config_path(&env(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")])).unwrap();
    assert_eq!(path, PathBuf::from("/x/tv/config.toml"));
    let path = default_config_path(&env(&[("HOME", "/h")])).unwrap();
    assert_eq!(path, PathBuf::from("/h/.config/tv/config.toml"));
    let path = default_config_path(&env(&[(ENV_CONFIG, "/c.toml"), ("HOME", "/h")])).unwrap();
    assert_eq!(path, PathBuf::from("/c.toml"));
}
