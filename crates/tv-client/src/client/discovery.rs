//! Discovery: the names seen in traces.

use chrono::{DateTime, Utc};

use super::TraceView;
use super::call::Kind;
use crate::error::Error;

/// Apps, layers and the other names seen in traces. Get one with [`TraceView::discovery`].
#[derive(Debug, Clone, Copy)]
pub struct Discovery<'a>(pub(super) &'a TraceView);

macro_rules! name_list {
    ($(#[$doc:meta])* $name:ident => $operation:ident) => {
        $(#[$doc])*
        pub async fn $name(self) -> Result<Vec<String>, Error> {
            let envelope = self
                .0
                .call(stringify!($operation), Kind::Idempotent, |api| api.$operation().send())
                .await?;
            Ok(envelope.data)
        }
    };
}

impl Discovery<'_> {
    name_list!(
        /// Every app of the organization (`Default` included).
        apps => list_apps
    );
    name_list!(
        /// Code actions seen in traces (values of the `action` filter).
        actions => list_actions
    );
    name_list!(
        /// Code controllers seen in traces (values of the `controller` filter).
        controllers => list_controllers
    );
    name_list!(
        /// Domains seen in traces (values of the `domain` filter).
        domains => list_domains
    );
    name_list!(
        /// Browser families seen by real-user monitoring (values of `browser`).
        browsers => list_browsers
    );
    name_list!(
        /// Regions seen by real-user monitoring (values of `region`).
        regions => list_regions
    );
    name_list!(
        /// Names of the host metrics being collected.
        metrics => list_metrics
    );

    /// Layers seen in an app's traces since `since` (default: the last day).
    pub async fn layers(
        self,
        app: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<String>, Error> {
        let segment = super::call::app_segment(app)?;
        let since = since.map(|t| t.timestamp() as f64);
        let envelope = self
            .0
            .call("list_layers", Kind::Idempotent, |api| {
                let request = api.list_layers().app(segment.clone());
                match since {
                    Some(since) => request.since_time(since).send(),
                    None => request.send(),
                }
            })
            .await?;
        Ok(envelope.data)
    }
}
