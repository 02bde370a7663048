//! `cargo xtask proxy-check`: a real client's traffic through a spec-validating proxy.
//!
//! python-traceview 0.7.0 (the bench's venv) makes every call it has — reads, and its
//! writes with all parameters in the query string and an empty body — through
//! `prism proxy --errors` in front of the sandbox. Prism checks each request and each
//! answer against the spec and turns a violation into an error answer, which the
//! library raises; the check fails on any failed call.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::{KEY, Prism, build, elapsed, prism_spec, start_sandbox, tools, work_dir};

/// The calls, as python-traceview's users write them.
const CALLS: &str = "xtask/spec-check/python_traceview_calls.py";

/// Runs the calls through the proxy; `Err` when any failed.
pub fn proxy_check(root: &Path) -> Result<()> {
    let started = Instant::now();
    let dir = work_dir(root)?;
    let prism = tools::prism(&dir)?;
    let python = crate::python::traceview_venv(&root.join("target").join("bench"))
        .context("python-traceview 0.7.0 cannot run here")?;
    let binaries = build(root)?;
    let sandbox = start_sandbox(&binaries, &dir, "proxy")?;
    let spec = prism_spec(root, &dir)?;
    let upstream = sandbox
        .base_url
        .strip_suffix("/api-v2")
        .context("the sandbox's base URL does not end in /api-v2")?
        .to_owned();
    let proxy = Prism::start(
        &prism,
        &["proxy", "--errors", &spec.to_string_lossy(), &upstream],
        dir.join("prism-proxy.log"),
    )?;
    eprintln!(
        "proxy-check: python-traceview 0.7.0 → prism proxy {} (validating) → sandbox {}",
        tools::PRISM,
        sandbox.base_url
    );
    let output = Command::new(&python)
        .current_dir(root)
        .arg(CALLS)
        .args([&proxy.base_url(), KEY])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", python.display()))?;
    let report = String::from_utf8_lossy(&output.stdout);
    let (mut ok, mut failed) = (0, Vec::new());
    for line in report.lines() {
        let Ok(call) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if call["ok"] == true {
            ok += 1;
        } else {
            failed.push(format!("{}: {}", call["call"], call["error"]));
        }
    }
    if !output.status.success() || !failed.is_empty() || ok == 0 {
        for failure in &failed {
            eprintln!("  {failure}");
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        if let Some(last) = stderr.lines().rev().find(|l| !l.trim().is_empty()) {
            eprintln!("  python: {last}");
        }
        bail!(
            "{} of python-traceview's calls failed through the validating proxy ({}); see {}",
            failed.len(),
            output.status,
            proxy.log.display()
        );
    }
    eprintln!(
        "proxy-check: {ok} calls of python-traceview passed the validating proxy, in {}",
        elapsed(started)
    );
    Ok(())
}
