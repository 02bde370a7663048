//! A built `tv-sandbox` as a child process, and a minimal HTTP/1.1 client for it: the
//! spec checks' sandbox and the bench's (`tv-bench`).
//!
//! xtask links none of our crates (it must build when the generated code is broken), so
//! it talks to the sandbox the way any client would: over loopback HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};

/// A running sandbox, killed (by its own pid) and reaped on drop.
pub struct Sandbox {
    child: Child,
    /// `http://127.0.0.1:PORT/api-v2`.
    pub base_url: String,
    /// The listening address.
    pub addr: SocketAddr,
    /// The path prefix of the API (`/api-v2`).
    pub prefix: String,
    /// From spawning it to reading its base URL (it prints it once it listens).
    pub ready_after: Duration,
}

impl Sandbox {
    /// Starts `bin` on a free loopback port with `args` and reads the base URL from the
    /// first line of its stdout; its stderr goes to `log`.
    pub fn start(bin: &Path, args: &[&str], log: &Path) -> Result<Sandbox> {
        let log = std::fs::File::create(log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let mut command = Command::new(bin);
        command
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        let spawned = Instant::now();
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("no stdout pipe"))?;
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = sender.send(reader.read_line(&mut line).map(|_| line));
            // Keep draining so the sandbox never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let first = receiver.recv_timeout(Duration::from_secs(60));
        let ready_after = spawned.elapsed();
        let mut sandbox = Sandbox {
            child,
            base_url: String::new(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            prefix: String::new(),
            ready_after,
        };
        let line = match first {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => return Err(e).context("cannot read the sandbox's first line"),
            Err(_) => bail!("the sandbox printed no base URL within 60 s"),
        };
        let (addr, prefix) = split_base_url(line.trim())?;
        sandbox.base_url = line.trim().to_owned();
        sandbox.addr = addr;
        sandbox.prefix = prefix;
        Ok(sandbox)
    }

    /// `GET {prefix}{path_and_query}` on a fresh connection; the body of a 200.
    pub fn get(&self, path_and_query: &str) -> Result<Vec<u8>> {
        let mut stream = TcpStream::connect(self.addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let path = format!("{}{path_and_query}", self.prefix);
        let (status, body) = exchange(&mut stream, &path, &mut Vec::new())?;
        ensure!(status == 200, "GET {path}: status {status}");
        Ok(body)
    }
}

impl Sandbox {
    /// The apps the sandbox lists (`GET /apps`), which must be `expected` many.
    pub fn apps(&self, key: &str, expected: usize) -> Result<Vec<String>> {
        let body = self.get(&format!("/apps?key={key}"))?;
        let value: serde_json::Value =
            serde_json::from_slice(&body).context("the apps answer is not JSON")?;
        let apps: Vec<String> = value["data"]
            .as_array()
            .ok_or_else(|| anyhow!("the apps answer has no data array"))?
            .iter()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect();
        ensure!(
            apps.len() == expected,
            "the sandbox lists {} apps, expected {expected}",
            apps.len()
        );
        Ok(apps)
    }

    /// The sandbox's process id (the bench reads its CPU time and peak RSS in `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `http://127.0.0.1:PORT/api-v2` → (`127.0.0.1:PORT`, `/api-v2`).
pub fn split_base_url(url: &str) -> Result<(SocketAddr, String)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| anyhow!("the sandbox's base URL is not http://…: {url:?}"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let addr: SocketAddr = host
        .parse()
        .with_context(|| format!("the sandbox's base URL has no IP:PORT: {url:?}"))?;
    ensure!(
        addr.ip().is_loopback(),
        "the sandbox is not on loopback: {url:?}"
    );
    Ok((addr, format!("/{}", path.trim_end_matches('/'))))
}

/// Sends one keep-alive `GET path` on `stream` and reads the answer (which must carry a
/// `Content-Length`); `buf` is scratch space reused across calls. Returns the status and
/// the body.
pub fn exchange(stream: &mut TcpStream, path: &str, buf: &mut Vec<u8>) -> Result<(u16, Vec<u8>)> {
    let request = format!("GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    read_response(stream, buf)
}

fn read_response(stream: &mut impl Read, buf: &mut Vec<u8>) -> Result<(u16, Vec<u8>)> {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = stream.read(&mut chunk)?;
        ensure!(n > 0, "the connection closed before the response head");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status: u16 = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("not an HTTP response: {:?}", head.lines().next()))?;
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| anyhow!("a response without content-length (status {status})"))?;
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk)?;
        ensure!(n > 0, "the connection closed inside the body");
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok((status, buf[head_end..head_end + length].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_split_into_address_and_prefix() {
        let (addr, prefix) = split_base_url("http://127.0.0.1:8642/api-v2").unwrap();
        assert_eq!(addr, SocketAddr::from(([127, 0, 0, 1], 8642)));
        assert_eq!(prefix, "/api-v2");
        assert!(split_base_url("https://127.0.0.1:1/api-v2").is_err());
        assert!(split_base_url("http://10.0.0.1:1/api-v2").is_err());
    }

    #[test]
    fn responses_are_read_by_content_length() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhelloHTTP/1.1";
        let (status, body) = read_response(&mut &wire[..], &mut Vec::new()).unwrap();
        assert_eq!((status, body.as_slice()), (200, &b"hello"[..]));
        let chunked =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
        assert!(read_response(&mut &chunked[..], &mut Vec::new()).is_err());
        assert!(read_response(&mut &b"HTTP/1.1 200"[..], &mut Vec::new()).is_err());
    }
}
