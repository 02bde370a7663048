//! The exporter's listener: `HOST:PORT`, `:PORT` and `localhost:PORT` addresses, a cap
//! on open connections below the descriptor limit (at it, the oldest connection that has
//! not sent a request yet is closed for the new one; when every connection has sent one,
//! the new one gets `503` and is closed at once, so idle clients cannot lock scrapes
//! out of descriptors), a
//! deadline for a request's headers (a request with a body is refused), a bounded log
//! of accept failures, and a graceful stop on SIGTERM or Ctrl-C.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use super::routes::Routes;
use super::waiting::{Ticket, Waiting};
use crate::exit::{CliError, Exit};

/// How long a graceful stop waits for answers in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Descriptors kept free of connections (the listener, the runtime's, the outgoing
/// connections to TraceView).
const RESERVED_DESCRIPTORS: usize = 64;

/// How long a connection waits for the slot of a connection closed for it.
const SLOT_WAIT: Duration = Duration::from_secs(1);

/// At most one line about failing accepts per this interval.
const ACCEPT_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// The answer to a connection over the cap (written without waiting, then closed).
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: 38\r\n\r\ntoo many open connections; retry later\n";

/// The bounds of the listener.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at most (lowered to what the descriptor limit allows).
    pub max_connections: usize,
    /// The time a client has to send a request's headers.
    pub header_deadline: Duration,
}

/// Checks a `--listen` address: `HOST:PORT`, `[V6]:PORT` or `:PORT` (every interface).
pub fn parse_listen(text: &str) -> Result<String, String> {
    let text = text.trim();
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| format!("not an address: {text:?} (HOST:PORT or :PORT)"))?;
    port.parse::<u16>()
        .map_err(|_| format!("not a port: {port:?} (0 to 65535)"))?;
    if host.is_empty() {
        return Ok(format!("0.0.0.0:{port}"));
    }
    if host.contains(char::is_whitespace) {
        return Err(format!("not a host: {host:?}"));
    }
    Ok(text.to_owned())
}

/// Binds the first address `listen` resolves to that can be bound.
pub async fn bind(listen: &str) -> Result<TcpListener, CliError> {
    let fail = |e: &dyn std::fmt::Display| {
        CliError::new(Exit::Runtime, format!("cannot listen on {listen}: {e}"))
    };
    let addresses = tokio::net::lookup_host(listen)
        .await
        .map_err(|e| fail(&e))?;
    let mut last = None;
    for address in addresses {
        match TcpListener::bind(address).await {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => fail(&e),
        None => fail(&"the name has no address"),
    })
}

/// The connection cap in effect: `wanted`, lowered so that connections leave
/// [`RESERVED_DESCRIPTORS`] of the process's descriptor limit free (at least 1).
pub fn effective_max_connections(wanted: usize) -> usize {
    tv_serve::connection_cap(wanted, RESERVED_DESCRIPTORS)
}

/// Serves until asked to stop, then stops gracefully: no new connections, idle ones
/// closed, answers in flight given [`SHUTDOWN_GRACE`].
pub async fn serve(listener: TcpListener, limits: Limits, routes: Arc<Routes>) -> Exit {
    let slots = Arc::new(Semaphore::new(effective_max_connections(
        limits.max_connections,
    )));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut accept_failures = AcceptLog::default();
    let waiting = Arc::new(Waiting::default());
    let stop = tv_serve::stop_signal();
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let ticket = waiting.enter();
                    let served = connection(stream, Arc::clone(&routes), stop_rx.clone(), limits, ticket);
                    match Arc::clone(&slots).try_acquire_owned() {
                        Ok(slot) => {
                            connections.spawn(async move {
                                served.serve().await;
                                drop(slot);
                            });
                        }
                        // At the cap: the oldest connection without a request makes room.
                        Err(_) if waiting.close_oldest() => {
                            let slots = Arc::clone(&slots);
                            connections.spawn(async move {
                                match tokio::time::timeout(SLOT_WAIT, slots.acquire_owned()).await {
                                    Ok(Ok(slot)) => {
                                        served.serve().await;
                                        drop(slot);
                                    }
                                    _ => served.refuse(),
                                }
                            });
                        }
                        Err(_) => served.refuse(),
                    }
                }
                Err(e) => {
                    accept_failures.note(&e);
                    // Out of descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = &mut stop => break,
        }
    }
    tracing::info!("stopping: answering the scrapes in flight");
    drop(listener);
    let _ = stop_tx.send(true);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        connections.shutdown().await;
    }
    Exit::Ok
}

/// Logs failing accepts at most once per [`ACCEPT_LOG_INTERVAL`], with a count.
#[derive(Default)]
struct AcceptLog {
    last: Option<Instant>,
    unlogged: u64,
}

impl AcceptLog {
    fn note(&mut self, error: &std::io::Error) {
        self.unlogged += 1;
        if self
            .last
            .is_none_or(|at| at.elapsed() >= ACCEPT_LOG_INTERVAL)
        {
            tracing::warn!(
                "accepting connections failed {} time(s): {error}",
                self.unlogged
            );
            self.last = Some(Instant::now());
            self.unlogged = 0;
        }
    }
}

/// An accepted connection, not served yet.
struct Accepted {
    stream: TcpStream,
    routes: Arc<Routes>,
    stop: watch::Receiver<bool>,
    limits: Limits,
    ticket: Ticket,
}

fn connection(
    stream: TcpStream,
    routes: Arc<Routes>,
    stop: watch::Receiver<bool>,
    limits: Limits,
    ticket: Ticket,
) -> Accepted {
    Accepted {
        stream,
        routes,
        stop,
        limits,
        ticket,
    }
}

impl Accepted {
    /// Answers `503` and closes. Never waits: a client that does not read loses the
    /// answer.
    fn refuse(self) {
        let _ = self.stream.try_write(REFUSAL);
    }

    async fn serve(self) {
        let closed = Arc::clone(&self.ticket.closed);
        // Closed for a newer connection while it has sent no request: just dropped.
        tokio::select! {
            () = self.serve_until_stopped() => {}
            () = closed.notified() => {}
        }
    }

    async fn serve_until_stopped(self) {
        let Accepted {
            stream,
            routes,
            mut stop,
            limits,
            ticket,
        } = self;
        let _ = stream.set_nodelay(true);
        let io = match routes.tls() {
            Some(acceptor) => {
                match tokio::time::timeout(limits.header_deadline, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => super::web_config::Stream::Tls(Box::new(tls)),
                    _ => return,
                }
            }
            None => super::web_config::Stream::Plain(stream),
        };
        let ticket = Arc::new(ticket);
        let service = hyper::service::service_fn(move |request| {
            // Headers read: from now on this connection is never closed for a newer one.
            ticket.requested();
            let routes = Arc::clone(&routes);
            async move { Ok::<_, Infallible>(routes.answer(request).await) }
        });
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_deadline)
            .max_buf_size(64 * 1024)
            .keep_alive(true)
            .serve_connection(TokioIo::new(io), service);
        tv_serve::serve_until_stopped(conn, &mut stop, std::future::pending()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_forms() {
        assert_eq!(parse_listen(":9"), Ok("0.0.0.0:9".to_owned()));
        assert_eq!(parse_listen("localhost:10"), Ok("localhost:10".to_owned()));
        assert_eq!(parse_listen("[::1]:10"), Ok("[::1]:10".to_owned()));
        assert_eq!(parse_listen("127.0.0.1:0"), Ok("127.0.0.1:0".to_owned()));
        assert!(parse_listen("9464").is_err());
        assert!(parse_listen("host:http").is_err());
        assert!(parse_listen("a b:1").is_err());
    }
}
