//! The accept loop and the connections: HTTP/1.1 with keep-alive on hyper, a deadline
//! for the headers (the body's is in the front middleware) against slow and idle
//! clients, a cap on open connections (over it a client gets `503` and the connection
//! is closed, so the process never runs out of descriptors), half-closed connections
//! answered (a client that shuts its sending side after the request, as `nc -N` does,
//! still gets its answer), the `reset` fault (the connection is dropped with a TCP RST
//! and no answer), and a graceful shutdown that lets in-flight answers finish for a
//! bounded time.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::envelope;
use super::limits::Limits;
use super::sandbox::{Sandbox, stopped};

/// How long a graceful shutdown waits for in-flight answers before dropping them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// At most this many refusals (`503` to a client over the connection cap) are being
/// written at once; past it a new connection is closed without an answer.
const MAX_REFUSALS: usize = 16;

/// How long a refusal waits for the client's request before closing.
const REFUSAL_LINGER: Duration = Duration::from_secs(1);

/// A handle on the connection a request arrived on (a request extension), used by the
/// `reset` fault.
#[derive(Clone, Debug)]
pub(crate) struct ConnHandle {
    reset: Arc<AtomicBool>,
    wake: Arc<Notify>,
}

impl ConnHandle {
    /// Drops the connection with a TCP RST; never returns an answer.
    pub(crate) async fn reset(&self) -> Response {
        self.reset.store(true, Ordering::Release);
        self.wake.notify_one();
        std::future::pending::<Response>().await
    }
}

/// A TCP stream that is closed with a RST (zero linger) when its connection was reset.
struct ResettableIo {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableIo {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Acquire) {
            // Zero linger makes the close send RST; it does not block.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Accepts connections until the sandbox stops, then shuts down gracefully: no new
/// connections, idle ones closed, in-flight answers given [`SHUTDOWN_GRACE`]. At most
/// `limits.effective_max_connections()` are served at once.
pub(crate) async fn serve(listener: TcpListener, router: Router, sandbox: Sandbox, limits: Limits) {
    let mut stop = sandbox.shutdown_signal();
    let slots = Arc::new(Semaphore::new(limits.effective_max_connections()));
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let mut connections = JoinSet::new();
    let for_connections = stop.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => match Arc::clone(&slots).try_acquire_owned() {
                    Ok(slot) => {
                        let served = connection(stream, router.clone(), for_connections.clone(), limits);
                        connections.spawn(async move {
                            served.await;
                            drop(slot);
                        });
                    }
                    Err(_) => {
                        if let Ok(permit) = Arc::clone(&refusals).try_acquire_owned() {
                            let now = sandbox.world().now();
                            tokio::spawn(async move {
                                refuse(stream, now).await;
                                drop(permit);
                            });
                        }
                    }
                },
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(target: "tv_sandbox", "accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = stopped(&mut stop) => break,
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        connections.shutdown().await;
    }
}

/// Answers a connection over the cap with `503` and `Retry-After: 1`, then closes it
/// (after reading what the client sent, for at most [`REFUSAL_LINGER`], so the close
/// does not turn into a reset that hides the answer).
async fn refuse(mut stream: TcpStream, now: i64) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = envelope::error_body(
        "too many open connections: the sandbox is at its connection cap; retry later",
    );
    let date = envelope::http_date(now)
        .and_then(|d| d.to_str().ok().map(str::to_owned))
        .unwrap_or_default();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ndate: {date}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let answer = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<(), io::Error>(())
    };
    let _ = tokio::time::timeout(REFUSAL_LINGER, answer).await;
}

/// Serves one connection.
async fn connection(
    stream: TcpStream,
    router: Router,
    mut stop: watch::Receiver<bool>,
    limits: Limits,
) {
    let _ = stream.set_nodelay(true);
    let handle = ConnHandle {
        reset: Arc::new(AtomicBool::new(false)),
        wake: Arc::new(Notify::new()),
    };
    let io = ResettableIo {
        stream,
        reset: Arc::clone(&handle.reset),
    };
    let wake = Arc::clone(&handle.wake);
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(handle.clone());
        router.clone().oneshot(req.map(Body::new))
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.request_deadline)
        .half_close(true)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service);
    tv_serve::serve_until_stopped(conn, &mut stop, wake.notified()).await;
}
