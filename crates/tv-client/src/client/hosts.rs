//! Hosts and app management.

use super::TraceView;
use super::call::{Deletion, Kind};
use crate::error::Error;
use crate::model::{Assignment, Host, InstrumentationVersion};

/// Hosts and their instrumentation. Get one with [`TraceView::hosts`].
#[derive(Debug, Clone, Copy)]
pub struct Hosts<'a>(pub(super) &'a TraceView);

impl Hosts<'_> {
    /// Every host, most recent trace first (hosts that never traced last).
    pub async fn list(self) -> Result<Vec<Host>, Error> {
        let envelope = self
            .0
            .call("list_hosts", Kind::Idempotent, |api| {
                api.list_hosts().send()
            })
            .await?;
        convert(envelope.data, Host::from_wire)
    }

    /// The hosts of one app.
    pub async fn of_app(self, app: &str) -> Result<Vec<Host>, Error> {
        let segment = super::call::app_segment(app)?;
        let envelope = self
            .0
            .call("list_app_hosts", Kind::Idempotent, |api| {
                api.list_app_hosts().app(segment.clone()).send()
            })
            .await?;
        convert(envelope.data, Host::from_wire)
    }

    /// The instrumentation installed on a host.
    pub async fn versions(self, host_id: i64) -> Result<Vec<InstrumentationVersion>, Error> {
        let envelope = self
            .0
            .call("list_host_versions", Kind::Idempotent, |api| {
                api.list_host_versions().host_id(host_id).send()
            })
            .await?;
        convert(envelope.data, InstrumentationVersion::from_wire)
    }

    /// Deletes a host record. Retried like a read; see [`Deletion`] for a retry that
    /// finds the host already gone.
    pub async fn delete(self, host_id: i64) -> Result<Deletion, Error> {
        self.0
            .call_delete("delete_host", &format!("host {host_id}"), |api| {
                api.delete_host().host_id(host_id).send()
            })
            .await
    }
}

/// Creating, assigning and deleting apps. Get one with [`TraceView::apps`].
#[derive(Debug, Clone, Copy)]
pub struct Apps<'a>(pub(super) &'a TraceView);

impl Apps<'_> {
    /// Puts a host into an app, creating the app when `create` is set. Not retried
    /// unless the retry policy allows writes.
    pub async fn assign(self, assignment: &Assignment) -> Result<(), Error> {
        if let Some(bad) = assignment
            .tags
            .iter()
            .find(|t| t.is_empty() || t.contains([',', ' ']))
        {
            return Err(Error::invalid_argument(format!(
                "tag `{bad}` is empty or contains a comma or a space"
            )));
        }
        let form = tv_api::types::AssignAppForm {
            appname: wire_value("appname", assignment.app.clone())?,
            hostname: wire_value("hostname", assignment.host.clone())?,
            layer: assignment
                .layer
                .clone()
                .map(|l| wire_value("layer", l))
                .transpose()?,
            tags: (!assignment.tags.is_empty())
                .then(|| wire_value("tags", assignment.tags.join(",")))
                .transpose()?,
            create: assignment
                .create
                .then(|| tv_api::types::CreateFlag("true".to_string())),
            key: None,
        };
        let envelope = self
            .0
            .call("assign_app", Kind::Write, |api| {
                api.assign_app().body(form.clone()).send()
            })
            .await?;
        confirmed(
            &format!(
                "assign host `{}` to app `{}`",
                assignment.host, assignment.app
            ),
            envelope.data,
        )
    }

    /// Deletes an app (`Default` cannot be deleted). Retried like a read; see
    /// [`Deletion`] for a retry that finds the app already gone.
    pub async fn delete(self, app: &str) -> Result<Deletion, Error> {
        let segment = super::call::app_segment(app)?;
        self.0
            .call_delete("delete_app", &format!("app `{app}`"), |api| {
                api.delete_app().app(segment.clone()).send()
            })
            .await
    }
}

/// Converts a wire list element by element, keeping the element's index for errors.
pub(super) fn convert<W, T>(
    items: Vec<W>,
    f: impl Fn(usize, W) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| f(i, item))
        .collect()
}

/// A write's parameter as the spec's constrained type (`HostName`, `MessageText`, …): a
/// value the spec refuses is an [`Error::InvalidArgument`] naming the parameter, before
/// anything is sent.
pub(super) fn wire_value<T>(name: &str, value: String) -> Result<T, Error>
where
    T: TryFrom<String>,
    T::Error: std::fmt::Display,
{
    T::try_from(value).map_err(|e| Error::invalid_argument(format!("{name}: {e}")))
}

/// A write answers `data: true`; `data: false` is a refusal of `what` (e.g. `delete
/// app `web``), which the server did not apply.
pub(super) fn confirmed(what: &str, data: bool) -> Result<(), Error> {
    if data {
        Ok(())
    } else {
        Err(Error::Refused {
            status: 200,
            reason: crate::error::one_line(
                &format!("the server did not {what} (it answered `data: false`)"),
                crate::error::SNIPPET_CHARS * 2,
            ),
        })
    }
}
