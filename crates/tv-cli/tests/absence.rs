//! When data is missing, tv says so: what was not found, stale apps, vanished traffic.

mod common;

use common::{run, shared, start, tv};

/// The annotations of the shared sandbox as (id, app name).
fn annotations() -> Vec<(i64, Option<String>)> {
    let mut command = tv(shared());
    command.args(["annotations", "-o", "json"]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let notes: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_i64().unwrap(),
                n["app"].as_str().map(String::from),
            )
        })
        .collect()
}

fn compare_around(app: &str, around: &str) -> (i32, String) {
    let mut command = tv(shared());
    command.args(["compare", app, "--around", around]);
    let (code, _, stderr) = run(command);
    (code, stderr)
}

#[test]
fn around_failures_name_the_annotation_and_never_suggest_an_app() {
    let (code, stderr) = compare_around("web-shop", "999999");
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("no annotation 999999 of app `web-shop`"),
        "{stderr}"
    );
    assert!(!stderr.contains("did you mean"), "{stderr}");

    let notes = annotations();
    let (other, _) = notes
        .iter()
        .find(|(_, app)| app.as_deref().is_some_and(|a| a != "web-shop"))
        .expect("an annotation of another app");
    let (code, stderr) = compare_around("web-shop", &other.to_string());
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains(&format!("annotation {other} belongs to another app")),
        "{stderr}"
    );
    assert!(!stderr.contains("did you mean"), "{stderr}");
}

#[test]
fn around_latest_without_annotations_says_so() {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args([
        "app", "assign", "bare-app", "web-77", "--create", "--layer", "nginx",
    ]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let mut command = tv(&sandbox);
    command.args(["compare", "bare-app", "--around", "latest"]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("app `bare-app` has no annotation"),
        "{stderr}"
    );
    assert!(!stderr.contains("did you mean"), "{stderr}");
}

#[test]
fn an_unknown_app_still_gets_a_suggestion() {
    let (code, stderr) = compare_around("web-shpo", "latest");
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("did you mean `web-shop`?"), "{stderr}");
}
