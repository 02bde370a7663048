//! `--dry-run` of every write: the write runs through [`tv_client::DryRun`], which
//! records the request it would send instead of sending it, and the recorded requests
//! are printed (key redacted). One implementation for all writes.

use schemars::JsonSchema;
use serde::Serialize;
use tv_client::{TraceView, WriteRequest};

use super::{Env, column, emit, to_json};
use crate::exit::{CliError, Exit};
use crate::render::{Align, Cell, Report, Table};

/// JSON of `--dry-run`: what would have been sent.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DryRunOutput {
    /// Always true: nothing was sent.
    pub dry_run: bool,
    /// The requests, in order.
    pub requests: Vec<DryRunRequest>,
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
    emit(&report(&dry.requests(), Vec::new())?, env)
}

/// The report of recorded requests, with notes for table mode.
pub fn report(requests: &[WriteRequest], notes: Vec<String>) -> Result<Report, CliError> {
    let output = DryRunOutput {
        dry_run: true,
        requests: requests.iter().map(DryRunRequest::from).collect(),
    };
    let table = Table {
        title: Some("Dry run: nothing was sent".to_string()),
        columns: vec![
            column("method", "Method", Align::Left),
            column("url", "URL", Align::Left),
            column("body", "Body", Align::Left),
        ],
        rows: output
            .requests
            .iter()
            .map(|r| {
                vec![
                    Cell::text(&r.method),
                    Cell::text(&r.url),
                    Cell::text(&r.body),
                ]
            })
            .collect(),
    };
    let ndjson = output
        .requests
        .iter()
        .map(to_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Report {
        json: to_json(&output)?,
        ndjson,
        tables: vec![table],
        charts: Vec::new(),
        notes,
        csv: None,
    })
}
