//! The gate's table of `tv compare`: its verdict in the title (what the exit code
//! says) and one row per rule with its threshold, the measured value and whether it
//! tripped. Shown in table and Markdown output (a CI job summary) when a gate is set.

use tv_client::math::Comparison;
use tv_client::units::format_duration;
use tv_client::workflow::{CompareResult, Rule, Verdict};

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

/// A latency change: `+12.3% (+4.56 ms)`, `-` when a window has none.
fn latency_change(c: &Comparison) -> String {
    match (c.average_change_fraction, c.average_delta) {
        (Some(f), Some(d)) => {
            let sign = if d < chrono::TimeDelta::zero() {
                "-"
            } else {
                "+"
            };
            let abs = d.abs().to_std().unwrap_or_default();
            format!("{} ({sign}{})", signed_pct(Some(f)), format_duration(abs))
        }
        _ => "-".into(),
    }
}

fn outcome(tripped: bool) -> Cell {
    if tripped {
        Cell::new("FAIL", "fail").toned(Tone::Bad)
    } else {
        Cell::new("pass", "pass").toned(Tone::Good)
    }
}

/// The gate's table, `None` without a gate.
pub fn gate_table(result: &CompareResult) -> Option<Table> {
    let verdict = &result.verdict;
    if !verdict.active {
        return None;
    }
    let rules = &verdict.rules;
    let comparison = &result.comparison;
    let overall = &comparison.overall;
    let tripped = |rule: Rule, layer: Option<&str>| {
        verdict
            .tripped
            .iter()
            .any(|t| t.rule == rule && t.layer.as_deref() == layer)
    };
    let mut rows = Vec::new();
    if let Some(max) = rules.max_slowdown_fraction {
        let floor = format_duration(rules.min_delta);
        rows.push(vec![
            Cell::text("latency"),
            Cell::text(format!("> {} and > {floor} slower", pct(max))),
            Cell::text(latency_change(overall)),
            outcome(tripped(Rule::Latency, None)),
        ]);
        let threshold = format!("> {} and > {floor} slower per call", pct(max));
        let layers = rules.counted_layers(comparison);
        if layers.is_empty() {
            rows.push(vec![
                Cell::text("layer latency"),
                Cell::text(threshold.clone()),
                Cell::text(format!(
                    "no layer with ≥ {} of the time and ≥ {} calls in each window",
                    pct(rules.min_share_fraction),
                    rules.min_calls
                )),
                outcome(false),
            ]);
        }
        for layer in layers {
            rows.push(vec![
                Cell::text(format!("layer {}", layer.layer)),
                Cell::text(threshold.clone()),
                Cell::text(latency_change(&layer.comparison)),
                outcome(tripped(Rule::LayerLatency, Some(&layer.layer))),
            ]);
        }
    }
    if let Some(max) = rules.max_error_increase_fraction {
        let measured = overall
            .error_rate_delta
            .map_or("-".into(), |d| format!("{:+.2} pp", d * 100.0));
        rows.push(vec![
            Cell::text("error rate"),
            Cell::text(format!("> {:.2} pp higher", max * 100.0)),
            Cell::text(measured),
            outcome(tripped(Rule::ErrorRate, None)),
        ]);
    }
    if let Some(max) = rules.max_traffic_drop_fraction {
        let measured = format!(
            "{} → {} traces ({})",
            overall.previous.volume,
            overall.current.volume,
            signed_pct(overall.volume_change_fraction)
        );
        rows.push(vec![
            Cell::text("traffic"),
            Cell::text(format!("> {} fewer traces", pct(max))),
            Cell::text(measured),
            outcome(tripped(Rule::Traffic, None)),
        ]);
    }
    Some(Table {
        title: Some(headline(verdict)),
        // A table for people only (table and Markdown output): CSV writes the first
        // table, so these names are no JSON paths (the JSON has the verdict).
        columns: vec![
            Column::new("rule", "Rule", Align::Left),
            Column::new("threshold", "Trips when", Align::Left),
            Column::new("measured", "Measured", Align::Left),
            Column::new("result", "Result", Align::Left),
        ],
        rows,
    })
}
