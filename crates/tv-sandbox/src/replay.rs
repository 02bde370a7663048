//! Answering from a recording (`tv sandbox --replay DIR`, `tv --replay DIR`): the
//! exchanges `tv --record DIR` wrote (tv-api's [`RecordedExchange`], one JSON file
//! each), served again byte for byte. A request is found by its method, its target and
//! its form body, scrubbed as the recorder scrubbed them (so any key is accepted); the
//! same request asked again gets the recorded answers in their order, then the last
//! one. A request the recording does not hold is answered `501` with one line naming
//! it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::task::JoinHandle;
use tv_api::recording::{RecordedExchange, scrub_form, scrub_target};

use crate::server::API_PREFIX;

/// The most exchange files a recording may hold.
pub const MAX_EXCHANGES: usize = 20_000;
/// The most bytes one exchange file may hold.
pub const MAX_EXCHANGE_BYTES: u64 = 256 * 1024 * 1024;
/// The most bytes a whole recording may hold.
pub const MAX_RECORDING_BYTES: u64 = 1024 * 1024 * 1024;

/// What a request is found by: method, scrubbed target, scrubbed form body.
type Lookup = (String, String, Option<String>);

/// A loaded recording.
#[derive(Debug)]
pub struct Recording {
    dir: PathBuf,
    answers: HashMap<Lookup, Vec<RecordedExchange>>,
    served: Mutex<HashMap<Lookup, usize>>,
    count: usize,
}

impl Recording {
    /// Reads every `*.json` file of `dir` in name order (the order answered), within
    /// [`MAX_EXCHANGES`], [`MAX_EXCHANGE_BYTES`] and [`MAX_RECORDING_BYTES`]. Errors are
    /// one line for people.
    pub fn load(dir: &Path) -> Result<Recording, String> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read the recording {}: {e}", dir.display()))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        if files.is_empty() {
            return Err(format!(
                "{} holds no recording (record one with `tv --record {} COMMAND`)",
                dir.display(),
                dir.display()
            ));
        }
        if files.len() > MAX_EXCHANGES {
            return Err(format!(
                "{} holds {} exchanges, more than the {MAX_EXCHANGES} a replay reads",
                dir.display(),
                files.len()
            ));
        }
        files.sort();
        let mut answers: HashMap<Lookup, Vec<RecordedExchange>> = HashMap::new();
        let mut total: u64 = 0;
        for path in &files {
            let size = std::fs::metadata(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .len();
            total = total.saturating_add(size);
            if size > MAX_EXCHANGE_BYTES || total > MAX_RECORDING_BYTES {
                return Err(format!(
                    "{} is too large to replay (at most {MAX_EXCHANGE_BYTES} bytes a file, {MAX_RECORDING_BYTES} in all)",
                    path.display()
                ));
            }
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let exchange: RecordedExchange = serde_json::from_str(&text)
                .map_err(|e| format!("{} is not a recorded exchange: {e}", path.display()))?;
            let lookup = (
                exchange.method.clone(),
                exchange.target.clone(),
                exchange.request_body.clone(),
            );
            answers.entry(lookup).or_default().push(exchange);
        }
        Ok(Recording {
            dir: dir.to_path_buf(),
            answers,
            served: Mutex::new(HashMap::new()),
            count: files.len(),
        })
    }

    /// How many exchanges the recording holds.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the recording holds none (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The recorded answer to `method target body` (target with the API prefix, e.g.
    /// `/api-v2/apps?key=…`), or `None`.
    pub fn answer(&self, method: &str, target: &str, body: &[u8]) -> Option<RecordedExchange> {
        let lookup = lookup(method, target, body);
        let recorded = self.answers.get(&lookup)?;
        let mut served = match self.served.lock() {
            Ok(served) => served,
            Err(poisoned) => poisoned.into_inner(),
        };
        let times = served.entry(lookup).or_insert(0);
        let index = (*times).min(recorded.len() - 1);
        *times += 1;
        recorded.get(index).cloned()
    }
}

/// The lookup of a request as it arrives: the API prefix dropped, then scrubbed as
/// the recorder scrubs.
fn lookup(method: &str, target: &str, body: &[u8]) -> Lookup {
    let relative = target.strip_prefix(API_PREFIX).unwrap_or(target);
    let body = (!body.is_empty()).then(|| scrub_form(&String::from_utf8_lossy(body)));
    (method.to_owned(), scrub_target(relative), body)
}

async fn answer(
    State(recording): State<Arc<Recording>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
    match recording.answer(method.as_str(), target, &body) {
        Some(exchange) => {
            let status = StatusCode::from_u16(exchange.status).unwrap_or(StatusCode::OK);
            let mut response = (status, exchange.body).into_response();
            if let Some(value) = exchange
                .content_type
                .and_then(|text| HeaderValue::from_str(&text).ok())
            {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        None => {
            let (method, target, _) = lookup(method.as_str(), target, &body);
            let line = format!(
                "not in the recording {}: {method} {target} ({} exchanges recorded; record this command with `tv --record DIR`)",
                recording.dir.display(),
                recording.len()
            );
            (StatusCode::NOT_IMPLEMENTED, line).into_response()
        }
    }
}

/// A replay server; dropping it stops it.
#[derive(Debug)]
pub struct RunningReplay {
    base_url: String,
    task: JoinHandle<()>,
}

impl RunningReplay {
    /// `http://ADDR/api-v2`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Drop for RunningReplay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accepts connections until dropped, one task per connection (HTTP/1.1, keep-alive).
async fn serve(listener: tokio::net::TcpListener, app: axum::Router) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, most likely: let connections close before the next.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    app.clone().oneshot(request.map(axum::body::Body::new))
                },
            );
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(REQUEST_DEADLINE)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The time a client has to send a request's headers.
const REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves `recording` on `bind` (`127.0.0.1:0` picks a free port).
pub async fn start(recording: Recording, bind: SocketAddr) -> Result<RunningReplay, String> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(Arc::new(recording));
    let task = tokio::spawn(serve(listener, app));
    Ok(RunningReplay {
        base_url: format!("http://{addr}{API_PREFIX}"),
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(target: &str, body: &str) -> RecordedExchange {
        RecordedExchange {
            operation: "get_apps".into(),
            method: "GET".into(),
            target: target.into(),
            request_body: None,
            status: 200,
            content_type: Some("application/json".into()),
            body: body.into(),
        }
    }

    #[test]
    fn answers_come_back_in_order_and_any_key_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        for (name, body) in [("0001-a.json", "first"), ("0002-a.json", "second")] {
            let text = serde_json::to_string(&exchange("/apps?time_window=day", body)).unwrap();
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let recording = Recording::load(dir.path()).unwrap();
        assert_eq!(recording.len(), 2);
        let ask = || recording.answer("GET", "/api-v2/apps?key=other&time_window=day", b"");
        assert_eq!(ask().unwrap().body, "first");
        assert_eq!(ask().unwrap().body, "second");
        assert_eq!(ask().unwrap().body, "second");
        assert!(
            recording
                .answer("GET", "/api-v2/apps?time_window=week", b"")
                .is_none()
        );
    }

    #[test]
    fn an_empty_directory_is_no_recording() {
        let dir = tempfile::tempdir().unwrap();
        let error = Recording::load(dir.path()).unwrap_err();
        assert!(error.contains("holds no recording"), "{error}");
    }
}
