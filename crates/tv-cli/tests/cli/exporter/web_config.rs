//! `--web.config.file`: basic auth, the HTTP options, what is refused.

use super::*;

#[test]
fn basic_auth_from_the_web_config() {
    let sandbox = crate::common::shared();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let web = dir.path().join("web.yml");
    let hash = bcrypt::hash("s3cret", 4).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&web, format!("basic_auth_users:\n  prometheus: '{hash}'\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    let web = web.to_string_lossy().into_owned();
    let (_exporter, address) = exporter(
        sandbox,
        KEY,
        &["--app", "web-shop", "--web.config.file", &web],
    );
    let (head, _) = get(&address, "/metrics", None);
    assert!(head.contains(" 401 "), "{head}");
    assert!(
        head.to_lowercase().contains("www-authenticate: basic"),
        "{head}"
    );
    // prometheus:s3cret
    let answer = exchange(
        &address,
        "GET /metrics HTTP/1.0\r\nAuthorization: Basic cHJvbWV0aGV1czpzM2NyZXQ=\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    // prometheus:wrong
    let answer = exchange(
        &address,
        "GET /metrics HTTP/1.0\r\nAuthorization: Basic cHJvbWV0aGV1czp3cm9uZw==\r\n\r\n",
    );
    assert!(answer.contains(" 401 "), "{answer}");
}

#[test]
fn an_unusable_web_config_is_one_line_and_exit_3() {
    let sandbox = crate::common::shared();
    let mut command = tv(sandbox);
    command.args([
        "exporter",
        "--listen",
        "127.0.0.1:0",
        "--web.config.file",
        "/nonexistent/web.yml",
    ]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("web configuration: /nonexistent/web.yml"),
        "{stderr}"
    );
    // What cannot be honoured is refused with one line naming the key.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (yaml, key) in [
        ("http_server_config:\n  http2: true\n", "http2"),
        (
            "http_server_config:\n  headers:\n    Content-Type: x\n",
            "headers",
        ),
        ("http_server_config:\n  nope: 1\n", "nope"),
    ] {
        let file = dir.path().join("web.yml");
        std::fs::write(&file, yaml).unwrap_or_else(|e| panic!("{e}"));
        let mut command = tv(sandbox);
        command.args(["exporter", "--listen", "127.0.0.1:0", "--web.config.file"]);
        command.arg(&file);
        let (code, _, stderr) = run(command);
        assert_eq!(code, 3, "{yaml}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{yaml}: {stderr}");
        assert!(stderr.contains(key), "{yaml}: {stderr}");
    }
}

#[test]
fn the_web_configs_headers_are_on_every_answer() {
    let sandbox = crate::common::shared();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("web.yml");
    std::fs::write(
        &file,
        "http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = file.to_string_lossy().into_owned();
    let (_exporter, address) = exporter(
        sandbox,
        KEY,
        &["--app", "web-shop", "--web.config.file", &file],
    );
    for path in ["/metrics", "/-/healthy", "/nope"] {
        let (head, _) = get(&address, path, None);
        let head = head.to_lowercase();
        assert!(head.contains("\r\nx-frame-options: deny"), "{path}: {head}");
        assert!(
            head.contains("\r\nstrict-transport-security: max-age=31536000"),
            "{path}: {head}"
        );
    }
}
