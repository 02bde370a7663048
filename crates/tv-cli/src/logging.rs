//! `tracing` to stderr: `-v`/`-q` pick the level, `TV_LOG` overrides with a filter, and
//! every line passes through key redaction before it is written.

use std::io::{self, Write};
use std::sync::OnceLock;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the subscriber. `verbose`: 0 warnings; 1 info: one line per request
/// (method, path and query, the key redacted) and each retry; 2 adds each answer's
/// status, size and time; 3+ everything (trace, including the HTTP stack); `quiet`:
/// errors only.
pub fn init(verbose: u8, quiet: bool, color: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "info,tv_client=debug",
        (false, _) => "trace",
    };
    let filter = std::env::var("TV_LOG")
        .ok()
        .filter(|v| !v.is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactingStderr)
        .with_ansi(color)
        .with_target(verbose >= 3)
        .without_time()
        .try_init();
}

/// The key in use, once known: log lines are scrubbed of it wherever it appears (a
/// server may echo it in a body a debug line quotes), not only of `key=…` in URLs.
static KEY: OnceLock<tv_client::ApiKey> = OnceLock::new();

/// Scrubs `key` (literal and URL-encoded) from every later log line.
pub fn hide(key: &tv_client::ApiKey) {
    let _ = KEY.set(key.clone());
}

/// Hands out one buffer per log event; the buffer is redacted and written on drop.
struct RedactingStderr;

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = RedactedLine;

    fn make_writer(&'a self) -> Self::Writer {
        RedactedLine(Vec::new())
    }
}

struct RedactedLine(Vec<u8>);

impl Write for RedactedLine {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactedLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let line = match KEY.get() {
            Some(key) => key.scrub(&text),
            None => tv_client::redact(&text).into_owned(),
        };
        let _ = io::stderr().write_all(line.as_bytes());
    }
}
