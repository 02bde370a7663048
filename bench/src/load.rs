//! The sandbox's ceiling for a fan-out: the same requests `tv report` makes, replayed
//! by the leanest client there is — a few threads, each with one keep-alive HTTP/1.1
//! connection, writing a request and reading the answer by its `Content-Length`, with
//! no parsing, no TLS, no decoding. What it achieves is as fast as this sandbox serves
//! this mix on this machine; a real client can only come close to it.

use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, ensure};

use xtask::sandbox::exchange;

/// Keep-alive connections of the load loop (as many as the sandbox's own `http` bench).
pub const CONNECTIONS: usize = 8;

/// Sends every path of `paths` once, spread over [`CONNECTIONS`] keep-alive
/// connections (connecting included in the time); every answer must be a 200.
/// Returns the wall time.
pub fn replay(addr: SocketAddr, paths: &Arc<Vec<String>>) -> Result<Duration> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let paths = Arc::clone(paths);
            let next = Arc::clone(&next);
            std::thread::spawn(move || -> Result<()> {
                let mut stream = TcpStream::connect(addr).context("cannot connect")?;
                stream.set_nodelay(true)?;
                stream.set_read_timeout(Some(Duration::from_secs(30)))?;
                let mut buf = Vec::with_capacity(64 * 1024);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else {
                        return Ok(());
                    };
                    let (status, _) = exchange(&mut stream, path, &mut buf)?;
                    ensure!(status == 200, "GET {path}: status {status}");
                }
            })
        })
        .collect();
    for worker in workers {
        worker
            .join()
            .map_err(|_| anyhow!("a load thread panicked"))??;
    }
    Ok(started.elapsed())
}
