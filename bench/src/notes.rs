//! The method notes under the tables: how each figure was taken.

use super::report::{self, Report};
use super::scenarios::{self, Measured};
use super::{APPS, LATENCY, Tools, aiohttp, fan_out, load, remote, scale};

/// The notes of `report`; `floor` is the spawner's own RSS floor (`true` measured the
/// same way), `total_s` the whole run's wall time.
pub fn notes(report: &Report, tools: &Tools, floor: Option<u64>, total_s: f64) -> Vec<String> {
    let rows = || {
        report
            .scenarios
            .iter()
            .chain(report.scale.iter().map(|s| &s.scenario))
            .chain(report.remote.iter().map(|r| &r.scenario))
            .flat_map(|s| &s.rows)
    };
    let lowest = rows()
        .flat_map(|r: &Measured| &r.samples)
        .filter_map(|s| s.max_rss_kib)
        .min();
    let floor = match (floor, lowest) {
        (Some(floor), Some(lowest)) if floor < lowest => format!(
            "; the spawner's floor (`true` measured the same way) was {}, below every figure",
            report::megabytes(floor)
        ),
        (Some(floor), _) => format!(
            "; **the spawner's floor (`true` measured the same way) was {}: figures at or \
             below it are the floor, not the contender**",
            report::megabytes(floor)
        ),
        (None, _) => String::new(),
    };
    let mut notes = vec![
        format!(
            "The whole run took {}. Wall time: from spawning the process to reaping it. \
             Peak RSS: the child's own `ru_maxrss` from `wait4(2)`, highest of the runs \
             (Linux counts the parent's high-water mark into a child's across `exec`{floor}).",
            report::duration(total_s)
        ),
        format!(
            "Sandbox: release `tv-sandbox --apps N --now {}` on 127.0.0.1 with its default \
             answer memo, a fresh one per size; every contender asks the same URLs. The \
             one-shot and the first fan-outs use {APPS} apps.",
            scenarios::NOW
        ),
        format!(
            "Ceiling: the fan-out's GETs replayed by tv-bench over {} keep-alive HTTP/1.1 \
             connections (threads, no parsing). \"Half the ceiling\" compares tv's requests/s \
             (its requests ÷ its whole wall time, process start and output included) with the \
             ceiling's.",
            load::CONNECTIONS
        ),
        format!(
            "Fan-out with {LATENCY}: a second sandbox holds every answer {LATENCY} \
             (`--latency {LATENCY}`), a server next door rather than on the same cores; the \
             targets are judged on the fan-out without it."
        ),
        format!(
            "At scale: sizes above {} apps run {} times per contender (aiohttp {}) after one \
             warm-up run of tv only; python-traceview runs up to {} apps. Sandbox start-up: the median of {} starts, from spawning it to its \
             base URL on stdout (printed once it listens) and to its first `GET /apps` \
             answer. Its peak RSS is `VmHWM` (`/proc/PID/status`) after every fan-out run; \
             its CPU per request is the CPU time its threads spent during the ceiling's \
             replays (`/proc/PID/task/*/schedstat`, in ns; `utime + stime` of \
             `/proc/PID/stat`, in 10 ms ticks, where that is missing) ÷ the requests \
             replayed.",
            report::thousands(super::options::LARGE as u64),
            super::options::LARGE_RUNS,
            match super::options::LARGE_AIOHTTP_RUNS {
                1 => "once".to_owned(),
                n => format!("{n} times"),
            },
            scale::PYTHON_MAX_APPS,
            scale::STARTS
        ),
        format!(
            "Remote server: a {}-app sandbox holding every answer the given delay; \
             \"bound\" is the least a client can take at that concurrency: (1 + ⌈apps ÷ \
             concurrency⌉) × the delay (the apps call, then one round per batch of apps, \
             each app's six calls at once); one warm-up run of tv at its default.",
            remote::APPS
        ),
    ];
    match &tools.aiohttp {
        Ok(peer) => notes.push(format!(
            "{} ({}): `target/bench/py/aiohttp_fan_out.py`, one `ClientSession` with a \
             `TCPConnector(limit=6 × concurrency)`, `asyncio.Semaphore({})` over the apps, \
             each app's six calls at once with `gather`; it decodes every answer and \
             computes the row's numbers (error rate weighted by volume, top layer, change) \
             and prints the rows as JSON, as `tv --output json report` does.",
            aiohttp::NAME,
            peer.versions,
            fan_out::AIOHTTP_CONCURRENCY
        )),
        Err(why) => notes.push(format!("{} not measured: {why}", aiohttp::NAME)),
    }
    match &tools.peer {
        Ok(peer) => notes.push(format!(
            "python-traceview 0.7.0 (`pip install --no-deps`) with {}; it opens a new \
             connection per call (module-level `requests.get`) and does no math. Its \
             `error_rates()` drops its filters, so the loop calls `errors/{{app}}/rate` \
             through its `Api.get` to ask the same as tv.",
            peer.versions
        )),
        Err(why) => notes.push(format!("python-traceview not measured: {why}")),
    }
    notes
}
