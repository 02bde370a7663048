//! The one place that resolves the end of a window: the server's now.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::OnceCell;

use super::clock::{Clock, SystemClock};
use crate::client::TraceView;
use crate::error::Error;
use crate::filter::ServerFilter;
use crate::window::TimeWindow;

/// The server's idea of now, asked once and remembered.
///
/// The API has no clock endpoint; a series asked without `time_end` ends at the
/// server's now floored to its step, so now is the end of the last slice of an app's
/// hour series (within 30 s of the server's clock, and exactly its frozen now on a
/// frozen sandbox). Every workflow takes a `Now`, so a report, a comparison and the
/// relative times of one run (`2h ago`, `--against 1w`) all use the same instant, and
/// a client whose clock is wrong gets the same numbers as one whose clock is right.
#[derive(Debug, Clone)]
pub struct Now {
    tv: TraceView,
    clock: Arc<dyn Clock>,
    resolved: Arc<OnceCell<DateTime<Utc>>>,
}

impl Now {
    /// The server's now, asked of `tv` when first needed; this machine's clock is the
    /// fallback when the server has no app.
    pub fn server(tv: &TraceView) -> Self {
        Self::with_clock(tv, Arc::new(SystemClock))
    }

    /// Like [`Now::server`] with another fallback clock (tests).
    pub fn with_clock(tv: &TraceView, clock: Arc<dyn Clock>) -> Self {
        Now {
            tv: tv.clone(),
            clock,
            resolved: Arc::new(OnceCell::new()),
        }
    }

    /// The server's now, told by the series of `app` (or of the first app the server
    /// lists). Asked once; later calls return the same instant.
    pub async fn get(&self, app: Option<&str>) -> Result<DateTime<Utc>, Error> {
        self.resolved
            .get_or_try_init(|| self.ask(app))
            .await
            .copied()
    }

    /// The end of a window: `requested` when given, else the server's now.
    pub async fn resolve(
        &self,
        app: Option<&str>,
        requested: Option<DateTime<Utc>>,
    ) -> Result<DateTime<Utc>, Error> {
        match requested {
            Some(end) => Ok(end),
            None => self.get(app).await,
        }
    }

    async fn ask(&self, app: Option<&str>) -> Result<DateTime<Utc>, Error> {
        let app = match app {
            Some(app) => Some(app.to_string()),
            None => self.tv.discovery().apps().await?.into_iter().next(),
        };
        if let Some(app) = app {
            let filter = ServerFilter::new().window(TimeWindow::Hour);
            let series = self.tv.latency().server_series(&app, &filter).await?;
            if let Some(last) = series.points().last() {
                let step = TimeDelta::from_std(TimeWindow::Hour.step())
                    .map_err(|e| Error::invalid_argument(e.to_string()))?;
                return last
                    .at
                    .checked_add_signed(step)
                    .ok_or_else(|| Error::invalid_argument("the server's time is out of range"));
            }
        }
        tracing::warn!("the server has no app to tell its time by; using this machine's clock");
        Ok(self.clock.now())
    }
}

/// How far the server's clock is ahead of `clock` (negative: behind), to within the
/// 30 s of a slice, for `tv doctor`, told by `app`'s series (by default the first app the
/// server lists: pass one you already know to save that call). `None` when the server
/// has no app to tell its time.
pub async fn clock_skew(
    tv: &TraceView,
    app: Option<&str>,
    clock: &dyn Clock,
) -> Result<Option<TimeDelta>, Error> {
    let app = match app {
        Some(app) => app.to_owned(),
        None => match tv.discovery().apps().await?.into_iter().next() {
            Some(app) => app,
            None => return Ok(None),
        },
    };
    let before = clock.now();
    let server = Now::with_clock(tv, Arc::new(SystemClock))
        .get(Some(&app))
        .await?;
    let after = clock.now();
    let local = before + (after - before) / 2;
    // The server's now is floored to the slice: add half a slice for the expected value.
    Ok(Some(server - local + TimeDelta::seconds(15)))
}
