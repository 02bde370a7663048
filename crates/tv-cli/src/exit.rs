//! Exit codes and the one-line error messages: every failure ends here.

use std::process::ExitCode;

/// The documented exit codes (`tv --help` lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok,
    /// API or runtime error.
    Runtime,
    /// Usage error.
    Usage,
    /// Authentication or configuration error.
    Config,
    /// Not found.
    NotFound,
    /// `tv compare --fail-if-slower` found a regression.
    Regression,
    /// `tv annotate --wrap`: the wrapped command's own exit code.
    Command(u8),
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Runtime => 1,
            Exit::Usage => 2,
            Exit::Config => 3,
            Exit::NotFound => 4,
            Exit::Regression => 5,
            Exit::Command(code) => code,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// A failure for people: one line on stderr and an exit code.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub exit: Exit,
    /// What went wrong and what to do, on one line.
    pub message: String,
}

impl CliError {
    /// A failure with an explicit code.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// Something that does not exist (exit 4).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Exit::NotFound, message)
    }
}

impl From<tv_client::Error> for CliError {
    fn from(error: tv_client::Error) -> Self {
        use tv_client::Error as E;
        let exit = match &error {
            E::Auth | E::Config(_) => Exit::Config,
            E::NotFound(_) => Exit::NotFound,
            E::BadRequest(_) | E::InvalidArgument(_) => Exit::Usage,
            _ => Exit::Runtime,
        };
        let hint = match &error {
            E::Auth => {
                "; check --api-key, TV_API_KEY or your profile (`tv doctor` shows which is used)"
            }
            E::Transport(_) => "; is the base URL right and the server up? (`tv doctor`)",
            E::Timeout => "; the server is slow or unreachable (raise --timeout?)",
            E::RateLimited { .. } => "; wait a little and try again",
            _ => "",
        };
        CliError::new(exit, format!("{error}{hint}"))
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        CliError::new(Exit::Runtime, format!("cannot write the output: {error}"))
    }
}

/// Prints the error as one line, with the key scrubbed once more for safety.
pub fn report(error: &CliError, key: Option<&tv_client::ApiKey>) {
    let line = error.message.replace(['\n', '\r'], " ");
    let line = match key {
        Some(key) => key.scrub(&line),
        None => tv_client::redact(&line).into_owned(),
    };
    eprintln!("error: {line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_map_to_documented_codes() {
        let cases = [
            (tv_client::Error::Auth, Exit::Config),
            (tv_client::Error::NotFound("no app".into()), Exit::NotFound),
            (
                tv_client::Error::BadRequest("bad time_window".into()),
                Exit::Usage,
            ),
            (tv_client::Error::Timeout, Exit::Runtime),
            (tv_client::Error::Server { status: 503 }, Exit::Runtime),
            (tv_client::Error::Config("no key".into()), Exit::Config),
        ];
        for (error, exit) in cases {
            assert_eq!(CliError::from(error).exit, exit);
        }
    }

    #[test]
    fn a_wrapped_command_keeps_its_own_code() {
        assert_eq!(Exit::Command(143).code(), 143);
        assert_eq!(Exit::Command(0).code(), 0);
        assert_eq!(Exit::Regression.code(), 5);
    }
}
