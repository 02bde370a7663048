//! The key never shows, even echoed back by an error page; a key full of URL-special
//! characters and odd app names work.

use super::*;

/// An error page that echoes the request URL and the key in every form it has.
struct EchoingErrorPage;

impl Respond for EchoingErrorPage {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let key = request
            .url
            .query_pairs()
            .find(|(name, _)| name == "key")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        // Every spelling a server can produce: lower-case and double percent-encoding,
        // JSON escapes, and the key split by a newline.
        let lower: String = key
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'0'..=b'9' => char::from(b).to_string(),
                _ => format!("%{b:02x}"),
            })
            .collect();
        let double = lower.replace('%', "%25");
        let json = key.replace('&', "\\u0026").replace('/', "\\/");
        let split = format!("{}\n{}", &key[..3], &key[3..]);
        html_body(
            500,
            &format!(
                "<html><body>Internal error for {} (key {key}, raw query {}; {lower} {double} {json} {split})</body></html>",
                request.url,
                request.url.query().unwrap_or_default()
            ),
        )
    }
}

#[test]
fn an_error_page_echoing_the_key_does_not_leak_it() {
    let mock = Mocked::new(vec![
        Mock::given(method("GET"))
            .and(path(SUMMARY))
            .respond_with(EchoingErrorPage),
    ]);
    let outcome = tv_at(&mock.base_url(), SUMMARY_ARGS);
    assert_fails("an echoing error page", &outcome, 1, &["HTTP 500"]);
    assert_eq!(
        mock.paths(),
        [SUMMARY, SUMMARY],
        "one retry, no other request"
    );
}

#[test]
fn a_key_with_url_special_characters_and_odd_app_names_work() {
    let (sandbox, _) = start_with(|c| c.api_keys = vec![SECRET.to_owned()]);
    let base = sandbox.base_url.as_str();

    let apps = tv_at(base, &["--output", "json", "apps"]);
    assert_clean("apps with a special key", &apps);
    assert_eq!(apps.code, Exit::Ok.code(), "{}", apps.stderr);
    assert!(apps.stdout.contains("web-shop"), "{}", apps.stdout);

    let name = "checkout v2/ü ñ 日本";
    let assign = tv_at(
        base,
        &[
            "app", "assign", name, "web-77", "--create", "--layer", "nginx",
        ],
    );
    assert_clean("assign an odd name", &assign);
    assert_eq!(assign.code, Exit::Ok.code(), "{}", assign.stderr);

    let summary = tv_at(
        base,
        &["--output", "json", "latency", "summary", name, "--end", END],
    );
    assert_clean("summary of an odd name", &summary);
    assert_eq!(summary.code, Exit::Ok.code(), "{}", summary.stderr);
    let value: serde_json::Value = serde_json::from_str(&summary.stdout).unwrap();
    assert_eq!(value["app"], name);

    let unknown = tv_at(base, &["latency", "summary", "no such/äpp name"]);
    assert_fails("an unknown odd name", &unknown, 4, &["no such/äpp name"]);

    // A backslash is part of the name, never a path separator (it once deleted web-shop).
    let sneaky = r"x\..\..\app\web-shop";
    let assign = tv_at(
        base,
        &[
            "app", "assign", sneaky, "web-78", "--create", "--layer", "nginx",
        ],
    );
    assert_eq!(assign.code, Exit::Ok.code(), "{}", assign.stderr);
    let delete = tv_at(base, &["app", "delete", sneaky, "--yes"]);
    assert_eq!(delete.code, Exit::Ok.code(), "{}", delete.stderr);
    let apps = tv_at(base, &["--output", "json", "apps"]);
    assert!(apps.stdout.contains("\"web-shop\""), "{}", apps.stdout);
    let sneaky_json = serde_json::to_string(sneaky).unwrap();
    assert!(
        !apps.stdout.contains(&sneaky_json),
        "the app itself is deleted: {}",
        apps.stdout
    );
    let host = tv_at(base, &["app", "delete", r"..\hosts\100486", "--yes"]);
    assert_fails("a host path as an app name", &host, 4, &["hosts"]);
    // The dot segments cannot be sent at all.
    let dots = tv_at(base, &["app", "delete", "..", "--dry-run"]);
    assert_fails("the app ..", &dots, 2, &[".."]);

    // A usage error from the parser is one line too.
    let usage = tv_at(base, &["report", "--output", "xml"]);
    assert_fails(
        "a bad --output",
        &usage,
        2,
        &["xml", "possible values", "--help"],
    );
}
