//! The HTTP face of every failure: [`ApiError`] is what a handler returns with `?`, and
//! its [`IntoResponse`] is the one place where a failure becomes a status and the error
//! envelope. The world model knows kinds of failure ([`WorldError`]), never statuses.
//!
//! | failure | status |
//! |---|---|
//! | [`WorldError::BadRequest`] | 400 |
//! | [`WorldError::NotFound`] | 404 |
//! | [`WorldError::Storage`] | 500 (and logged) |
//! | [`ApiError::Internal`] | 500 |

use axum::response::{IntoResponse, Response};

use crate::world::WorldError;

use super::envelope;

/// Why a handler could not answer.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// The world refused: a bad parameter, an unknown app or host, a write not saved.
    World(WorldError),
    /// The server itself failed (a task panicked, serialization failed).
    Internal(&'static str),
}

/// What every handler returns.
pub(crate) type Answer = Result<Response, ApiError>;

impl From<WorldError> for ApiError {
    fn from(e: WorldError) -> Self {
        ApiError::World(e)
    }
}

/// The status of a world failure.
fn status(e: &WorldError) -> u16 {
    match e {
        WorldError::BadRequest(_) => 400,
        WorldError::NotFound(_) => 404,
        WorldError::Storage(_) => 500,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::World(e) => {
                if matches!(e, WorldError::Storage(_)) {
                    tracing::error!(target: "tv_sandbox", "{}", e.message());
                }
                envelope::error(status(&e), e.message())
            }
            ApiError::Internal(what) => {
                tracing::error!(target: "tv_sandbox", "internal error: {what}");
                envelope::internal()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_has_its_status() {
        for (e, want) in [
            (WorldError::BadRequest("time_window".into()), 400),
            (WorldError::NotFound("No app".into()), 404),
            (WorldError::Storage("disk".into()), 500),
        ] {
            assert_eq!(ApiError::from(e).into_response().status().as_u16(), want);
        }
        let internal = ApiError::Internal("x").into_response();
        assert_eq!(internal.status().as_u16(), 500);
    }
}
