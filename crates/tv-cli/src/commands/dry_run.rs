//! `--dry-run` of every write: the write runs through [`tv_client::DryRun`], which
//! records the request it would send instead of sending it, and the recorded requests
//! are printed (key redacted). One implementation for all writes.

use schemars::JsonSchema;
use serde::Serialize;
use tv_client::{TraceView, WriteRequest};

use std::io;

use super::{Env, column, emit};
use crate::exit::{CliError, Exit};
use crate::render::{Align, Cell, Format, Json, Output, Rows, Table, value_of};

/// JSON of `--dry-run`: what would have been sent.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DryRunOutput {
    /// Always true: nothing was sent.
    pub dry_run: bool,
    /// The requests, in order.
    pub requests: Vec<DryRunRequest>,
    /// Table and Markdown only: what else would have happened.
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// One request a write would send.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DryRunRequest {
    /// The operation, e.g. `log_message`.
    pub operation: String,
    /// `POST`, `DELETE`, …
    pub method: String,
    /// The URL, with `key=***`.
    pub url: String,
    /// The form body as sent (`application/x-www-form-urlencoded`), empty without one.
    pub body: String,
}

impl From<&WriteRequest> for DryRunRequest {
    fn from(request: &WriteRequest) -> Self {
        DryRunRequest {
            operation: request.operation.clone(),
            method: request.method.clone(),
            url: request.url.clone(),
            body: request.form_body(),
        }
    }
}

/// Runs `write` on a recording copy of `tv` and prints what it would have sent.
pub async fn show<F, T>(tv: &TraceView, env: &Env, write: F) -> Result<Exit, CliError>
where
    F: AsyncFnOnce(TraceView) -> Result<T, tv_client::Error>,
{
    let dry = tv.dry_run();
    write(dry.client().clone()).await?;
    emit(&output(&dry.requests(), Vec::new()), env)
}

/// The output of recorded requests, with notes for table mode.
pub fn output(requests: &[WriteRequest], notes: Vec<String>) -> DryRunOutput {
    DryRunOutput {
        dry_run: true,
        requests: requests.iter().map(DryRunRequest::from).collect(),
        notes,
    }
}

impl Output for DryRunOutput {
    fn json(&self) -> io::Result<Json<'_>> {
        Json::of(self)
    }

    /// One record per request.
    fn records(&self) -> Rows<'_> {
        Box::new(self.requests.iter().map(value_of))
    }

    fn tables(&self, _: Format) -> io::Result<Vec<Table>> {
        let rows = self.requests.iter().map(|r| {
            vec![
                Cell::text(&r.method),
                Cell::text(&r.url),
                Cell::text(&r.body),
            ]
        });
        Ok(vec![Table {
            title: Some("Dry run: nothing was sent".to_string()),
            columns: vec![
                column("method", "Method", Align::Left),
                column("url", "URL", Align::Left),
                column("body", "Body", Align::Left),
            ],
            rows: rows.collect(),
        }])
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
}
