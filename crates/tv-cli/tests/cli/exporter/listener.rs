//! The listener: a hanging upstream, health and refusals, the connection cap, a
//! graceful stop.

use super::*;

#[test]
fn a_hanging_upstream_never_blocks_a_scrape() {
    // A TraceView that accepts connections and never answers.
    let hanging = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let upstream = crate::common::Sandbox::at(format!(
        "http://{}/api-v2",
        hanging.local_addr().unwrap_or_else(|e| panic!("{e}"))
    ));
    let (_exporter, address) = exporter(&upstream, KEY, &["--app", "web-shop"]);
    // Prometheus says it gives up after 1.5 s: the answer comes before (the client's
    // own deadline is 3 attempts of 30 s).
    let answer = exchange(
        &address,
        "GET /metrics HTTP/1.0\r\nX-Prometheus-Scrape-Timeout-Seconds: 1.5\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    for line in ["traceview_up 0.0", "traceview_late_scrapes_total 1"] {
        assert!(answer.lines().any(|l| l == line), "{line} in {answer}");
    }
    // Not ready: the first collection has not finished.
    let (head, _) = get(&address, "/-/ready", None);
    assert!(head.contains(" 503 "), "{head}");
    drop(hanging);
}

#[test]
fn health_landing_page_and_refusals() {
    let sandbox = crate::common::shared();
    let (_exporter, address) = exporter(sandbox, KEY, &["--app", "web-shop"]);
    let (head, body) = get(&address, "/-/healthy", None);
    assert!(
        head.contains(" 200 ") && body == "Healthy\n",
        "{head}{body}"
    );
    let (head, body) = get(&address, "/", None);
    assert!(
        head.contains("text/html") && body.contains("/probe?target="),
        "{body}"
    );
    let (_, body) = get(&address, "/metrics", None);
    assert!(
        body.lines()
            .any(|l| l.starts_with("traceview_build_info{version=\"")),
        "{body}"
    );
    assert!(
        body.lines().any(|l| l.starts_with(
            "traceview_api_requests_total{operation=\"get_server_latency_summary\",outcome=\"ok\"}"
        )),
        "{body}"
    );
    let (head, _) = get(&address, "/-/ready", None);
    assert!(head.contains(" 200 "), "{head}");
    let (head, _) = get(&address, "/probe", None);
    assert!(head.contains(" 400 "), "{head}");
    let (head, body) = get(&address, "/probe?target=nope", None);
    assert!(
        head.contains(" 400 ") && body.starts_with("unknown target"),
        "{body}"
    );
    let answer = exchange(
        &address,
        "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[test]
fn idle_connections_at_the_cap_make_room_for_a_scrape() {
    let sandbox = crate::common::shared();
    let (_exporter, address) = exporter(
        sandbox,
        KEY,
        &["--app", "web-shop", "--max-connections", "3"],
    );
    // Cap-many connections that never send a request hold every slot.
    let mut idle: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(&address).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    // Each scrape closes the oldest of them and is served at once.
    for round in 0..3 {
        let (head, body) = get(&address, "/metrics", None);
        assert!(head.contains(" 200 "), "round {round}: {head}");
        assert!(body.contains("traceview_up"), "round {round}");
    }
    // The idle connections were closed by the exporter (end of stream, or reset).
    for stream in &mut idle {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut byte = [0u8; 1];
        assert!(
            matches!(stream.read(&mut byte), Ok(0) | Err(_)),
            "an idle connection is still open"
        );
    }
}

#[test]
fn busy_connections_at_the_cap_refuse_at_once() {
    let sandbox = crate::common::shared();
    let (_exporter, address) = exporter(
        sandbox,
        KEY,
        &["--app", "web-shop", "--max-connections", "1"],
    );
    // One connection that sent a complete request and is kept alive: it is not closed
    // for a newer one, so at the cap the newer one is refused.
    let mut busy = TcpStream::connect(&address).unwrap_or_else(|e| panic!("{e}"));
    busy.write_all(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = [0u8; 256];
    let _ = busy.set_read_timeout(Some(Duration::from_secs(10)));
    let read = busy.read(&mut answer).unwrap_or_else(|e| panic!("{e}"));
    assert!(answer[..read].starts_with(b"HTTP/1.1 200"));
    let answer = exchange(&address, "GET /metrics HTTP/1.0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    drop(busy);
}

#[cfg(unix)]
#[test]
fn sigterm_stops_gracefully_with_exit_0() {
    let sandbox = crate::common::shared();
    let (mut exporter, address) = exporter(sandbox, KEY, &["--app", "web-shop"]);
    let (head, _) = get(&address, "/-/healthy", None);
    assert!(head.contains(" 200 "), "{head}");
    let pid = i32::try_from(exporter.0.id()).unwrap_or_else(|e| panic!("{e}"));
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = exporter.0.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0), "{status:?}");
}
