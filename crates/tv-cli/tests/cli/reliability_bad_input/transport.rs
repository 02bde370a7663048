//! Misbehaviour below the JSON: a redirect, slow and cut bodies, a huge valid series.

use super::*;

#[test]
fn a_redirect_to_a_login_page_is_not_followed() {
    let mock = Mocked::new(vec![]);
    let login = format!("{}/login?next=%2Fapi-v2%2Fapps", mock.server.uri());
    mock.runtime.block_on(
        get(
            SUMMARY,
            ResponseTemplate::new(302)
                .insert_header("Location", login.as_str())
                .set_body_raw("<html>Moved</html>", "text/html"),
        )
        .mount(&mock.server),
    );
    let outcome = tv_at(&mock.base_url(), SUMMARY_ARGS);
    assert_fails("a 302 to a login page", &outcome, 1, &["HTTP 302"]);
    let paths = mock.paths();
    assert_eq!(paths, [SUMMARY], "a redirect is not retried nor followed");
}

/// A raw server that answers every connection with `head`, then `body` one byte per
/// `pace`, then closes.
fn raw_server(head: &'static str, body: &'static [u8], pace: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for byte in body {
                    if stream.write_all(&[*byte]).is_err() {
                        return;
                    }
                    std::thread::sleep(pace);
                }
            });
        }
    });
    format!("http://{addr}/api-v2")
}

#[test]
fn a_slow_loris_body_times_out() {
    let base = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n",
        b"{\"data\": {\"count\": 1, \"average\": 1.0, \"latest\": 1.0}                    ",
        Duration::from_millis(100),
    );
    let outcome = tv_at(
        &base,
        &[
            "--timeout",
            "1s",
            "--attempts",
            "1",
            "latency",
            "summary",
            "web-shop",
        ],
    );
    assert_fails("a slow-loris body", &outcome, 1, &["timed out"]);
    assert!(
        outcome.elapsed < Duration::from_secs(6),
        "{:?}",
        outcome.elapsed
    );
}

#[test]
fn a_body_cut_short_is_an_error() {
    let base = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n",
        b"{\"data\": {\"count\"",
        Duration::ZERO,
    );
    let outcome = tv_at(&base, SUMMARY_ARGS);
    assert_fails("a body cut short", &outcome, 1, &[]);
}

#[test]
fn a_huge_valid_series_is_decoded() {
    let rows: Vec<String> = (0..50_000)
        .map(|i| format!("[{}, {}, {}.5]", 1_600_000_000 + 30 * i, i % 17, 1000 + i))
        .collect();
    let body = format!(
        r#"{{"data": {{"fields": "timestamp,volume,avg_latency", "items": [{}]}}, "response": "ok"}}"#,
        rows.join(",")
    );
    let mock = Mocked::new(vec![get(SERIES, json_body(200, &body))]);
    let outcome = tv_at(
        &mock.base_url(),
        &["--output", "ndjson", "latency", "series", "web-shop"],
    );
    assert_clean("a huge series", &outcome);
    assert_eq!(outcome.code, Exit::Ok.code(), "{}", outcome.stderr);
    assert_eq!(outcome.stdout.lines().count(), 50_000);
}
