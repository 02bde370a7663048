//! One slow-down for the whole fan-out: a 429 with `Retry-After` seen by one app holds
//! every request of the client, not only that app's retry. A loopback mock records
//! when each request arrived; the assertions are on order and counts, with only lower
//! bounds on time (which a slow machine cannot break).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;
use tv_client::{Concurrency, RetryPolicy, ServerFilter, TraceView};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Every request's app and arrival; `app-0`'s first request is answered 429.
#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<(String, Instant)>>>,
}

const RETRY_AFTER_S: u64 = 1;

impl Respond for Recorder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let app = request
            .url
            .path()
            .trim_start_matches("/api-v2/latency/")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let mut seen = self.seen.lock().unwrap();
        let first_of_app = !seen.iter().any(|(a, _)| *a == app);
        seen.push((app.clone(), Instant::now()));
        if app == "app-0" && first_of_app {
            return ResponseTemplate::new(429)
                .insert_header("Retry-After", RETRY_AFTER_S.to_string().as_str())
                .set_body_json(json!({"data": "slow down", "response": "error"}));
        }
        let summary = json!({"count": 1.0, "average": 1000.0, "latest": 1000.0});
        // Slow enough that app-0's 429 arrives while the others of its wave are in
        // flight, and that they free their slots long before its second is over.
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": summary, "response": "ok"}))
            .set_delay(Duration::from_millis(300))
    }
}

async fn setup() -> (MockServer, Recorder, TraceView) {
    setup_with(RetryPolicy::default()).await
}

async fn setup_with(policy: RetryPolicy) -> (MockServer, Recorder, TraceView) {
    let server = MockServer::start().await;
    let recorder = Recorder::default();
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(recorder.clone())
        .mount(&server)
        .await;
    let tv = TraceView::builder()
        .site(&format!("{}/api-v2", server.uri()))
        .api_key("k")
        .retry(policy)
        .build()
        .unwrap();
    (server, recorder, tv)
}

async fn run(tv: &TraceView, concurrency: Concurrency) -> Vec<String> {
    outcomes(tv, concurrency)
        .await
        .into_iter()
        .map(|(_, result)| result.unwrap())
        .collect()
}

/// Each app's outcome, in completion order.
async fn outcomes(
    tv: &TraceView,
    concurrency: Concurrency,
) -> Vec<(String, Result<String, tv_client::Error>)> {
    let apps = (0..5).map(|i| format!("app-{i}"));
    tv.fan_out(apps, concurrency, |tv, app| async move {
        tv.latency()
            .server_summary(&app, &ServerFilter::new())
            .await
            .map(|_| app)
    })
    .map(|done| (done.app, done.result))
    .collect()
    .await
}

/// Checks the requests after app-0's 429, other than those of the first `wave` apps
/// (sent with it, before its answer): each arrived at least the `Retry-After` later.
/// Returns how many there were.
fn assert_held(recorder: &Recorder, wave: usize) -> usize {
    let seen = recorder.seen.lock().unwrap().clone();
    let apps: Vec<&str> = seen.iter().map(|(a, _)| a.as_str()).collect();
    let limited = seen.iter().position(|(a, _)| a == "app-0").unwrap();
    let first_wave: Vec<String> = (1..wave).map(|i| format!("app-{i}")).collect();
    let hold = Duration::from_secs(RETRY_AFTER_S) - Duration::from_millis(50);
    let mut late = 0;
    for (i, (app, at)) in seen.iter().enumerate() {
        if i == limited || first_wave.contains(app) {
            continue;
        }
        late += 1;
        let after = at.duration_since(seen[limited].1);
        assert!(
            after >= hold,
            "{app} was sent {after:?} after the 429: {apps:?}"
        );
    }
    late
}

#[tokio::test]
async fn a_429_holds_every_task_of_the_fan_out_until_retry_after() {
    let (_server, recorder, tv) = setup().await;
    let done = run(&tv, Concurrency::Fixed(2)).await;
    assert_eq!(done.len(), 5, "every app completes: {done:?}");
    // app-0 (429) and app-1 go first. app-1 frees its slot after 300 ms, but app-2
    // then waits for the 429's second like app-0's retry, and so do 3 and 4.
    assert_eq!(assert_held(&recorder, 2), 4);
    let stats = tv.stats();
    assert_eq!((stats.requests, stats.retries), (6, 1));
}

#[tokio::test]
async fn the_adaptive_default_honours_the_hold_too() {
    let (_server, recorder, tv) = setup().await;
    let done = run(&tv, Concurrency::adaptive()).await;
    assert_eq!(done.len(), 5);
    // The first wave is the adaptive start (4 apps); app-4 and app-0's retry are held.
    assert_eq!(tv_client::fanout::ADAPTIVE_INITIAL, 4);
    assert_eq!(assert_held(&recorder, 4), 2);
    assert_eq!(tv.stats().requests, 6);
}

#[tokio::test]
async fn a_429_that_is_not_retried_still_holds_the_others() {
    // One attempt only and no 429 waits free of it: app-0's 429 ends its call, and the
    // rest still wait it out.
    let policy = RetryPolicy::default()
        .max_attempts(1)
        .rate_limit_budget(Duration::ZERO);
    let (_server, recorder, tv) = setup_with(policy).await;
    let done = outcomes(&tv, Concurrency::Fixed(2)).await;
    let failed: Vec<&str> = done
        .iter()
        .filter(|(_, result)| result.is_err())
        .map(|(app, _)| app.as_str())
        .collect();
    assert_eq!(failed, ["app-0"]);
    assert_eq!(assert_held(&recorder, 2), 3);
    assert_eq!((tv.stats().requests, tv.stats().retries), (5, 0));
}
