//! The peer: python-traceview 0.7.0 (in its venv, [`xtask::python::traceview_venv`]) and
//! the two scripts the bench runs with it. It has no base-URL option: the scripts point
//! its `Api.AUTHORITY` at the sandbox.

use std::path::{Path, PathBuf};

use anyhow::Result;
use xtask::python::{python_prints, traceview_venv};

/// One call of the peer: `latency/{app}/server/summary`, printed as JSON.
const ONE_SHOT: &str = r#"import json, sys
import traceview
base, key, app = sys.argv[1:4]
traceview.api.Api.AUTHORITY = base.rsplit("/api-v2", 1)[0]
tv = traceview.TraceView(key)
json.dump(tv.server.latency_summary(app, time_window="hour"), sys.stdout)
"#;

/// The calls `tv report` makes, as a python-traceview user writes them: the apps, then
/// per app the summary of this window and of the one before, the series, the error
/// rate, the request summary and the by-layer series. The peer's `error_rates` drops
/// its filters (it calls `errors/{app}/rate` without them), so that call goes through
/// its `Api.get` to make the same request as `tv`.
const FAN_OUT: &str = r#"import json, sys
import traceview
base, key, window, end, previous = sys.argv[1:6]
traceview.api.Api.AUTHORITY = base.rsplit("/api-v2", 1)[0]
tv = traceview.TraceView(key)
now = dict(time_window=window, time_end=end)
requests = 1
rows = {}
for app in tv.apps():
    rows[app] = [
        tv.server.latency_summary(app, **now),
        tv.server.latency_summary(app, time_window=window, time_end=previous),
        tv.server.latency_series(app, **now),
        tv._api.get("errors/{0}/rate".format(app), **now),
        tv.total_requests.summary(app, **now),
        tv.server.latency_by_layer(app, **now),
    ]
    requests += 6
json.dump({"apps": len(rows), "requests": requests}, sys.stdout)
"#;

/// A ready peer: the venv's interpreter and the two scripts.
#[derive(Debug, Clone)]
pub struct Peer {
    /// `target/bench/venv/bin/python`.
    pub python: PathBuf,
    /// The one-shot script.
    pub one_shot: PathBuf,
    /// The fan-out script.
    pub fan_out: PathBuf,
    /// `Python 3.x.y, requests a.b.c`.
    pub versions: String,
}

/// Sets up the venv (reused when it already holds the peer) and writes the scripts.
/// `Err` says why the peer cannot run here (no python3, no network for PyPI, …).
pub fn prepare(bench_dir: &Path) -> Result<Peer> {
    let python = traceview_venv(bench_dir)?;
    let scripts = bench_dir.join("py");
    std::fs::create_dir_all(&scripts)?;
    let one_shot = scripts.join("one_shot.py");
    let fan_out = scripts.join("fan_out.py");
    std::fs::write(&one_shot, ONE_SHOT)?;
    std::fs::write(&fan_out, FAN_OUT)?;
    let versions = python_prints(
        &python,
        "import sys, requests; print(f'Python {sys.version.split()[0]}, requests {requests.__version__}')",
    )?;
    Ok(Peer {
        python,
        one_shot,
        fan_out,
        versions,
    })
}
