//! `tv export graphite` and `tv exporter --statsd` with the real things: Debian's
//! carbon-cache (graphite-carbon) on loopback with a throw-away config, read back with
//! whisper-fetch (python3-whisper); the statsd daemon from npm (`statsd`). Run by
//! `cargo xtask integration` (`-- --ignored`); without the tools they fail, never skip.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Guard, KEY, free_port, run, tv};

/// How long a daemon may take to start, or carbon to write what it received.
const LIMIT: Duration = Duration::from_secs(60);

/// Waits until something accepts connections on 127.0.0.1:`port`.
fn wait_for_port(port: u16, daemon: &mut Guard) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = daemon.0.try_wait() {
            panic!("the daemon exited: {status}");
        }
        assert!(started.elapsed() < LIMIT, "nothing on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// carbon-cache in the foreground under `dir`: a 30 s step kept 3 days, plaintext on
/// the returned port.
fn carbon(dir: &std::path::Path) -> (Guard, u16) {
    let carbon = crate::common::tool(
        "carbon-cache",
        "Debian's graphite-carbon package (apt-get install -y graphite-carbon)",
    );
    let (line, pickle, query) = (free_port(), free_port(), free_port());
    let d = dir.display();
    let config = format!(
        "[cache]\nSTORAGE_DIR = {d}/storage\nLOCAL_DATA_DIR = {d}/storage/whisper\n\
         WHITELISTS_DIR = {d}/storage/lists\nCONF_DIR = {d}\nLOG_DIR = {d}/log\n\
         PID_DIR = {d}\nUSER =\nENABLE_LOGROTATION = False\nMAX_CACHE_SIZE = inf\n\
         MAX_UPDATES_PER_SECOND = inf\nMAX_CREATES_PER_MINUTE = inf\n\
         LINE_RECEIVER_INTERFACE = 127.0.0.1\nLINE_RECEIVER_PORT = {line}\n\
         ENABLE_UDP_LISTENER = False\nPICKLE_RECEIVER_INTERFACE = 127.0.0.1\n\
         PICKLE_RECEIVER_PORT = {pickle}\nCACHE_QUERY_INTERFACE = 127.0.0.1\n\
         CACHE_QUERY_PORT = {query}\n"
    );
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    };
    write("carbon.conf", &config);
    write(
        "storage-schemas.conf",
        "[everything]\npattern = .*\nretentions = 30s:3d\n",
    );
    let child = Command::new(carbon)
        .arg(format!("--config={d}/carbon.conf"))
        .args(["--nodaemon", "start"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut guard = Guard(child);
    wait_for_port(line, &mut guard);
    (guard, line)
}

/// The non-null points of a whisper file from `from` to `until` (epoch seconds), read
/// with whisper-fetch's JSON output (value i is at start + i × step).
fn whisper_points(file: &std::path::Path, from: i64, until: i64) -> Vec<(i64, f64)> {
    let fetch = crate::common::tool(
        "whisper-fetch",
        "Debian's python3-whisper package (apt-get install -y python3-whisper)",
    );
    let output = Command::new(fetch)
        .args([
            "--json",
            &format!("--from={from}"),
            &format!("--until={until}"),
        ])
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    if !output.status.success() {
        return Vec::new();
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let (Some(start), Some(step), Some(values)) = (
        json["start"].as_i64(),
        json["step"].as_i64(),
        json["values"].as_array(),
    ) else {
        panic!(
            "whisper-fetch said {}",
            String::from_utf8_lossy(&output.stdout)
        )
    };
    (0i64..)
        .zip(values)
        .filter_map(|(i, v)| Some((start + i * step, v.as_f64()?)))
        .collect()
}

#[test]
#[ignore = "real tool: carbon-cache, whisper-fetch; run by cargo xtask integration"]
fn carbon_cache_stores_what_the_openmetrics_export_has() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (_carbon, port) = carbon(dir.path());
    // Whisper keeps points younger than its retention by the wall clock, so this
    // sandbox's now is the last full hour (steps line up with whisper's 30 s).
    let wall = chrono::Utc::now().timestamp();
    let now = wall - wall % 3600;
    let (sandbox, _) = crate::common::start_with(|config| config.now = Some(now));
    let range = ["web-shop", "--since", "2d", "--until", "now"];

    let mut command = tv(&sandbox);
    command.args(["export", "openmetrics"]).args(range);
    let (code, openmetrics, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");
    let expected = crate::common::openmetrics_samples(&openmetrics, "web-shop");
    assert_eq!(expected.len(), 4, "four families");

    let mut command = tv(&sandbox);
    command.args(["export", "graphite"]).args(range);
    command.args(["--prefix", "tv.it", "--to", &format!("127.0.0.1:{port}")]);
    let (code, _, stderr) = run(command);
    assert_eq!(code, 0, "{stderr}");

    let whisper = dir.path().join("storage/whisper/tv/it/web-shop");
    // From just before the oldest sample: a 2 h slice may start before --since.
    let oldest = expected.values().flatten().map(|(at, _)| *at).min();
    let from = oldest.unwrap_or(now - 2 * 86_400) - 60;
    for (leaf, samples) in &expected {
        let file = whisper.join(format!("{leaf}.wsp"));
        // carbon writes what it received in the background: wait for every point.
        let started = Instant::now();
        let stored = loop {
            let stored = whisper_points(&file, from, wall);
            if stored.len() >= samples.len() {
                break stored;
            }
            let missing: Vec<&(i64, f64)> = samples
                .iter()
                .filter(|(at, _)| !stored.iter().any(|(s, _)| s == at))
                .collect();
            assert!(
                started.elapsed() < LIMIT,
                "{leaf}: {} of {} points stored; missing {missing:?} (now {now})",
                stored.len(),
                samples.len()
            );
            std::thread::sleep(Duration::from_millis(250));
        };
        assert_eq!(stored.len(), samples.len(), "{leaf}");
        for ((at, value), (stored_at, stored_value)) in samples.iter().zip(&stored) {
            assert_eq!(at, stored_at, "{leaf}");
            // Whisper keeps IEEE doubles; allow for a decimal round trip.
            assert!(
                (value - stored_value).abs() <= 1e-12 * value.abs().max(1.0),
                "{leaf} at {at}: {value} exported, {stored_value} stored"
            );
        }
    }
}

/// A management command's answer (`gauges`, `timers`): the daemon's `util.inspect`
/// text up to `END`.
fn management(port: u16, command: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
    let _ = stream.set_read_timeout(Some(LIMIT));
    writeln!(stream, "{command}").unwrap_or_else(|e| panic!("{e}"));
    let mut text = String::new();
    let mut buffer = [0u8; 65_536];
    while !text.contains("END\n") {
        let size = stream.read(&mut buffer).unwrap_or_else(|e| panic!("{e}"));
        assert!(size > 0, "the daemon closed after {text:?}");
        text.push_str(&String::from_utf8_lossy(&buffer[..size]));
    }
    text
}

/// The `'name': value` pairs of an inspected object (a timer's value is its first
/// sample: `'name': [ 12.5 ]`).
fn inspected(text: &str) -> std::collections::BTreeMap<String, f64> {
    let mut out = std::collections::BTreeMap::new();
    let parts: Vec<&str> = text.split('\'').collect();
    for pair in parts[1..].chunks(2) {
        let [name, rest] = pair else { continue };
        let value = rest
            .trim_start_matches([':', ' ', '['])
            .split([',', ' ', '\n', ']', '}'])
            .next()
            .unwrap_or_default();
        if let Ok(value) = value.parse() {
            out.insert((*name).to_string(), value);
        }
    }
    out
}

#[test]
#[ignore = "real tool: statsd (npm); run by cargo xtask integration"]
fn the_statsd_daemon_holds_the_scraped_values() {
    let daemon = crate::common::tool(
        "statsd",
        "the statsd daemon from npm (npm install statsd@0.9.0)",
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (port, management_port) = (free_port(), free_port());
    let config = dir.path().join("statsd.js");
    std::fs::write(
        &config,
        format!(
            "{{ port: {port}, address: \"127.0.0.1\", mgmt_port: {management_port}, \
             mgmt_address: \"127.0.0.1\", backends: [], flushInterval: 3600000 }}\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let child = Command::new(daemon)
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut guard = Guard(child);
    wait_for_port(management_port, &mut guard);

    let sandbox = crate::common::shared();
    let target = format!("127.0.0.1:{port}");
    let (_exporter, address) =
        crate::common::exporter(sandbox, KEY, &["--app", "billing-api", "--statsd", &target]);
    let mut stream = TcpStream::connect(&address).unwrap_or_else(|e| panic!("{e}"));
    let _ = stream.set_read_timeout(Some(LIMIT));
    write!(stream, "GET /metrics HTTP/1.0\r\n\r\n").unwrap_or_else(|e| panic!("{e}"));
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .unwrap_or_else(|e| panic!("{e}"));
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let expected = crate::common::statsd_gauges(body, "traceview");
    assert!(expected.len() > 10, "{expected:?}");

    let started = Instant::now();
    let gauges = loop {
        let gauges: std::collections::BTreeMap<String, f64> =
            inspected(&management(management_port, "gauges"))
                .into_iter()
                .filter(|(name, _)| name.starts_with("traceview."))
                .collect();
        if gauges.len() >= expected.len() {
            break gauges;
        }
        assert!(started.elapsed() < LIMIT, "only {gauges:?} arrived");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(gauges, expected);
    let timers = inspected(&management(management_port, "timers"));
    assert!(
        timers
            .get("traceview.collect_duration")
            .is_some_and(|ms| *ms > 0.0),
        "{timers:?}"
    );
}
