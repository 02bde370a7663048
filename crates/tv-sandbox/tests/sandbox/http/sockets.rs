//! Raw sockets against the server: half-closed requests, malformed and slow bodies, the
//! connection cap.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tv_api::types::AnnotationListEnvelope;
use tv_sandbox::server::{Limits, SandboxConfig};

use crate::http::common::{Api, api, api_with, config};

/// A bound on every wait below, far above what any of them needs: a hung server fails
/// the test instead of hanging it.
const SAFETY: Duration = Duration::from_secs(60);

/// Sends `request`, optionally shuts down the sending side, and reads until the server
/// closes: everything it answered.
async fn exchange(addr: SocketAddr, request: &[u8], half_close: bool) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream.write_all(request).await.expect("sends");
    if half_close {
        stream
            .shutdown()
            .await
            .expect("shuts down the sending side");
    }
    let mut out = Vec::new();
    let read = tokio::time::timeout(SAFETY, stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the server neither answered nor closed");
    String::from_utf8_lossy(&out).into_owned()
}

fn post(path: &str, form: &str, close: bool) -> Vec<u8> {
    let connection = if close { "connection: close\r\n" } else { "" };
    format!(
        "POST /api-v2/{path} HTTP/1.1\r\nhost: sandbox\r\n{connection}content-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{form}",
        form.len()
    )
    .into_bytes()
}

async fn annotations_with(api: &Api, message: &str) -> usize {
    let list: AnnotationListEnvelope = api.get_ok("annotations").await;
    list.data.iter().filter(|a| a.message == message).count()
}

#[tokio::test]
async fn a_half_closed_request_is_answered_and_every_applied_write_was_answered() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let api = api_with(SandboxConfig {
        state_file: Some(dir.path().join("state.json")),
        ..config()
    })
    .await;
    let addr = api.sandbox.local_addr();
    let mut answered = 0;
    for _ in 0..20 {
        let form = "key=sandbox&message=half-closed&appname=web-shop";
        let answer = exchange(addr, &post("log_message", form, false), true).await;
        if answer.starts_with("HTTP/1.1 200")
            && answer.ends_with(r#"{"data":true,"response":"ok"}"#)
        {
            answered += 1;
        }
    }
    assert_eq!(answered, 20);
    assert_eq!(annotations_with(&api, "half-closed").await, answered);
    // A GET too.
    let get = exchange(
        addr,
        b"GET /api-v2/apps?key=sandbox HTTP/1.1\r\nhost: s\r\n\r\n",
        true,
    )
    .await;
    assert!(
        get.starts_with("HTTP/1.1 200") && get.contains("web-shop"),
        "{get}"
    );
}

#[tokio::test]
async fn a_malformed_chunked_body_is_400() {
    let api = api().await;
    let request = b"POST /api-v2/log_message HTTP/1.1\r\nhost: s\r\ntransfer-encoding: chunked\r\ncontent-type: application/x-www-form-urlencoded\r\n\r\nzz\r\nkey=sandbox\r\n0\r\n\r\n";
    let answer = exchange(api.sandbox.local_addr(), request, false).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("malformed"), "{answer}");
    assert_eq!(annotations_with(&api, "").await, 0);
}

fn limited(limits: Limits) -> SandboxConfig {
    SandboxConfig { limits, ..config() }
}

#[tokio::test]
async fn a_body_that_trickles_past_the_deadline_is_408_and_closed() {
    let api = api_with(limited(Limits {
        request_deadline: Duration::from_millis(300),
        ..Limits::default()
    }))
    .await;
    let mut stream = TcpStream::connect(api.sandbox.local_addr())
        .await
        .expect("connects");
    let head = "POST /api-v2/log_message HTTP/1.1\r\nhost: s\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 1000\r\n\r\nkey=sandbox&message=";
    stream.write_all(head.as_bytes()).await.expect("sends");
    let trickle = async {
        // One byte every 100 ms would take 100 s; the server must cut it short.
        for _ in 0..1_000 {
            if stream.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(3), trickle).await;
    let mut out = Vec::new();
    let read = tokio::time::timeout(SAFETY, stream.read_to_end(&mut out)).await;
    let answer = String::from_utf8_lossy(&out);
    assert!(read.is_ok_and(|r| r.is_ok()), "not closed: {answer}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn over_the_connection_cap_a_client_is_refused_and_the_others_are_served() {
    let api = api_with(limited(Limits {
        max_connections: 3,
        ..Limits::default()
    }))
    .await;
    let addr = api.sandbox.local_addr();
    // Three clients hold every slot, each in the middle of its headers.
    let mut holders = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(addr).await.expect("connects");
        s.write_all(b"GET /api-v2/apps?key=sandbox HTTP/1.1\r\n")
            .await
            .expect("sends");
        holders.push(s);
    }
    // Make sure the server has taken all three before the fourth comes.
    let mut refused = String::new();
    for _ in 0..100 {
        refused = exchange(
            addr,
            b"GET /api-v2/apps?key=sandbox HTTP/1.1\r\nhost: s\r\n\r\n",
            false,
        )
        .await;
        if refused.starts_with("HTTP/1.1 503") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(
        refused.to_ascii_lowercase().contains("retry-after: 1"),
        "{refused}"
    );
    assert!(refused.contains(r#""response":"error""#), "{refused}");
    // A holder that finishes its request is served; once they leave, everyone is.
    let mut first = holders.remove(0);
    first
        .write_all(b"host: s\r\nconnection: close\r\n\r\n")
        .await
        .expect("sends");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(SAFETY, first.read_to_end(&mut out)).await;
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 200"));
    drop(holders);
    let mut served = false;
    for _ in 0..100 {
        if api.get("apps").await.status() == 200 {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served);
}
