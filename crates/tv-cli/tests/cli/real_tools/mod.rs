//! What the tests with real tools share: children killed on drop, tools found on the
//! PATH (a loud failure when missing), and a Prometheus server to query.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub use crate::common::{Guard, free_port};

/// The path of a tool of Debian's prometheus package, or a loud failure.
pub fn tool(name: &str) -> String {
    crate::common::tool(
        name,
        "Debian's prometheus package (apt-get install -y prometheus)",
    )
}

/// GET `path` from 127.0.0.1:`port` (HTTP/1.0); the body, or `None` if unreachable.
pub fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
}

/// The instant vector of a PromQL query: (labels, value).
pub fn query(port: u16, promql: &str) -> Vec<(serde_json::Value, f64)> {
    let encoded: String = promql
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let Some(body) = get(port, &format!("/api/v1/query?query={encoded}")) else {
        return Vec::new();
    };
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    json["data"]["result"]
        .as_array()
        .map(|results| {
            results
                .iter()
                .filter_map(|r| {
                    let value = r["value"][1].as_str()?.parse().ok()?;
                    Some((r["metric"].clone(), value))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Polls `promql` until it has a result, for at most `limit`.
pub fn wait_for(port: u16, promql: &str, limit: Duration) -> Vec<(serde_json::Value, f64)> {
    let started = Instant::now();
    loop {
        let result = query(port, promql);
        if !result.is_empty() {
            return result;
        }
        assert!(
            started.elapsed() < limit,
            "no result for {promql} within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Starts Prometheus with `config` (YAML) in `dir`; the server and its port.
pub fn prometheus(config: &str, dir: &Path) -> (Guard, u16) {
    let prometheus = tool("prometheus");
    let file = dir.join("prometheus.yml");
    std::fs::write(&file, config).unwrap_or_else(|e| panic!("{e}"));
    let port = free_port();
    let server = Command::new(prometheus)
        .arg(format!("--config.file={}", file.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    (Guard(server), port)
}
