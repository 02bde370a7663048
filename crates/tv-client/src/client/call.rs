//! One logical API call: attempts, retries with backoff, error mapping, counters and
//! the `tracing` event of every attempt.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use tv_api::types::ErrorEnvelope;
use tv_api::{Exchange, ResponseObserver, ResponseValue};

use crate::client::deadline::Deadline;
use crate::client::retry::RetryPolicy;
use crate::client::slowdown::Slowdown;
use crate::error::Error;
use crate::redact::redact;

/// What the generated client returns.
pub(crate) type ApiResult<T> = Result<ResponseValue<T>, tv_api::Error<ErrorEnvelope>>;

/// How much of an unexpected body is read to quote it in an error.
const BODY_EXCERPT_BYTES: usize = 16 * 1024;

tokio::task_local! {
    /// The HTTP status of the attempt running in this task, recorded by [`StatusProbe`]:
    /// progenitor drops it when a body fails to decode (an HTML 502 page), and errors
    /// must still say which status came back. Progenitor 0.15 offers no other way to
    /// hand it back: `Error::InvalidResponsePayload` keeps only the bytes and the JSON
    /// error, and its hooks (`pre`, `post`, `exec`) can attach nothing to the result. A body type
    /// that never fails to decode cannot help either, since serde_json refuses an HTML
    /// page before any `Deserialize` runs. So the status lives in a task-local scoped
    /// to one attempt, not in state shared by concurrent calls.
    static LAST_STATUS: Cell<Option<(u16, Option<Duration>)>>;
}

/// The observer installed in the generated client: notes each response's status and
/// `Date` header (the server's clock, [`ServerDate`]), and logs each request (`info`:
/// method, path and query with the key redacted; `debug`: status, size and time to the
/// response head).
pub(crate) struct StatusProbe(pub(crate) Arc<ServerDate>);

/// The `Date` header of the latest answer that had a valid one: the server's clock, to
/// the second, as Unix seconds (`i64::MIN`: none seen yet).
#[derive(Debug)]
pub(crate) struct ServerDate(AtomicI64);

impl Default for ServerDate {
    fn default() -> Self {
        ServerDate(AtomicI64::new(i64::MIN))
    }
}

impl ServerDate {
    /// The latest `Date` the server sent, if any.
    pub(crate) fn get(&self) -> Option<DateTime<Utc>> {
        match self.0.load(Ordering::Relaxed) {
            i64::MIN => None,
            seconds => DateTime::from_timestamp(seconds, 0),
        }
    }

    fn note(&self, headers: &reqwest::header::HeaderMap) {
        let date = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok());
        if let Some(date) = date {
            self.0.store(date.timestamp(), Ordering::Relaxed);
        }
    }
}

impl ResponseObserver for StatusProbe {
    fn observe(&self, exchange: &Exchange<'_>) {
        if let Some(headers) = exchange.headers {
            self.0.note(headers);
        }
        let status = exchange
            .status
            .map(|s| (s.as_u16(), exchange.headers.and_then(retry_after)));
        let _ = LAST_STATUS.try_with(|cell| cell.set(status));
        let url = exchange.url;
        let target = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let target = redact(&target);
        tracing::info!("{} {target}", exchange.method);
        let elapsed_ms = exchange.elapsed.as_secs_f64() * 1000.0;
        match exchange.status {
            Some(status) => {
                let size = exchange
                    .headers
                    .and_then(|h| h.get(reqwest::header::CONTENT_LENGTH))
                    .and_then(|v| v.to_str().ok())
                    .map_or_else(|| "size unknown".to_owned(), |n| format!("{n} bytes"));
                tracing::debug!(
                    "{} {target} -> HTTP {}, {size}, {elapsed_ms:.1} ms",
                    exchange.method,
                    status.as_u16()
                );
            }
            None => tracing::debug!(
                "{} {target} -> no response after {elapsed_ms:.1} ms",
                exchange.method
            ),
        }
    }
}

/// Whether an operation may be repeated without changing the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// GET: retried on transient failures.
    Idempotent,
    /// DELETE: retried too (deleting twice deletes once), but a retry that finds the
    /// thing gone after an attempt whose answer was lost is a success, see
    /// [`Deletion::AfterLostAnswer`].
    Delete,
    /// `log_message`, `assign_app`: a retry could duplicate the write.
    Write,
}

/// How a delete ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// The server confirmed the deletion.
    Confirmed,
    /// An attempt failed in a way that may have deleted it (a timeout, a server error,
    /// a lost connection), and the retry found nothing to delete: most likely that
    /// attempt deleted it and its answer was lost. Either way it is gone now.
    AfterLostAnswer,
}

/// What a call's attempts came to: a value, or (deletes only) "gone after an attempt
/// whose answer was lost".
pub(crate) enum Answer<T> {
    Value(T),
    GoneAfterLostAnswer,
}

/// (operation, outcome label) of an attempt.
type OperationOutcome = (&'static str, &'static str);

/// Request counters of a client, shared by its clones.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    waited_micros: AtomicU64,
    /// Attempts the server answered with a sign of overload: 429, a 5xx, a timeout.
    overloads: AtomicU64,
    /// Attempts and their time by (operation, outcome).
    by_operation: Mutex<BTreeMap<OperationOutcome, (u64, Duration)>>,
}

/// The HTTP requests of one operation with one outcome, over all clones of a client
/// (what [`TraceView::api_calls`](crate::TraceView::api_calls) lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCalls {
    /// The operation, e.g. `get_server_latency_summary`.
    pub operation: &'static str,
    /// How the attempts ended: `ok`, `auth`, `not_found`, `bad_request`, `refused`,
    /// `rate_limited`, `server_error`, `timeout`, `deadline` (cut short by the run's
    /// [`Deadline`]), `too_large`, `transport`, `decode`, `unexpected` or `other`.
    pub outcome: &'static str,
    /// Attempts (first tries and retries).
    pub requests: u64,
    /// Time spent in them, from sending to the decoded answer or the error.
    pub time: Duration,
}

/// The outcome of an attempt as a short label (see [`ApiCalls::outcome`]).
fn outcome_label(result: Result<(), &Error>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(Error::Auth) => "auth",
        Err(Error::NotFound(_)) => "not_found",
        Err(Error::BadRequest(_)) => "bad_request",
        Err(Error::Refused { .. }) => "refused",
        Err(Error::RateLimited { .. }) => "rate_limited",
        Err(Error::Server { .. }) => "server_error",
        Err(Error::Timeout) => "timeout",
        Err(Error::DeadlineExceeded { .. }) => "deadline",
        Err(Error::ResponseTooLarge { .. }) => "too_large",
        Err(Error::Transport { .. }) => "transport",
        Err(Error::Decode { .. }) => "decode",
        Err(Error::UnexpectedResponse { .. }) => "unexpected",
        Err(_) => "other",
    }
}

/// A snapshot of a client's request counters (`tv --timings` prints them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP attempts made (first tries and retries).
    pub requests: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Time spent waiting between attempts.
    pub waited: Duration,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            waited: Duration::from_micros(self.waited_micros.load(Ordering::Relaxed)),
        }
    }

    /// How many attempts so far were answered with a sign of overload.
    pub(crate) fn overloads(&self) -> u64 {
        self.overloads.load(Ordering::Relaxed)
    }

    /// Notes one attempt of `operation`.
    fn note_attempt(&self, operation: &'static str, outcome: &'static str, took: Duration) {
        let mut tally = self
            .by_operation
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = tally.entry((operation, outcome)).or_default();
        entry.0 += 1;
        entry.1 += took;
    }

    /// The attempts so far by operation and outcome, sorted.
    pub(crate) fn api_calls(&self) -> Vec<ApiCalls> {
        let tally = self
            .by_operation
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tally
            .iter()
            .map(|(&(operation, outcome), &(requests, time))| ApiCalls {
                operation,
                outcome,
                requests,
                time,
            })
            .collect()
    }
}

/// What every call of a client (and of its clones) shares.
pub(crate) struct Shared<'a> {
    pub(crate) policy: &'a RetryPolicy,
    pub(crate) counters: &'a Counters,
    pub(crate) slowdown: &'a Slowdown,
    /// The run's deadline, if any: it clips every attempt and every wait.
    pub(crate) deadline: Option<Deadline>,
}

/// Runs `future` within the time `deadline` leaves; the deadline when it came first.
async fn within<F: Future>(deadline: Option<Deadline>, future: F) -> Result<F::Output, Deadline> {
    match deadline {
        None => Ok(future.await),
        Some(deadline) => tokio::time::timeout_at(deadline.at(), future)
            .await
            .map_err(|_| deadline),
    }
}

/// The error of a call the deadline stopped: `interrupted` when an attempt was in
/// flight, `after` the failure a retry was waiting to get past. A write or delete that
/// may have been applied becomes an unknown outcome, as for any other failure.
fn stopped(
    deadline: Deadline,
    interrupted: bool,
    after: Option<Error>,
    operation: &'static str,
    kind: Kind,
    retried: bool,
) -> Error {
    let error = Error::DeadlineExceeded {
        budget: deadline.budget(),
        interrupted,
        after: after.map(Box::new),
    };
    tracing::info!(operation, "stopped at the run's deadline");
    match kind {
        Kind::Idempotent => error,
        Kind::Delete | Kind::Write => unknown_write_outcome(operation, kind, retried, error),
    }
}

/// Runs `send` until it succeeds, fails for good, or the policy's attempts run out.
/// Every attempt first waits out the client's [`Slowdown`]; a 429 sets it, so one
/// task's 429 slows down all. `key` is hidden from every text an error quotes from the
/// server (an error page may echo the key anywhere, not only as `key=…`).
pub(crate) async fn call<T, F, Fut>(
    operation: &'static str,
    kind: Kind,
    shared: Shared<'_>,
    key: &str,
    send: F,
) -> Result<Answer<T>, Error>
where
    T: DeserializeOwned,
    F: Fn() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    let mut attempt: u32 = 0;
    // Whether an earlier attempt of a delete may have been applied.
    let mut maybe_applied = false;
    // The 429 waits of this call that did not count as attempts.
    let mut rate_limit_waited = Duration::ZERO;
    // The failure of the previous attempt, which a retry is trying to get past.
    let mut last: Option<Error> = None;
    let Shared {
        policy,
        counters,
        slowdown,
        deadline,
    } = shared;
    loop {
        attempt += 1;
        let held = within(deadline, slowdown.wait()).await;
        let passed = match held {
            Err(deadline) => Some(deadline),
            Ok(_) => deadline.filter(Deadline::has_passed),
        };
        if let Some(deadline) = passed {
            return Err(stopped(deadline, false, last, operation, kind, attempt > 2));
        }
        let held = held.unwrap_or_default();
        if !held.is_zero() {
            counters
                .waited_micros
                .fetch_add(held.as_micros() as u64, Ordering::Relaxed);
        }
        let started = Instant::now();
        let answered = within(
            deadline,
            LAST_STATUS.scope(Cell::new(None), async {
                let result = send().await;
                (result, LAST_STATUS.with(Cell::get))
            }),
        )
        .await;
        counters.requests.fetch_add(1, Ordering::Relaxed);
        let (result, status) = match answered {
            Ok(answered) => answered,
            Err(deadline) => {
                let error = stopped(deadline, true, last, operation, kind, attempt > 1);
                counters.note_attempt(operation, "deadline", started.elapsed());
                return Err(error);
            }
        };
        let (status, status_retry_after) = match status {
            Some((code, retry_after)) => (Some(code), retry_after),
            None => (None, None),
        };
        let outcome = match result {
            Ok(value) => Ok(value.into_inner()),
            Err(error) => Err(map_error::<T>(error, status, status_retry_after, key).await),
        };
        let took = started.elapsed();
        counters.note_attempt(operation, outcome_label(outcome.as_ref().map(|_| ())), took);
        let elapsed_ms = took.as_secs_f64() * 1000.0;
        match &outcome {
            Ok(_) => tracing::trace!(operation, attempt, status, elapsed_ms, "TraceView call"),
            Err(error) => {
                tracing::debug!(operation, attempt, status, elapsed_ms, %error, "TraceView call failed")
            }
        }
        let error = match outcome {
            Ok(value) => return Ok(Answer::Value(value)),
            Err(error) => error,
        };
        // The server (or the way to it) is overloaded: a fan-out then runs fewer apps at once.
        if error.is_transient() {
            counters.overloads.fetch_add(1, Ordering::Relaxed);
        }
        if let Error::RateLimited { retry_after } = &error {
            // Not only this call: every request of the client waits, whether or not
            // this call retries (a last attempt, a write, a `Retry-After` too long).
            slowdown.hold(policy.rate_limit_hold(attempt, *retry_after));
        }
        if kind == Kind::Delete {
            if maybe_applied && matches!(error, Error::NotFound(_)) {
                tracing::info!(
                    operation,
                    attempt,
                    "gone after an attempt whose answer was lost"
                );
                return Ok(Answer::GoneAfterLostAnswer);
            }
            maybe_applied |= error.may_have_been_applied();
        }
        let may_retry = kind != Kind::Write || policy.retries_writes();
        if !may_retry {
            return Err(unknown_write_outcome(operation, kind, false, error));
        }
        // Waiting out a 429 the server timed is obeying it, not a failed attempt.
        if let Error::RateLimited {
            retry_after: Some(asked),
        } = &error
            && policy.rate_limit_wait_is_free(rate_limit_waited, *asked)
        {
            rate_limit_waited += RetryPolicy::rate_limit_cost(*asked);
            attempt -= 1;
        }
        // A delete cannot duplicate: one that may have been applied (a truncated or
        // unreadable answer) is tried again, and the retry finds it gone or deletes it.
        let retryable =
            error.is_retryable() || (kind == Kind::Delete && error.may_have_been_applied());
        if !retryable || attempt >= policy.attempts() {
            return Err(match kind {
                Kind::Idempotent => error,
                Kind::Delete | Kind::Write => {
                    unknown_write_outcome(operation, kind, attempt > 1, error)
                }
            });
        }
        let retry_after = match &error {
            Error::RateLimited { retry_after } => *retry_after,
            // A 503's `Retry-After` is how long the server expects to be unavailable
            // (RFC 9110, 10.2.3): obeyed like a 429's, within the same bound.
            Error::Server { status: 503 } => status_retry_after,
            _ => None,
        };
        let Some(delay) = policy.delay(attempt, retry_after) else {
            // The server asked to wait longer than the policy allows.
            return Err(error);
        };
        // A wait that would pass the run's deadline ends the call now, with the failure
        // it was waiting to get past.
        if let Some(deadline) = deadline
            && delay >= deadline.remaining()
        {
            return Err(stopped(
                deadline,
                false,
                Some(error),
                operation,
                kind,
                attempt > 1,
            ));
        }
        counters.retries.fetch_add(1, Ordering::Relaxed);
        counters
            .waited_micros
            .fetch_add(delay.as_micros() as u64, Ordering::Relaxed);
        tracing::info!(operation, attempt, delay_ms = delay.as_millis() as u64, %error, "retrying");
        last = Some(error);
        tokio::time::sleep(delay).await;
    }
}

/// An app's name as a path segment, or why it cannot be one (`.` and `..`, which a URL
/// parser resolves to another path, and the empty name): checked here, before anything
/// is sent, with a message for people (the generated builder's says only that a
/// conversion failed).
pub(crate) fn app_segment(app: &str) -> Result<tv_api::types::PathSegment, Error> {
    app.parse().map_err(|_| {
        Error::invalid_argument(format!(
            "the app name `{app}` cannot be sent: a URL path cannot carry an empty name, `.` or `..`"
        ))
    })
}

/// A write that failed after it may have reached the server is reported as such, so
/// callers do not repeat it blindly. Failures that prove nothing was applied (a
/// refusal, a failure to connect) pass through.
fn unknown_write_outcome(
    operation: &'static str,
    kind: Kind,
    retried: bool,
    error: Error,
) -> Error {
    if error.may_have_been_applied() && !matches!(error, Error::OutcomeUnknown { .. }) {
        Error::OutcomeUnknown {
            operation,
            retried,
            duplicable: kind == Kind::Write,
            cause: Box::new(error),
        }
    } else {
        error
    }
}

#[path = "call_errors.rs"]
mod errors;

pub(crate) use errors::decode_error;
use errors::{map_error, retry_after};

#[cfg(test)]
#[path = "call_tests.rs"]
mod tests;
