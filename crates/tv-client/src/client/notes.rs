//! Annotations and the organization.

use chrono::{DateTime, Utc};

use super::TraceView;
use super::call::Kind;
use super::hosts::{confirmed, convert};
use crate::error::Error;
use crate::model::{Annotation, Licenses, NewAnnotation, Organization, User};

/// The time range of an annotation listing; both ends optional (the server defaults
/// to the last 7 days).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnnotationRange {
    /// Oldest annotation time.
    pub start: Option<DateTime<Utc>>,
    /// Newest annotation time.
    pub end: Option<DateTime<Utc>>,
}

/// Adds `time_start`/`time_end` (seconds) to an annotation listing request.
macro_rules! in_range {
    ($request:expr, $start:expr, $end:expr) => {{
        let mut request = $request;
        if let Some(start) = $start {
            request = request.time_start(start);
        }
        if let Some(end) = $end {
            request = request.time_end(end);
        }
        request
    }};
}

/// Reading and writing annotations. Get one with [`TraceView::annotations`].
#[derive(Debug, Clone, Copy)]
pub struct Annotations<'a>(pub(super) &'a TraceView);

impl Annotations<'_> {
    /// Annotations of the whole organization, newest first.
    pub async fn list(self, range: AnnotationRange) -> Result<Vec<Annotation>, Error> {
        let (start, end) = seconds(range);
        let envelope = self
            .0
            .call("list_annotations", Kind::Idempotent, |api| {
                in_range!(api.list_annotations(), start, end).send()
            })
            .await?;
        convert(envelope.data, Annotation::from_wire)
    }

    /// Annotations of one app, newest first.
    pub async fn of_app(self, app: &str, range: AnnotationRange) -> Result<Vec<Annotation>, Error> {
        let segment = super::call::app_segment(app)?;
        let (start, end) = seconds(range);
        let envelope = self
            .0
            .call("list_app_annotations", Kind::Idempotent, |api| {
                in_range!(api.list_app_annotations().app(segment.clone()), start, end).send()
            })
            .await?;
        convert(envelope.data, Annotation::from_wire)
    }

    /// Records an annotation. Not retried unless the retry policy allows writes: when
    /// the server fails after receiving it, the error is [`Error::OutcomeUnknown`].
    pub async fn create(self, note: &NewAnnotation) -> Result<(), Error> {
        if note.message.trim().is_empty() {
            return Err(Error::invalid_argument("an annotation needs a message"));
        }
        let form = tv_api::types::LogMessageForm {
            message: super::hosts::wire_value("message", note.message.clone())?,
            appname: note.app.clone(),
            hostname: note.host.clone(),
            username: note.user.clone(),
            layer: note.layer.clone(),
            time: note.time.map(|t| t.timestamp() as f64),
            key: None,
        };
        let envelope = self
            .0
            .call("log_message", Kind::Write, |api| {
                api.log_message().body(form.clone()).send()
            })
            .await?;
        confirmed("record the annotation", envelope.data)
    }

    /// The annotation [`Annotations::create`] just recorded, found by listing: the API
    /// answers a write with `true`, not with the new id. Looks among the app's (or, without
    /// an app, the organization's) annotations at `note.time` (to the second) or, without
    /// one, from 2 minutes before `near` (the server's now, the end of its last whole
    /// slice) to 10 minutes after it, for the newest (highest id) whose message, user and
    /// host are the note's. `None` when none matches.
    pub async fn find_created(
        self,
        note: &NewAnnotation,
        near: DateTime<Utc>,
    ) -> Result<Option<Annotation>, Error> {
        let (start, end) = match note.time {
            Some(t) => (
                t - chrono::TimeDelta::seconds(1),
                t + chrono::TimeDelta::seconds(1),
            ),
            None => (
                near - chrono::TimeDelta::minutes(2),
                near + chrono::TimeDelta::minutes(10),
            ),
        };
        let range = AnnotationRange {
            start: Some(start),
            end: Some(end),
        };
        let listed = match &note.app {
            Some(app) => self.of_app(app, range).await?,
            None => self.list(range).await?,
        };
        let same =
            |wanted: &Option<String>, got: &Option<String>| wanted.is_none() || wanted == got;
        Ok(listed
            .into_iter()
            .filter(|a| {
                a.message == note.message
                    && same(&note.user, &a.username)
                    && same(&note.host, &a.host)
                    && note
                        .time
                        .is_none_or(|t| a.time.timestamp() == t.timestamp())
            })
            .max_by_key(|a| a.id))
    }
}

fn seconds(range: AnnotationRange) -> (Option<f64>, Option<f64>) {
    (
        range.start.map(|t| t.timestamp() as f64),
        range.end.map(|t| t.timestamp() as f64),
    )
}

/// The organization, its users and licenses. Get one with [`TraceView::organization`].
#[derive(Debug, Clone, Copy)]
pub struct OrganizationApi<'a>(pub(super) &'a TraceView);

impl OrganizationApi<'_> {
    /// The organization's names.
    pub async fn get(self) -> Result<Organization, Error> {
        let envelope = self
            .0
            .call("get_organization", Kind::Idempotent, |api| {
                api.get_organization().send()
            })
            .await?;
        Ok(Organization {
            name: envelope.data.name,
            fullname: envelope.data.fullname,
        })
    }

    /// The organization's users.
    pub async fn users(self) -> Result<Vec<User>, Error> {
        let envelope = self
            .0
            .call("list_users", Kind::Idempotent, |api| {
                api.list_users().send()
            })
            .await?;
        Ok(envelope
            .data
            .into_iter()
            .map(|u| User {
                name: u.name,
                email: u.email,
                admin: u.admin,
            })
            .collect())
    }

    /// Hosts reporting against hosts licensed.
    pub async fn licenses(self) -> Result<Licenses, Error> {
        let envelope = self
            .0
            .call("get_licenses", Kind::Idempotent, |api| {
                api.get_licenses().send()
            })
            .await?;
        Ok(Licenses::new(
            envelope.data.hosts_used,
            envelope.data.hosts_limit,
        ))
    }
}
