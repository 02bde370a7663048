//! What the CI sees of a gate: `compare -o markdown` shows the verdict and the rules
//! (agreeing with the exit code and stderr); `tv annotate` writes the annotation's id
//! to `$GITHUB_OUTPUT`.

use super::common::{run, shared, start, tv};
use super::span::annotated;

#[test]
fn markdown_shows_the_verdict_and_the_rules_that_tripped() {
    // The 15 minutes after a deploy 20 minutes ago hold a mongodb incident.
    let (sandbox, id) = annotated("20m ago");
    let mut command = tv(&sandbox);
    command.args(["compare", "web-shop", "--around", &id, "--span", "15m"]);
    command.args([
        "--fail-if-slower",
        "10",
        "--fail-if-errors",
        "1",
        "-o",
        "markdown",
    ]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 5, "{stderr}");
    assert!(
        stdout.contains("### Gate: FAIL (exit 5): 2 rules tripped"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| Rule | Trips when | Measured | Result |"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "| layer mongodb | > 10.0% and > 5.00 ms slower per call | +182.0% (+13.0 ms) | FAIL |"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("| error rate | > 1.00 pp higher | +0.51 pp | pass |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| traffic | > 50.0% fewer traces | 478 → 514 traces (+7.5%) | pass |"),
        "{stdout}"
    );
    // As many FAIL rows as stderr's tripped rules.
    let fails = stdout.lines().filter(|l| l.ends_with("| FAIL |")).count();
    let trips = stderr
        .lines()
        .filter(|l| l.starts_with("gate tripped:"))
        .count();
    assert_eq!((fails, trips), (2, 2), "{stdout}{stderr}");
}

#[test]
fn markdown_says_pass_and_no_data_as_the_exit_code_does() {
    let mut command = tv(shared());
    command.args([
        "compare",
        "web-shop",
        "--fail-if-slower",
        "10",
        "-o",
        "markdown",
    ]);
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("### Gate: PASS (exit 0): no rule tripped"),
        "{stdout}"
    );
    assert!(!stdout.contains("| FAIL |"), "{stdout}");

    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    command.args([
        "app",
        "assign",
        "quiet-app",
        "web-77",
        "--create",
        "--layer",
        "nginx",
    ]);
    assert_eq!(run(command).0, 0);
    let mut command = tv(&sandbox);
    command.args([
        "compare",
        "quiet-app",
        "--fail-if-slower",
        "10",
        "-o",
        "markdown",
    ]);
    let (code, stdout, _) = run(command);
    assert_eq!(code, 6, "{stdout}");
    assert!(
        stdout.contains("### Gate: NO DATA (exit 6): no traces in either window"),
        "{stdout}"
    );
    // Without a gate there is no verdict to show.
    let mut command = tv(shared());
    command.args(["compare", "web-shop", "-o", "markdown"]);
    let (_, stdout, _) = run(command);
    assert!(!stdout.contains("Gate:"), "{stdout}");
}
