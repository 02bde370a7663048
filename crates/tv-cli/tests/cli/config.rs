//! `tv config` edits the profile file without losing comments; profiles drive `tv`.
use tv_cli::Exit;

use crate::common::{KEY, run, shared, tv_with_config};

#[test]
fn set_get_list_use_and_run_with_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "# my TraceView accounts\n[profiles.local] # the sandbox\n",
    )
    .unwrap();
    let sandbox = shared();
    for (profile, key, value) in [
        ("local", "base_url", sandbox.base_url.as_str()),
        ("local", "api_key", KEY),
        ("prod", "api_key", "prod-key-0123456789"),
    ] {
        let mut command = tv_with_config(&path);
        command.args(["--profile", profile, "config", "set", key, value]);
        let (code, _, stderr) = run(command);
        assert_eq!(code, Exit::Ok.code(), "{stderr}");
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# my TraceView accounts\n"), "{text}");
    assert!(text.contains("[profiles.local] # the sandbox\n"), "{text}");
    assert!(text.contains("default_profile = \"local\""), "{text}");

    let mut command = tv_with_config(&path);
    command.args(["--profile", "prod", "config", "get", "api_key"]);
    assert_eq!(run(command).1, "*** (19 characters)\n");

    let mut command = tv_with_config(&path);
    command.args(["--output", "csv", "config", "list"]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, Exit::Ok.code());
    assert!(
        !stdout.contains("prod-key") && !stdout.contains(KEY),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 4, "{stdout}");

    // The default profile (local) points at the sandbox.
    let mut command = tv_with_config(&path);
    command.args(["--output", "json", "apps"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{stderr}");
    assert!(stdout.contains("web-shop"));

    // Switching to prod: its key must not travel to the sandbox URL given as a flag.
    let mut command = tv_with_config(&path);
    command.args(["config", "use", "prod"]);
    assert_eq!(run(command).0, 0);
    let mut command = tv_with_config(&path);
    command.args(["--base-url", &sandbox.base_url, "apps"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Config.code(), "{stderr}");
    assert!(
        stderr.contains("the key of profile `prod` belongs to"),
        "{stderr}"
    );
    assert!(!stderr.contains("prod-key") && !stdout.contains("prod-key"));
}

#[test]
fn unknown_profiles_and_settings_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut command = tv_with_config(&path);
    command.args(["--profile", "nope", "apps"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Config.code(), "{stderr}");
    let mut command = tv_with_config(&path);
    command.args(["config", "set", "apikey", "x"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, Exit::Usage.code(), "{stderr}");
    assert!(stderr.contains("unknown setting `apikey`"), "{stderr}");
}
