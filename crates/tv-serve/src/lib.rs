//! The listener pieces tv's HTTP servers share (the sandbox of `tv-sandbox` and the
//! exporter of `tv`): a connection cap under the process's descriptor limit, a graceful
//! stop of one hyper HTTP/1 connection, and the stop signal (Ctrl-C, SIGTERM).

use std::error::Error as StdError;
use std::future::Future;

use hyper::body::{Body, Incoming};
use hyper::rt::{Read, Write};
use hyper::server::conn::http1::Connection;
use hyper::service::HttpService;
use tokio::sync::watch;

/// The process's limit of open descriptors (`RLIMIT_NOFILE`'s soft limit), when there
/// is one and it can be read.
#[cfg(unix)]
pub fn descriptor_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given, which lives on this stack.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    if rc != 0 || limit.rlim_cur == libc::RLIM_INFINITY {
        return None;
    }
    usize::try_from(limit.rlim_cur).ok()
}

/// The process's limit of open descriptors: not known off Unix.
#[cfg(not(unix))]
pub fn descriptor_limit() -> Option<usize> {
    None
}

/// The connection cap in effect: `wanted`, lowered so that connections leave `reserved`
/// descriptors of the process's limit free (the listener, the runtime's, outgoing
/// connections, files), and at least 1.
pub fn connection_cap(wanted: usize, reserved: usize) -> usize {
    let by_descriptors = descriptor_limit().map_or(usize::MAX, |n| n.saturating_sub(reserved));
    wanted.min(by_descriptors).max(1)
}

/// Serves `connection` until it ends. Once `stop` turns true (or its sender is gone) it
/// is shut down gracefully: the answer in flight is finished, an idle keep-alive
/// connection is closed. `abort` ends it at once (the connection is dropped).
pub async fn serve_until_stopped<I, S, B>(
    connection: Connection<I, S>,
    stop: &mut watch::Receiver<bool>,
    abort: impl Future<Output = ()>,
) where
    I: Read + Write + Unpin + 'static,
    S: HttpService<Incoming, ResBody = B>,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    B: Body + 'static,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let mut connection = std::pin::pin!(connection);
    let mut abort = std::pin::pin!(abort);
    let mut draining = false;
    loop {
        tokio::select! {
            _ = connection.as_mut() => break,
            () = abort.as_mut() => break,
            // `wait_for` fails only when the sender is gone: stopping too.
            _ = stop.wait_for(|stop| *stop), if !draining => {
                connection.as_mut().graceful_shutdown();
                draining = true;
            }
        }
    }
}

/// Waits for Ctrl-C or (on Unix) SIGTERM and names the one that came (`interrupted`,
/// `terminated`); without any signal handling, waits forever.
pub async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return "interrupted",
                _ = term.recv() => return "terminated",
            }
        }
    }
    match tokio::signal::ctrl_c().await {
        Ok(()) => "interrupted",
        Err(_) => {
            std::future::pending::<()>().await;
            "stopped"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_leaves_descriptors_free() {
        if let Some(n) = descriptor_limit() {
            assert!(connection_cap(usize::MAX, 64) < n);
        }
        assert_eq!(connection_cap(0, 64), 1);
        assert_eq!(
            connection_cap(3, 0),
            3.min(descriptor_limit().unwrap_or(3)).max(1)
        );
    }
}
