//! The in-process TraceView a library user tests against: `LocalSandbox` and `SandboxThread`.

use std::time::{Duration, Instant};

use tv_client::{ServerFilter, TimeWindow};
use tv_testkit::{FROZEN_NOW, LocalSandbox, LocalSandboxError, SandboxConfig, SandboxThread};

#[tokio::test]
async fn a_frozen_sandbox_answers_the_same_every_time() {
    let first = LocalSandbox::frozen_at(FROZEN_NOW).await.unwrap();
    let second = LocalSandbox::frozen_at(FROZEN_NOW).await.unwrap();
    assert_ne!(
        first.base_url(),
        second.base_url(),
        "each on a port of its own"
    );
    let day = ServerFilter::new().window(TimeWindow::Day);
    let a = first
        .client()
        .latency()
        .server_summary("web-shop", &day)
        .await
        .unwrap();
    let b = second
        .client()
        .latency()
        .server_summary("web-shop", &day)
        .await
        .unwrap();
    assert!(a.count > 0, "the demo world has traffic");
    assert_eq!(a, b);
    assert_eq!(first.key(), SandboxConfig::demo().first_key());
}

#[tokio::test]
async fn a_bad_configuration_is_a_start_error() {
    let config = SandboxConfig {
        fault_rate: 2.0,
        ..SandboxConfig::demo()
    };
    let error = LocalSandbox::start(config).await.unwrap_err();
    assert!(matches!(error, LocalSandboxError::Start(_)), "{error:?}");
    assert!(error.to_string().contains("fault rate"), "{error}");
    assert!(
        std::error::Error::source(&error).is_some(),
        "keeps its cause"
    );
}

#[tokio::test]
async fn the_client_takes_the_callers_settings() {
    let sandbox = LocalSandbox::start_with(SandboxConfig::demo_at(FROZEN_NOW), |builder| {
        builder.max_response_bytes(1_000)
    })
    .await
    .unwrap();
    // A week of series is far more than 1,000 bytes.
    let outcome = sandbox
        .client()
        .latency()
        .server_series("web-shop", &ServerFilter::new().window(TimeWindow::Week))
        .await;
    assert!(outcome.is_err(), "the response limit applies: {outcome:?}");
}

#[test]
fn a_thread_sandbox_serves_without_a_runtime_until_dropped() {
    let thread = SandboxThread::start(SandboxConfig::demo_at(FROZEN_NOW)).unwrap();
    let address = thread
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/api-v2")
        .to_owned();
    assert!(std::net::TcpStream::connect(&address).is_ok(), "it listens");
    assert_eq!(thread.sandbox().fault_counts().total(), 0);
    drop(thread);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(&address).is_ok() {
        assert!(Instant::now() < deadline, "still listening after the drop");
        std::thread::sleep(Duration::from_millis(20));
    }
}
