//! Dry runs: the requests a write would send, built by the very code that sends them,
//! recorded instead of sent.
//!
//! [`TraceView::dry_run`] hands out a copy of a client whose transport records every
//! request (method, URL, form body) and answers it as a successful write. Any
//! operation run through that copy goes through the normal call path — validation,
//! form building, the key hook — so what [`DryRun::requests`] shows is exactly what the
//! real call would put on the wire, with the key replaced by `***`.
//!
//! ```no_run
//! use tv_client::{NewAnnotation, TraceView};
//!
//! # async fn run(tv: TraceView) -> Result<(), tv_client::Error> {
//! let dry = tv.dry_run();
//! dry.client()
//!     .annotations()
//!     .create(&NewAnnotation { message: "deploy 1.2".into(), ..NewAnnotation::default() })
//!     .await?;
//! for request in dry.requests() {
//!     println!("{} {}", request.method, request.url); // POST …/log_message?key=***
//! }
//! # Ok(())
//! # }
//! ```

use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::client::TraceView;
use crate::redact::REDACTED;
use crate::secret::hide_key;

/// A client that records requests instead of sending them. Get one with
/// [`TraceView::dry_run`].
#[derive(Debug, Clone)]
pub struct DryRun {
    client: TraceView,
    sink: Arc<Mutex<Vec<tv_api::CapturedRequest>>>,
    key: String,
}

/// One request a dry run recorded, the key redacted everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct WriteRequest {
    /// The operation, e.g. `log_message`.
    pub operation: String,
    /// `POST`, `DELETE`, …
    pub method: String,
    /// The URL, with `key=***`.
    pub url: String,
    /// The form body's fields in wire order (empty without a body), `key` redacted.
    pub form: Vec<(String, String)>,
}

impl WriteRequest {
    /// The form body as it would be sent (`message=deploy+1.2&appname=web-shop`), with
    /// the key redacted.
    pub fn form_body(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&self.form)
            .finish()
    }
}

impl TraceView {
    /// A copy of this client (same base URL, key and policy) that sends nothing:
    /// every request it would make is recorded and answered as a successful write.
    /// Meant for writes; a read through it fails to decode.
    pub fn dry_run(&self) -> DryRun {
        let sink = Arc::new(Mutex::new(Vec::new()));
        let context = tv_api::ClientInfo::inner(self.raw())
            .clone()
            .with_capture(Arc::clone(&sink));
        let key = context.key().expose().to_owned();
        let api = tv_api::Client::new_with_client(
            self.base_url(),
            tv_api::ClientInfo::client(self.raw()).clone(),
            context,
        );
        DryRun {
            client: self.with_api(api),
            sink,
            key,
        }
    }
}

impl DryRun {
    /// The recording client: run the writes to describe through it.
    pub fn client(&self) -> &TraceView {
        &self.client
    }

    /// The requests recorded so far, in the order they were made.
    pub fn requests(&self) -> Vec<WriteRequest> {
        let captured = match self.sink.lock() {
            Ok(requests) => requests.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        captured
            .iter()
            .map(|request| describe(request, &self.key))
            .collect()
    }
}

fn describe(request: &tv_api::CapturedRequest, key: &str) -> WriteRequest {
    let mut url = request.url.clone();
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    if query.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut()
            .clear()
            .extend_pairs(query.iter().map(|(name, value)| redacted_pair(name, value)));
    }
    let form = request
        .body
        .as_deref()
        .map(|body| {
            url::form_urlencoded::parse(body)
                .into_owned()
                .map(|(name, value)| {
                    let (name, value) = redacted_pair(&name, &value);
                    (name.to_owned(), hide_key(value, key).into_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    WriteRequest {
        operation: request.operation.to_owned(),
        method: request.method.clone(),
        url: hide_key(url.as_str(), key).into_owned(),
        form,
    }
}

fn redacted_pair<'a>(name: &'a str, value: &'a str) -> (&'a str, &'a str) {
    if name == tv_api::KEY_PARAMETER {
        (name, REDACTED)
    } else {
        (name, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Assignment, NewAnnotation};

    const KEY: &str = "dry-run-secret-key-4411";

    fn client() -> TraceView {
        // Port 9 (discard) on loopback: nothing listens there, and nothing may be sent.
        TraceView::builder()
            .site("http://127.0.0.1:9/api-v2")
            .api_key(KEY)
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn a_dry_run_records_the_wire_request_with_the_key_redacted() {
        let tv = client();
        let dry = tv.dry_run();
        let note = NewAnnotation {
            message: "deploy 1.2 & more".into(),
            app: Some("web-shop".into()),
            ..NewAnnotation::default()
        };
        dry.client().annotations().create(&note).await.unwrap();
        dry.client().apps().delete("web shop/α").await.unwrap();
        let requests = dry.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].operation, "log_message");
        assert_eq!(requests[0].method, "POST");
        assert_eq!(
            requests[0].url,
            "http://127.0.0.1:9/api-v2/log_message?key=***"
        );
        assert_eq!(
            requests[0].form_body(),
            "appname=web-shop&message=deploy+1.2+%26+more"
        );
        assert_eq!(requests[1].method, "DELETE");
        assert!(
            requests[1].url.contains("/app/web%20shop%2F%CE%B1?key=***"),
            "{}",
            requests[1].url
        );
        let all = format!("{requests:?}");
        assert!(!all.contains(KEY), "{all}");
        assert_eq!(tv.stats().requests, 0, "the real client sent nothing");
    }

    #[tokio::test]
    async fn validation_still_applies_in_a_dry_run() {
        let dry = client().dry_run();
        let bad = Assignment {
            app: "a".into(),
            host: "h".into(),
            tags: vec!["two words".into()],
            ..Assignment::default()
        };
        assert!(dry.client().apps().assign(&bad).await.is_err());
        assert!(dry.requests().is_empty());
    }
}
