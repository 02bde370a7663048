//! Handlers of the writes: `assign_app`, `log_message`, `DELETE hosts/{id}`,
//! `DELETE app/{app}`. Each runs on the blocking pool (it may `fsync` the state file),
//! is published and durable before it is acknowledged with `{"data": true}`, and
//! invalidates the answer memo before that — even when the client has gone away.

use axum::extract::State;
use tv_api::types::{BooleanEnvelope, ResponseOk};

use crate::state::World;
use crate::world::{HostId, WorldError};

use super::envelope;
use super::error::{Answer, ApiError};
use super::params::{Authorized, Segment};
use super::sandbox::Sandbox;

/// Runs a write on the blocking pool and answers `true` or the error.
async fn write<T: Send + 'static>(
    sb: &Sandbox,
    change: impl FnOnce(&World) -> Result<T, WorldError> + Send + 'static,
) -> Answer {
    let world = sb.world_arc();
    let sandbox = sb.clone();
    let done = tokio::task::spawn_blocking(move || {
        let out = change(&world);
        sandbox.cache().invalidate();
        out
    })
    .await
    .map_err(|_| ApiError::Internal("a write task failed"))?;
    done?;
    Ok(envelope::ok(&BooleanEnvelope {
        data: true,
        response: ResponseOk::Ok,
    }))
}

/// `POST assign_app` (`appname`, `hostname`, `layer`, `tags`, `create`).
pub(crate) async fn assign_app(State(sb): State<Sandbox>, Authorized(p): Authorized) -> Answer {
    let req = p.assign_app();
    write(&sb, move |w| w.assign_app(&req)).await
}

/// `POST log_message` (`message`, `appname`, `hostname`, `username`, `layer`, `time`).
pub(crate) async fn log_message(State(sb): State<Sandbox>, Authorized(p): Authorized) -> Answer {
    let req = p.log_message()?;
    write(&sb, move |w| w.log_message(&req)).await
}

/// `DELETE hosts/{host_id}`.
pub(crate) async fn delete_host(
    State(sb): State<Sandbox>,
    _: Authorized,
    Segment(id): Segment,
) -> Answer {
    let id = HostId::parse(&id)?;
    write(&sb, move |w| w.delete_host(id)).await
}

/// `DELETE app/{app}` (`Default` cannot be deleted: 400).
pub(crate) async fn delete_app(
    State(sb): State<Sandbox>,
    _: Authorized,
    Segment(app): Segment,
) -> Answer {
    write(&sb, move |w| w.delete_app(&app)).await
}
