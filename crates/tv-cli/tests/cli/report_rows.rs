//! `tv report` writes its JSON and NDJSON row by row from compact rows, and prunes the
//! rows a `--top` cannot keep while they arrive: its output must stay what the whole
//! report's JSON tree gives (what `tv report` printed before), over a sandbox world of
//! 100 apps (more than the 64 rows at which a `--top` starts pruning).
use serde_json::Value;
use tv_cli::Exit;
use tv_client::workflow::{self, AppSelection, AppsReport, Now, SortKey};
use tv_client::{Concurrency, TimeWindow, TraceView};

use crate::common::{END, KEY, run, start_with, tv};

const APPS: usize = 100;

/// The report of every app, sorted by `sort`, as the library computes it.
fn library_report(base_url: &str, sort: SortKey) -> AppsReport {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let tv = TraceView::builder()
            .site(base_url)
            .api_key(KEY)
            .build()
            .unwrap();
        let now = Now::server(&tv);
        let end = END.parse().unwrap();
        let selection = AppSelection::new().sort(sort);
        let fixed = Concurrency::Fixed(4);
        workflow::report_selected(&tv, &now, TimeWindow::Hour, Some(end), fixed, &selection)
            .await
            .unwrap()
    })
}

fn cli(sandbox: &crate::common::Sandbox, args: &[&str]) -> String {
    let mut command = tv(sandbox);
    command.args(args);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, Exit::Ok.code(), "{args:?}: {stderr}");
    stdout
}

#[test]
fn json_and_ndjson_are_the_whole_trees_output() {
    let (sandbox, _) = start_with(|config| config.apps = APPS);
    let report = library_report(&sandbox.base_url, SortKey::Volume);
    assert_eq!(report.apps.len(), APPS);
    assert!(report.failed.is_empty());
    let tree = serde_json::to_value(&report).unwrap();

    let json = cli(&sandbox, &["--output", "json", "report", "--end", END]);
    assert_eq!(
        json,
        format!("{}\n", serde_json::to_string_pretty(&tree).unwrap())
    );

    let ndjson = cli(&sandbox, &["--output", "ndjson", "report", "--end", END]);
    let expected: String = tree["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let mut line = serde_json::json!({"window": "hour", "end": END, "filters": {}});
            let Value::Object(fields) = row.clone() else {
                panic!("{row}")
            };
            line.as_object_mut().unwrap().extend(fields);
            format!("{}\n", serde_json::to_string(&line).unwrap())
        })
        .collect();
    assert_eq!(ndjson, expected);
}

#[test]
fn a_top_pruned_while_collecting_is_the_head_of_the_whole_sort() {
    let (sandbox, _) = start_with(|config| config.apps = APPS);
    for (sort, flag) in [(SortKey::Errors, "errors"), (SortKey::Change, "change")] {
        let mut report = library_report(&sandbox.base_url, sort);
        report.apps.truncate(5);
        let tree = serde_json::to_value(&report).unwrap();
        let expected = serde_json::to_string_pretty(&tree).unwrap();
        let args = ["--output", "json", "report", "--end", END, "--sort", flag];
        // Compared as text: parsing JSON numbers back may be off by an ulp.
        let top = cli(&sandbox, &[&args[..], &["--top", "5"]].concat());
        assert_eq!(top, format!("{expected}\n"), "--sort {flag}");
    }
}
