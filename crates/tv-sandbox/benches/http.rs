//! Throughput of the sandbox over loopback HTTP/1.1, against a trivial axum handler
//! served the same way in the same run (the ceiling).
//!
//! `cargo bench -p tv-sandbox --bench http` — a small load generator: `CONNECTIONS`
//! concurrent keep-alive connections share a fixed number of requests per run. There
//! are `RUNS` rounds and each round runs every scenario once (interleaved, so a busy
//! moment on a shared machine slows all scenarios alike); the median requests/s per
//! scenario is printed with its share of the trivial handler's. Server and load
//! generator share one tokio runtime with one worker per core, as a loopback client
//! would.
//!
//! Scenarios: `apps`; a week-long server `series` and `by-layer` of `web-shop` (10
//! layers) asked repeatedly (answered from the memo after the first), and the same with
//! a different `time_end` on every request (computed and serialized every time).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;
use tv_sandbox::server::{SandboxConfig, start};

const CONNECTIONS: usize = 8;
const RUNS: usize = 5;
const NOW: i64 = tv_sandbox::server::FROZEN_NOW;

/// The ceiling: a handler that answers a constant envelope, served by a plain hyper loop
/// with the sandbox's connection settings (HTTP/1.1, keep-alive, no Nagle).
async fn serve_trivial() -> io::Result<SocketAddr> {
    async fn trivial() -> Response {
        let mut r = Response::new(Body::from(r#"{"data":true,"response":"ok"}"#));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    }
    let router = Router::new().route("/trivial", get(trivial));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            let router = router.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: hyper::Request<_>| {
                    router.clone().oneshot(req.map(Body::new))
                });
                let _ = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads one response; returns its status.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<u16> {
    buf.clear();
    let head_end = loop {
        if let Some(pos) = find(buf, b"\r\n\r\n") {
            break pos + 4;
        }
        if stream.read_buf(buf).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        if stream.read_buf(buf).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    Ok(status)
}

/// One connection sending requests until the shared budget is spent; request `i` uses
/// `paths[i % paths.len()]`, `i` counting on from `next`'s start.
async fn connection(
    addr: SocketAddr,
    paths: Arc<Vec<String>>,
    next: Arc<AtomicUsize>,
    end: usize,
) -> io::Result<()> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(64 * 1024);
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= end {
            return Ok(());
        }
        let path = &paths[i % paths.len()];
        let request = format!("GET {path} HTTP/1.1\r\nhost: bench\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let status = read_response(&mut stream, &mut buf).await?;
        if status != 200 {
            return Err(io::Error::other(format!("{path}: status {status}")));
        }
    }
}

/// Requests per second of one run of `total` requests, numbered from `start`.
async fn run(
    addr: SocketAddr,
    paths: &Arc<Vec<String>>,
    start: usize,
    total: usize,
) -> io::Result<f64> {
    let next = Arc::new(AtomicUsize::new(start));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        tasks.push(tokio::spawn(connection(
            addr,
            Arc::clone(paths),
            Arc::clone(&next),
            start + total,
        )));
    }
    for t in tasks {
        t.await.map_err(io::Error::other)??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

struct Scenario {
    name: &'static str,
    addr: SocketAddr,
    paths: Arc<Vec<String>>,
    requests: usize,
}

async fn bench() -> io::Result<()> {
    let trivial = serve_trivial().await?;
    let sandbox = start(SandboxConfig {
        now: Some(NOW),
        ..SandboxConfig::demo()
    })
    .await
    .map_err(io::Error::other)?;
    let addr = sandbox.local_addr();
    let api = "/api-v2";
    let key = "key=sandbox";
    let one = |p: String| Arc::new(vec![p]);
    let distinct = |endpoint: &str, n: usize| {
        Arc::new(
            (0..n)
                .map(|i| {
                    let end = NOW - 7200 * i as i64;
                    format!("{api}/latency/web-shop/server/{endpoint}?{key}&time_window=week&time_end={end}")
                })
                .collect::<Vec<_>>(),
        )
    };
    let week = |endpoint: &str| {
        one(format!(
            "{api}/latency/web-shop/server/{endpoint}?{key}&time_window=week"
        ))
    };
    let scenarios = [
        Scenario {
            name: "trivial axum handler",
            addr: trivial,
            paths: one("/trivial".into()),
            requests: 40_000,
        },
        Scenario {
            name: "apps",
            addr,
            paths: one(format!("{api}/apps?{key}")),
            requests: 40_000,
        },
        Scenario {
            name: "series week (repeated)",
            addr,
            paths: week("series"),
            requests: 40_000,
        },
        Scenario {
            name: "by-layer week (repeated)",
            addr,
            paths: week("by-layer"),
            requests: 40_000,
        },
        Scenario {
            name: "series week (new time_end)",
            addr,
            paths: distinct("series", 10_000),
            requests: 10_000,
        },
        Scenario {
            name: "by-layer week (new time_end)",
            addr,
            paths: distinct("by-layer", 4_000),
            requests: 4_000,
        },
    ];
    println!(
        "{CONNECTIONS} keep-alive connections, {RUNS} rounds (each runs every scenario once, \
         so a busy moment on a shared machine hits all alike), {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    // Warm-up; with one path per request (the "new time_end" scenarios) no request of a
    // later run repeats an earlier one, so none is memoized.
    let warm_up = |s: &Scenario| s.requests.min(2_000);
    for s in &scenarios {
        run(s.addr, &s.paths, 0, warm_up(s)).await?;
    }
    let mut rates = vec![Vec::with_capacity(RUNS); scenarios.len()];
    for r in 0..RUNS {
        for (s, rates) in scenarios.iter().zip(rates.iter_mut()) {
            rates.push(run(s.addr, &s.paths, warm_up(s) + r * s.requests, s.requests).await?);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ceiling = median(&mut rates[0]);
    println!(
        "{:<30} {:>12} {:>12} {:>12} {:>10}",
        "scenario", "median req/s", "min", "max", "vs trivial"
    );
    for (s, rates) in scenarios.iter().zip(rates.iter_mut()) {
        let m = median(rates);
        println!(
            "{:<30} {:>12.0} {:>12.0} {:>12.0} {:>9.0}%",
            s.name,
            m,
            rates[0],
            rates[RUNS - 1],
            100.0 * m / ceiling
        );
    }
    memo_rss(addr).await?;
    sandbox.shutdown().await;
    Ok(())
}

/// The resident set of this process (server and load generator), in MiB (Linux).
fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// 100,000 distinct requests, each with a new 7 KiB `url=` filter (a new memo key of
/// over 7 KiB every time), and the process's RSS before and after: the memo's byte
/// budget (keys counted) keeps it flat.
async fn memo_rss(addr: SocketAddr) -> io::Result<()> {
    const DISTINCT: usize = 100_000;
    let filler = "x".repeat(7 * 1024);
    let paths: Arc<Vec<String>> = Arc::new(
        (0..1_000)
            .map(|i| {
                format!("/api-v2/latency/web-shop/server/series?key=sandbox&url=/{i}/{filler}")
            })
            .collect(),
    );
    let before = rss_mib();
    // Each run's paths get a distinct prefix number, so no request repeats a key.
    let started = Instant::now();
    for round in 0..DISTINCT / paths.len() {
        let unique: Arc<Vec<String>> = Arc::new(
            paths
                .iter()
                .map(|p| p.replacen("url=/", &format!("url=/{round}-"), 1))
                .collect(),
        );
        run(addr, &unique, 0, unique.len()).await?;
    }
    let after = rss_mib();
    let show = |m: Option<f64>| m.map_or_else(|| "?".to_owned(), |m| format!("{m:.0} MiB"));
    println!(
        "memo: {DISTINCT} distinct requests with 7 KiB url= filters in {:.1} s; RSS before {}, after {} (memo budget 32 MiB, keys counted)",
        started.elapsed().as_secs_f64(),
        show(before),
        show(after)
    );
    Ok(())
}

fn main() -> io::Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too: keep it cheap
    // there by doing nothing unless benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(bench())
}
