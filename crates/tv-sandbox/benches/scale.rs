//! The sandbox at scale: start-up, memory and per-request CPU of the release binary at
//! 1,000 and 10,000 apps, serving the `tv report` fan-out (`GET apps`, then per app the
//! six GETs of `tv report`), as `cargo xtask bench` replays it.
//!
//! `cargo bench -p tv-sandbox --bench scale` — for each app count, `ROUNDS` times
//! (interleaved, so a busy moment on a shared machine hits all alike): start
//! `tv-sandbox --apps N --now 2024-01-03T12:00:00Z` on a free loopback port, time until
//! it prints its base URL (start-up), replay the fan-out twice over `CONNECTIONS`
//! keep-alive connections (the first pass computes every answer; the second is what a
//! repeated run sees: at these sizes the answers exceed the memo, so it computes too),
//! and read the server's own CPU time (`/proc/PID/stat` utime + stime, before/after
//! each pass) and peak RSS (`VmHWM`). Prints the medians and the 10k/1k ratios.
//! Linux only (reads `/proc`); elsewhere it prints nothing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const APP_COUNTS: [usize; 2] = [1_000, 10_000];
const ROUNDS: usize = 3;
const CONNECTIONS: usize = 8;
const NOW: i64 = tv_sandbox::server::FROZEN_NOW;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// One keep-alive GET; the status (the body is read by its `Content-Length`).
fn exchange(stream: &mut TcpStream, path: &str, buf: &mut Vec<u8>) -> Result<(u16, usize)> {
    stream.write_all(format!("GET {path} HTTP/1.1\r\nhost: bench\r\n\r\n").as_bytes())?;
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err("closed before the head".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status: u16 = head.get(9..12).ok_or("no status")?.parse()?;
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .ok_or("no content-length")?
        .trim()
        .parse()?;
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err("closed inside the body".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok((status, head_end))
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .ok_or("bad stat")?
        .1
        .split(' ')
        .collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    // `/proc` counts in USER_HZ, 100 per second on Linux whatever the kernel's HZ.
    Ok(ticks / 100.0)
}

/// A `/proc/PID/status` field in MiB (`VmHWM`, `VmRSS`).
fn status_mib(pid: u32, field: &str) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .ok_or("no such field")?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kb / 1024.0)
}

struct Server {
    child: Child,
    addr: SocketAddr,
    startup: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(apps: usize) -> Result<Server> {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tv-sandbox"))
        .args(["--bind", "127.0.0.1:0", "--now", "2024-01-03T12:00:00Z"])
        .args(["--apps", &apps.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut out = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut line = String::new();
    out.read_line(&mut line)?;
    let startup = started.elapsed();
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let addr = line
        .trim()
        .strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .ok_or("no base URL")?
        .parse()?;
    Ok(Server {
        child,
        addr,
        startup,
    })
}

/// The fan-out of `tv report --end NOW` over the server's apps.
fn report_paths(server: &Server) -> Result<Vec<String>> {
    let mut stream = TcpStream::connect(server.addr)?;
    let mut buf = Vec::new();
    let (status, head) = exchange(&mut stream, "/api-v2/apps?key=sandbox", &mut buf)?;
    if status != 200 {
        return Err(format!("apps: {status}").into());
    }
    let value: serde_json::Value = serde_json::from_slice(&buf[head..])?;
    let apps = value["data"].as_array().ok_or("no app list")?;
    let q = |end: i64| format!("time_end={end}&time_window=hour&key=sandbox");
    let mut paths = vec!["/api-v2/apps?key=sandbox".to_owned()];
    for app in apps {
        let a = app.as_str().ok_or("an app name")?;
        paths.push(format!("/api-v2/latency/{a}/server/summary?{}", q(NOW)));
        paths.push(format!(
            "/api-v2/latency/{a}/server/summary?{}",
            q(NOW - 3_600)
        ));
        paths.push(format!("/api-v2/latency/{a}/server/series?{}", q(NOW)));
        paths.push(format!("/api-v2/errors/{a}/rate?{}", q(NOW)));
        paths.push(format!("/api-v2/total_requests/{a}/summary?{}", q(NOW)));
        paths.push(format!("/api-v2/latency/{a}/server/by-layer?{}", q(NOW)));
    }
    Ok(paths)
}

/// Replays every path once over [`CONNECTIONS`] connections; the wall time.
fn replay(addr: SocketAddr, paths: &Arc<Vec<String>>) -> Result<Duration> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (paths, next) = (Arc::clone(paths), Arc::clone(&next));
            std::thread::spawn(move || -> std::result::Result<(), String> {
                let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
                stream.set_nodelay(true).map_err(|e| e.to_string())?;
                let mut buf = Vec::with_capacity(64 * 1024);
                while let Some(path) = paths.get(next.fetch_add(1, Ordering::Relaxed)) {
                    match exchange(&mut stream, path, &mut buf) {
                        Ok((200, _)) => {}
                        Ok((status, _)) => return Err(format!("{path}: {status}")),
                        Err(e) => return Err(format!("{path}: {e}")),
                    }
                }
                Ok(())
            })
        })
        .collect();
    for w in workers {
        w.join().map_err(|_| "a load thread panicked")??;
    }
    Ok(started.elapsed())
}

#[derive(Default)]
struct Figures {
    startup_ms: Vec<f64>,
    rss_start_mib: Vec<f64>,
    hwm_mib: Vec<f64>,
    wall_ms: [Vec<f64>; 2],
    cpu_us_per_request: [Vec<f64>; 2],
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn round(apps: usize, figures: &mut Figures) -> Result<()> {
    let server = start(apps)?;
    let pid = server.child.id();
    figures.startup_ms.push(server.startup.as_secs_f64() * 1e3);
    figures.rss_start_mib.push(status_mib(pid, "VmRSS:")?);
    let paths = Arc::new(report_paths(&server)?);
    for pass in 0..2 {
        let before = cpu_seconds(pid)?;
        let wall = replay(server.addr, &paths)?;
        let cpu = cpu_seconds(pid)? - before;
        figures.wall_ms[pass].push(wall.as_secs_f64() * 1e3);
        figures.cpu_us_per_request[pass].push(cpu * 1e6 / paths.len() as f64);
    }
    figures.hwm_mib.push(status_mib(pid, "VmHWM:")?);
    Ok(())
}

fn bench() -> Result<()> {
    println!(
        "release tv-sandbox, {CONNECTIONS} keep-alive connections, {ROUNDS} interleaved rounds, {} cores; medians",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut all: Vec<Figures> = APP_COUNTS.iter().map(|_| Figures::default()).collect();
    for _ in 0..ROUNDS {
        for (apps, figures) in APP_COUNTS.iter().zip(all.iter_mut()) {
            round(*apps, figures)?;
        }
    }
    println!(
        "{:>7} {:>9} {:>10} {:>10} {:>9} {:>13} {:>9} {:>13}",
        "apps",
        "requests",
        "start-up",
        "RSS ready",
        "peak RSS",
        "pass 1 wall",
        "CPU/req",
        "pass 2 wall"
    );
    for (apps, f) in APP_COUNTS.iter().zip(&all) {
        println!(
            "{apps:>7} {:>9} {:>8.0}ms {:>7.0}MiB {:>6.0}MiB {:>11.0}ms {:>7.1}µs {:>11.0}ms ({:.1} µs CPU/req)",
            1 + 6 * apps,
            median(&f.startup_ms),
            median(&f.rss_start_mib),
            median(&f.hwm_mib),
            median(&f.wall_ms[0]),
            median(&f.cpu_us_per_request[0]),
            median(&f.wall_ms[1]),
            median(&f.cpu_us_per_request[1]),
        );
    }
    let (small, large) = (&all[0], &all[all.len() - 1]);
    println!(
        "CPU per request, {} vs {} apps: {:.2}x (pass 1), {:.2}x (pass 2)",
        APP_COUNTS[APP_COUNTS.len() - 1],
        APP_COUNTS[0],
        median(&large.cpu_us_per_request[0]) / median(&small.cpu_us_per_request[0]),
        median(&large.cpu_us_per_request[1]) / median(&small.cpu_us_per_request[1]),
    );
    Ok(())
}

fn main() -> Result<()> {
    // `cargo test --benches` runs this too: only work when benchmarking, on Linux.
    if !std::env::args().any(|a| a == "--bench") || !cfg!(target_os = "linux") {
        return Ok(());
    }
    bench()
}
