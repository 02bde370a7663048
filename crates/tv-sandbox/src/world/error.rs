//! The domain error every read and write of the world returns.

/// Why a request to the world failed: the kind of failure and a message for people
/// (the server decides what status each kind gets).
///
/// | variant | example message |
/// |---|---|
/// | [`WorldError::BadRequest`] | `time_window must be one of hour, day, week (got "month")` |
/// | [`WorldError::NotFound`] | `No host found with ID 123456789` |
/// | [`WorldError::Storage`] | `could not save the state file /x/state.json: ...` |
///
/// The message is meant to be sent as-is in the error envelope's `data`; for
/// `BadRequest` it always names the offending parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    /// A parameter is missing or invalid; the message names the parameter.
    #[error("{0}")]
    BadRequest(String),
    /// The app or host does not exist (or was deleted).
    #[error("{0}")]
    NotFound(String),
    /// A write could not be made durable; nothing was changed.
    #[error("{0}")]
    Storage(String),
}

impl WorldError {
    /// The message for the error envelope.
    pub fn message(&self) -> &str {
        match self {
            WorldError::BadRequest(m) | WorldError::NotFound(m) | WorldError::Storage(m) => m,
        }
    }

    /// The error for an unknown (or deleted) app.
    pub(crate) fn app_not_found(name: &str) -> Self {
        WorldError::NotFound(format!("No app found with name {name}"))
    }

    /// The error for an unknown (or deleted) host id, worded like the real service.
    pub(crate) fn host_not_found(id: impl std::fmt::Display) -> Self {
        WorldError::NotFound(format!("No host found with ID {id}"))
    }
}
