//! Handlers of the writes: `assign_app`, `log_message`, `DELETE hosts/{id}`,
//! `DELETE app/{app}`. Each runs on the blocking pool (it may `fsync` the state file),
//! is published and durable before it is acknowledged with `{"data": true}`, and
//! invalidates the answer memo before that — even when the client has gone away.

use axum::extract::State;
use axum::response::Response;
use tv_api::types::{BooleanEnvelope, ResponseOk};

use crate::state::World;
use crate::world::{HostId, WorldError};

use super::envelope;
use super::params::{Authorized, Segment};
use super::sandbox::Sandbox;

/// Runs a write on the blocking pool and answers `true` or the error.
async fn write<T: Send + 'static>(
    sb: &Sandbox,
    change: impl FnOnce(&World) -> Result<T, WorldError> + Send + 'static,
) -> Response {
    let world = sb.world_arc();
    let sandbox = sb.clone();
    let done = tokio::task::spawn_blocking(move || {
        let out = change(&world);
        sandbox.cache().invalidate();
        out
    })
    .await;
    match done {
        Ok(Ok(_)) => envelope::ok(&BooleanEnvelope {
            data: true,
            response: ResponseOk::Ok,
        }),
        Ok(Err(e)) => {
            if matches!(e, WorldError::Storage(_)) {
                tracing::error!(target: "tv_sandbox", "{}", e.message());
            }
            envelope::world_error(&e)
        }
        Err(_) => envelope::internal(),
    }
}

/// `POST assign_app` (`appname`, `hostname`, `layer`, `tags`, `create`).
pub(crate) async fn assign_app(State(sb): State<Sandbox>, Authorized(p): Authorized) -> Response {
    let req = p.assign_app();
    write(&sb, move |w| w.assign_app(&req)).await
}

/// `POST log_message` (`message`, `appname`, `hostname`, `username`, `layer`, `time`).
pub(crate) async fn log_message(State(sb): State<Sandbox>, Authorized(p): Authorized) -> Response {
    let req = match p.log_message() {
        Ok(r) => r,
        Err(e) => return envelope::world_error(&e),
    };
    write(&sb, move |w| w.log_message(&req)).await
}

/// `DELETE hosts/{host_id}`.
pub(crate) async fn delete_host(
    State(sb): State<Sandbox>,
    _: Authorized,
    Segment(id): Segment,
) -> Response {
    let id = match HostId::parse(&id) {
        Ok(id) => id,
        Err(e) => return envelope::world_error(&e),
    };
    write(&sb, move |w| w.delete_host(id)).await
}

/// `DELETE app/{app}` (`Default` cannot be deleted: 400).
pub(crate) async fn delete_app(
    State(sb): State<Sandbox>,
    _: Authorized,
    Segment(app): Segment,
) -> Response {
    write(&sb, move |w| w.delete_app(&app)).await
}
