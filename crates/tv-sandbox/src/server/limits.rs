//! The resource limits of a server: what any client, however it behaves, can make the
//! sandbox hold.
//!
//! | limit | default | flag | what happens past it |
//! |---|---|---|---|
//! | memo | [`DEFAULT_MEMO_BYTES`] (32 MiB), keys and values counted: 7/8 for serialized answers, 1/8 for computed slices: half for the windows the answers of one app share, half for the 15-minute blocks overlapping day and week windows share | `--memo-bytes` | the least recently used answers, the oldest windows and blocks are forgotten |
//! | open connections | [`DEFAULT_MAX_CONNECTIONS`] (512), never more than the descriptor limit allows | `--max-connections` | a new connection gets `503` with `Retry-After: 1` and is closed |
//! | time to send a request | [`DEFAULT_REQUEST_DEADLINE`] (10 s) for the headers, then as long again for the body | `--request-deadline` | `408` (body) or the connection is closed (headers) |
//! | query string, body | [`MAX_QUERY_BYTES`](super::MAX_QUERY_BYTES), [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) | | `414`, `413` |

use std::time::Duration;

/// The default byte budget of the answer memo.
pub const DEFAULT_MEMO_BYTES: usize = 32 << 20;

/// The default cap on open connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The default time a client has to send a request's headers, and again its body.
pub const DEFAULT_REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// Descriptors kept free of connections (the listener, the state file and its lock,
/// temporary files, the runtime's own).
const RESERVED_DESCRIPTORS: usize = 32;

/// The resource limits of one server (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes the memo may hold, keys and values: answers and the windows and 15-minute
    /// blocks they share (0 turns the memo off).
    pub memo_bytes: usize,
    /// Open connections at most (at least 1); lowered at start so that connections
    /// cannot exhaust the process's descriptor limit.
    pub max_connections: usize,
    /// The time a client has to send a request's headers, and then its body.
    pub request_deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memo_bytes: DEFAULT_MEMO_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            request_deadline: DEFAULT_REQUEST_DEADLINE,
        }
    }
}

impl Limits {
    /// The memo budget split into (serialized answers, shared windows): 7/8 and 1/16;
    /// the slice memo holds as much again of 15-minute blocks (1/16).
    pub(crate) fn memo_split(&self) -> (usize, usize) {
        let slices = self.memo_bytes / 8;
        (self.memo_bytes - slices, slices / 2)
    }

    /// The connection cap in effect: `max_connections`, lowered to what the descriptor
    /// limit of the process leaves (at least 1).
    pub fn effective_max_connections(&self) -> usize {
        tv_serve::connection_cap(self.max_connections, RESERVED_DESCRIPTORS)
    }
}

/// Parses a byte size: `1048576`, `64KiB`, `32MiB`, `1GiB` (also `K`, `M`, `G`, `KB`,
/// `MB`, `GB`, all powers of 1024).
pub fn parse_bytes(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("not a size: {s:?} (e.g. 32MiB)")),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("not a size: {s:?} (e.g. 32MiB)"))?;
    n.checked_mul(1usize << shift)
        .ok_or_else(|| format!("too large: {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("1024"), Ok(1024));
        assert_eq!(parse_bytes("64KiB"), Ok(64 << 10));
        assert_eq!(parse_bytes("32 MiB"), Ok(32 << 20));
        assert_eq!(parse_bytes("1g"), Ok(1 << 30));
        assert!(parse_bytes("lots").is_err() && parse_bytes("-1").is_err());
        assert!(parse_bytes("").is_err());
    }

    #[test]
    fn the_connection_cap_leaves_descriptors_free() {
        let limits = Limits {
            max_connections: usize::MAX,
            ..Limits::default()
        };
        if let Some(n) = tv_serve::descriptor_limit() {
            assert!(limits.effective_max_connections() < n);
        }
        let none = Limits {
            max_connections: 0,
            ..Limits::default()
        };
        assert_eq!(none.effective_max_connections(), 1);
    }
}
