//! Sending to Graphite and statsd: resolving `HOST:PORT` and the carbon plaintext
//! receiver's TCP connection, with bounded deadlines.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::exit::{CliError, Exit};

/// How long connecting to carbon may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long sending the lines to carbon may take.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// The addresses of `HOST:PORT` (`flag` names the option in messages): a malformed
/// value is a usage error, a name that does not resolve a runtime one.
pub async fn resolve(flag: &str, text: &str) -> Result<Vec<SocketAddr>, CliError> {
    let well_formed = text
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    if !well_formed {
        return Err(CliError::usage(format!(
            "{flag} {}: expected HOST:PORT",
            text.escape_debug()
        )));
    }
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host(text)
        .await
        .map_err(|e| {
            CliError::new(
                Exit::Runtime,
                format!("{flag} {}: cannot resolve: {e}", text.escape_debug()),
            )
        })?
        .collect();
    if addresses.is_empty() {
        return Err(CliError::new(
            Exit::Runtime,
            format!("{flag} {}: no address", text.escape_debug()),
        ));
    }
    Ok(addresses)
}

/// Sends `text` to the carbon plaintext receiver at `to` and closes the connection.
pub async fn send(to: &str, text: &[u8]) -> Result<(), CliError> {
    let addresses = resolve("--to", to).await?;
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        CliError::new(
            Exit::Runtime,
            format!("{what} carbon at {}: {e}", to.escape_debug()),
        )
    };
    let mut stream =
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&addresses[..])).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return Err(failed("cannot connect to", &e)),
            Err(_) => {
                return Err(failed(
                    "cannot connect to",
                    &format_args!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
                ));
            }
        };
    let sending = async {
        stream.write_all(text).await?;
        stream.shutdown().await
    };
    match tokio::time::timeout(SEND_TIMEOUT, sending).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(failed("cannot send to", &e)),
        Err(_) => {
            return Err(failed(
                "cannot send to",
                &format_args!("not done within {} s", SEND_TIMEOUT.as_secs()),
            ));
        }
    }
    let lines = text.iter().filter(|b| **b == b'\n').count();
    tracing::info!("sent {lines} lines to carbon at {}", to.escape_debug());
    Ok(())
}
