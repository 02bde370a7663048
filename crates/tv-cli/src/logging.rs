//! `tracing` to stderr: `-v`/`-q` pick the level, `TV_LOG` overrides with a filter, and
//! every line passes through key redaction before it is written.

use std::io::{self, Write};
use std::sync::OnceLock;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

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
    // `TV_LOG` takes `LEVEL` and `TARGET=LEVEL` items, comma-separated (tracing's
    // `Targets`); one that does not parse falls back to the level of the flags.
    let filter = std::env::var("TV_LOG")
        .ok()
        .filter(|v| !v.is_empty())
        .and_then(|v| v.parse::<Targets>().ok())
        .or_else(|| level.parse::<Targets>().ok())
        .unwrap_or_default();
    // The builder's own level (INFO unless set) would cap whatever `filter` lets through.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::level_filters::LevelFilter::TRACE)
        .with_writer(RedactingStderr)
        .with_ansi(color)
        .with_target(verbose >= 3)
        .without_time()
        .finish()
        .with(filter)
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
        let _ = io::stderr().write_all(terminal_safe(&line).as_bytes());
    }
}

/// A log line that cannot drive the terminal, whatever server text it quotes: the
/// color codes (SGR, `ESC [ … m`) the formatter adds are kept, every other escape
/// sequence and control character goes (through tv-client's one cleaning), and the
/// line keeps its final newline.
fn terminal_safe(line: &str) -> String {
    let body = line.strip_suffix('\n').unwrap_or(line);
    let mut out = String::with_capacity(line.len());
    let mut rest = body;
    while let Some(start) = rest.find("\x1b[") {
        let after = &rest[start + 2..];
        let params = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[params..].starts_with('m') {
            out.push_str(&tv_client::redact::printable(&rest[..start]));
            out.push_str(&rest[start..start + 2 + params + 1]);
            rest = &after[params + 1..];
        } else {
            // Any other CSI sequence goes, up to and including its final byte.
            out.push_str(&tv_client::redact::printable(&rest[..start]));
            let end = after
                .find(|c: char| ('@'..='~').contains(&c))
                .map_or(after.len(), |i| i + 1);
            rest = &after[end..];
        }
    }
    out.push_str(&tv_client::redact::printable(rest));
    if line.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn log_lines_keep_colors_and_lose_other_escapes() {
        let line = "\x1b[31mERROR\x1b[0m shop\x1b]0;owned\x07\x1b[2J: failed\r\n";
        assert_eq!(terminal_safe(line), "\x1b[31mERROR\x1b[0m shop: failed \n");
    }
}
