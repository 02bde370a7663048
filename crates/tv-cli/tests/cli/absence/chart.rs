//! Charts end where the window ends: an annotation in the last slice is drawn.

use crate::common::{run, start, tv};

#[test]
fn the_newest_annotation_is_on_the_chart() {
    let sandbox = start(0.0, &[]);
    let mut command = tv(&sandbox);
    // In the day window's last 15-minute slice (11:45-12:00), after its start.
    command.args([
        "annotate",
        "late deploy",
        "--app",
        "web-shop",
        "--time",
        "5m ago",
    ]);
    assert_eq!(run(command).0, 0);
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("chart.svg");
    let mut command = tv(&sandbox);
    command.args([
        "chart", "web-shop", "--window", "day", "-o", "table", "--plot",
    ]);
    command.arg(&svg).env("COLUMNS", "80");
    let (code, stdout, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("11:55 late deploy"), "{stdout}");
    assert!(
        stdout.contains("2024-01-03 12:00 UTC"),
        "the axis ends at 12:00: {stdout}"
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(
        svg.contains("11:55  late deploy"),
        "not in the SVG's legend"
    );
}
