//! `/probe?target=PROFILE`: one profile of the configuration file per probe.

use super::*;

#[test]
fn probe_scrapes_a_profile_of_the_config_file() {
    let sandbox = crate::common::shared();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.lab]\napi_key = \"{KEY}\"\nbase_url = \"{}\"\n",
            sandbox.base_url
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = config.to_string_lossy().into_owned();
    let (_exporter, address) = exporter(
        sandbox,
        "refused-key-for-metrics",
        &["--app", "billing-api", "--config", &config],
    );
    let (head, body) = get(&address, "/probe?target=lab", None);
    assert!(head.contains(" 200 "), "{head}");
    assert!(
        body.lines()
            .any(|l| l == "traceview_app_up{app=\"billing-api\"} 1.0"),
        "{body}"
    );
    assert!(body.lines().any(|l| l == "traceview_up 1.0"), "{body}");
    let (_, body) = get(&address, "/metrics", None);
    assert!(body.lines().any(|l| l == "traceview_up 0.0"), "{body}");
}

#[test]
fn a_probe_uses_its_profile_not_the_environment() {
    let sandbox = crate::common::shared();
    let dead = crate::common::Sandbox::dead();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.lab]\napi_key = \"{KEY}\"\nbase_url = \"{}\"\n\n[profiles.other]\napi_key = \"{KEY}\"\nbase_url = \"{}\"\n",
            sandbox.base_url, dead.base_url
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = config.to_string_lossy().into_owned();
    // The exporter's own account comes from the environment: a refused key, a server
    // where nothing listens, and another profile. None of it reaches a probe.
    let (_exporter, url) = crate::common::spawn_tv_with_env(
        &[
            "exporter",
            "--listen",
            "127.0.0.1:0",
            "--app",
            "billing-api",
        ],
        &[
            ("TV_CONFIG", &config),
            ("TV_API_KEY", "refused-key-from-the-environment"),
            ("TV_BASE_URL", &dead.base_url),
            ("TV_PROFILE", "other"),
        ],
    );
    let address = url
        .strip_prefix("http://")
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("exporter said {url:?}"))
        .to_string();
    let (head, body) = get(&address, "/probe?target=lab", None);
    assert!(head.contains(" 200 "), "{head}");
    assert!(body.lines().any(|l| l == "traceview_up 1.0"), "{body}");
    let (_, body) = get(&address, "/metrics", None);
    assert!(body.lines().any(|l| l == "traceview_up 0.0"), "{body}");
}
