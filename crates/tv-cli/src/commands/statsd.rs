//! `tv exporter --statsd`: after each collection, the values go out as statsd datagrams
//! over UDP without waiting (a full socket buffer drops the rest of that push; a scrape
//! never waits for statsd).

use tokio::net::UdpSocket;
use tv_client::export::collect::Collection;
use tv_client::export::graphite::Prefix;
use tv_client::export::statsd;

use super::carbon::resolve;
use crate::exit::{CliError, Exit};

/// A UDP socket connected to the statsd server, and the names' prefix.
#[derive(Debug)]
pub struct Statsd {
    socket: UdpSocket,
    prefix: Prefix,
    target: String,
}

impl Statsd {
    /// A socket for `HOST:PORT` (its first address).
    pub async fn connect(target: &str, prefix: Prefix) -> Result<Statsd, CliError> {
        let address = resolve("--statsd", target).await?[0];
        let local = if address.is_ipv4() {
            "0.0.0.0:0"
        } else {
            "[::]:0"
        };
        let failed = |e: std::io::Error| {
            CliError::new(
                Exit::Runtime,
                format!("--statsd {}: {e}", target.escape_debug()),
            )
        };
        let socket = UdpSocket::bind(local).await.map_err(failed)?;
        socket.connect(address).await.map_err(failed)?;
        Ok(Statsd {
            socket,
            prefix,
            target: target.escape_debug().to_string(),
        })
    }

    /// Sends `collection`'s values; never waits.
    pub fn push(&self, collection: &Collection) {
        let push = statsd::push(collection, &self.prefix);
        for collision in &push.collisions {
            tracing::warn!("statsd: {collision}; both left out of the push");
        }
        let datagrams = push.datagrams();
        for (sent, datagram) in datagrams.iter().enumerate() {
            if let Err(e) = self.socket.try_send(datagram) {
                tracing::warn!(
                    "statsd {}: {e}; {} of {} datagrams not sent",
                    self.target,
                    datagrams.len() - sent,
                    datagrams.len()
                );
                return;
            }
        }
        tracing::debug!(
            "statsd {}: {} lines in {} datagrams",
            self.target,
            push.lines.len(),
            datagrams.len()
        );
    }
}
