//! The gate's table of `tv compare`: its verdict in the title (what the exit code
//! says) and one row per check of the verdict (`verdict.checks`, the numbers the JSON
//! carries; the severe-layer rule's passing layers share one row) with its threshold,
//! the measured value and whether it tripped (`pass`, `FAIL`, or `no data` when nothing
//! could be measured). Shown in table and Markdown output (a CI job summary) when a
//! gate is set.

use tv_client::units::format_duration;
use tv_client::workflow::{CompareResult, Outcome, Rule, RuleCheck, Verdict};

use crate::exit::Exit;
use crate::render::{Align, Cell, Column, Table, Tone};

/// The exit code a verdict gives.
pub fn exit_of(verdict: &Verdict) -> Exit {
    if !verdict.active || verdict.passed() {
        Exit::Ok
    } else if verdict.tripped.is_empty() {
        Exit::NoData
    } else {
        Exit::Regression
    }
}

/// The verdict in a few words, with the exit code.
fn headline(verdict: &Verdict) -> String {
    match exit_of(verdict) {
        Exit::NoData => format!(
            "Gate: NO DATA (exit {}): no traces in either window, nothing to judge",
            Exit::NoData.code()
        ),
        Exit::Regression => {
            let n = verdict.tripped.len();
            format!(
                "Gate: FAIL (exit {}): {n} rule{} tripped",
                Exit::Regression.code(),
                if n == 1 { "" } else { "s" }
            )
        }
        _ => "Gate: PASS (exit 0): no rule tripped".to_string(),
    }
}

fn pct(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

fn signed_pct(fraction: Option<f64>) -> String {
    fraction.map_or("-".into(), |f| format!("{:+.1}%", f * 100.0))
}

/// A change of a latency: `+4.56 ms`, `-1.20 ms`.
fn signed_delta(d: chrono::TimeDelta) -> String {
    let sign = if d < chrono::TimeDelta::zero() {
        "-"
    } else {
        "+"
    };
    format!(
        "{sign}{}",
        format_duration(d.abs().to_std().unwrap_or_default())
    )
}

/// A latency change: `+12.3% (+4.56 ms)`, `-` when a window has none.
fn latency_change(fraction: Option<f64>, delta: Option<chrono::TimeDelta>) -> String {
    match (fraction, delta) {
        (Some(f), Some(d)) => format!("{} ({})", signed_pct(Some(f)), signed_delta(d)),
        _ => "-".into(),
    }
}

fn outcome(outcome: Outcome) -> Cell {
    match outcome {
        Outcome::Fail => Cell::new("FAIL", "fail").toned(Tone::Bad),
        Outcome::Pass => Cell::new("pass", "pass").toned(Tone::Good),
        Outcome::NotMeasured => Cell::new("no data", "not_measured").toned(Tone::Dim),
    }
}

/// One row of the gate table: the check's rule, threshold, measurement and outcome,
/// in words (the numbers are the verdict's, `verdict.checks` in the JSON).
/// The latency rows leave out the `--min-delta` floor they share (a note says it), so
/// that the table fits 80 columns.
fn row(check: &RuleCheck) -> Vec<Cell> {
    let max = check.threshold_fraction;
    let layer = || {
        check
            .layer
            .as_deref()
            .map_or("layer latency".to_string(), |l| format!("layer {l}"))
    };
    let (name, threshold) = match check.rule {
        Rule::Latency => ("latency".to_string(), format!("> {} slower", pct(max))),
        Rule::LayerLatency => (layer(), format!("> {} per call", pct(max))),
        Rule::SevereLayerLatency => (layer(), format!("> {}× per call", max + 1.0)),
        Rule::ErrorRate => (
            "error rate".into(),
            format!("> {:.2} pp higher", max * 100.0),
        ),
        Rule::Traffic => ("traffic".into(), format!("> {} fewer traces", pct(max))),
    };
    let measured = match check.rule {
        // The row that says no layer counted.
        Rule::LayerLatency if check.layer.is_none() => check.note.clone().unwrap_or_default(),
        Rule::Latency | Rule::LayerLatency => {
            latency_change(check.measured_fraction, check.measured_delta)
        }
        Rule::SevereLayerLatency => match (check.measured_fraction, check.measured_delta) {
            (Some(f), Some(d)) => format!("{:.1}× ({})", f + 1.0, signed_delta(d)),
            _ => "-".into(),
        },
        Rule::ErrorRate => check
            .measured_fraction
            .map_or("-".into(), |d| format!("{:+.2} pp", d * 100.0)),
        Rule::Traffic => format!(
            "{} → {} traces ({})",
            check.previous_volume.unwrap_or(0),
            check.current_volume.unwrap_or(0),
            signed_pct(check.measured_fraction)
        ),
    };
    vec![
        Cell::text(name),
        Cell::text(threshold),
        Cell::text(measured),
        outcome(check.outcome),
    ]
}

/// The gate's table, `None` without a gate: one row per check of the verdict.
pub fn gate_table(result: &CompareResult) -> Option<Table> {
    let verdict = &result.verdict;
    if !verdict.active {
        return None;
    }
    Some(Table {
        title: Some(headline(verdict)),
        // A table for people only (table and Markdown output): CSV writes the first
        // table, so these names are no JSON paths (the JSON has the verdict's checks).
        columns: vec![
            Column::new("rule", "Rule", Align::Left),
            Column::new("threshold", "Trips when", Align::Left),
            Column::new("measured", "Measured", Align::Left),
            Column::new("result", "Result", Align::Left),
        ],
        rows: rows(&verdict.checks),
    })
}

/// The rows of `checks`: one each, except that the severe rule's passing layers (most
/// layers, most of the time) share one row naming the slowest of them; its failing
/// and unmeasured layers keep a row each.
fn rows(checks: &[RuleCheck]) -> Vec<Vec<Cell>> {
    let quiet = |c: &&RuleCheck| c.rule == Rule::SevereLayerLatency && c.outcome == Outcome::Pass;
    let passing: Vec<&RuleCheck> = checks.iter().filter(quiet).collect();
    let mut rows = Vec::new();
    let mut summarized = false;
    for check in checks {
        if !quiet(&check) {
            rows.push(row(check));
        } else if !summarized {
            summarized = true;
            rows.push(severe_summary(&passing));
        }
    }
    rows
}

/// One row for the severe rule's passing layers: how many, and the slowest of them
/// (`9 other layers | > 3× per call | mongodb 1.5× (+3.34 ms) | pass`).
fn severe_summary(passing: &[&RuleCheck]) -> Vec<Cell> {
    let change = |c: &RuleCheck| c.measured_fraction.unwrap_or(f64::MIN);
    let Some(slowest) = passing
        .iter()
        .max_by(|a, b| change(a).total_cmp(&change(b)))
    else {
        return Vec::new();
    };
    let mut cells = row(slowest);
    let n = passing.len();
    let name = slowest.layer.as_deref().unwrap_or_default();
    cells[0] = Cell::text(if n == 1 {
        "1 other layer".to_string()
    } else {
        format!("{n} other layers")
    });
    cells[2] = Cell::text(format!("{name} {}", cells[2].human));
    cells
}
