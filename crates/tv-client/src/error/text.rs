//! The text helpers of errors: outside text cut to one short line, sizes and
//! `Retry-After` values read for people.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::SNIPPET_CHARS;
use crate::redact::{printable, redact};

/// A byte count as people read it: `500 KiB`, `8 MiB`, `1.5 MiB`, `100 bytes`.
pub(super) fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    let scaled = |unit: u64, name: &str| {
        let value = bytes as f64 / unit as f64;
        if bytes.is_multiple_of(unit) {
            format!("{} {name}", bytes / unit)
        } else {
            format!("{value:.1} {name}")
        }
    };
    if bytes >= MIB {
        scaled(MIB, "MiB")
    } else if bytes >= KIB {
        scaled(KIB, "KiB")
    } else {
        format!("{bytes} bytes")
    }
}

/// The `data` message of an error envelope `{"data": "...", "response": "error"}`,
/// redacted and folded to one line.
pub(super) fn envelope_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    if value.get("response")?.as_str()? != "error" {
        return None;
    }
    let message = value.get("data")?.as_str()?;
    Some(one_line(message, SNIPPET_CHARS))
}

/// Redacts `text`, folds every run of whitespace and control characters into one space,
/// and cuts it to [`SNIPPET_CHARS`] characters (marking a cut with `…`).
pub fn snippet(text: &str) -> String {
    one_line(text, SNIPPET_CHARS)
}

/// Redacts `text`, drops terminal escape sequences, folds every run of whitespace and
/// control characters into one space and cuts it to `max_chars` characters (marking a
/// cut with `…`): the one cleaning of server text for one-line messages.
pub fn one_line(text: &str, max_chars: usize) -> String {
    let redacted = redact(text);
    let redacted = printable(&redacted);
    let mut out = String::with_capacity(redacted.len().min(max_chars.saturating_mul(4)));
    let mut chars = 0;
    let mut pending_space = false;
    for c in redacted.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = chars > 0;
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if chars + needed > max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
            chars += 1;
        }
        out.push(c);
        chars += 1;
    }
    out
}

/// Parses an HTTP `Retry-After` value: delay-seconds (`120`) or an HTTP date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, taken relative to `now`; a past date means zero).
/// Returns `None` for anything else.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}
