//! Exit codes and the one-line error messages: every failure ends here.

use std::process::ExitCode;

/// The documented exit codes (`tv --help` lists them). Tests name them through
/// [`Exit::code`], never as bare numbers.
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
    /// `tv compare` with a gate: no traces in either window, nothing to judge.
    NoData,
    /// `tv annotate --wrap`: the wrapped command's own exit code.
    Command(u8),
}

impl Exit {
    /// The process exit status.
    pub const fn code(self) -> i32 {
        match self {
            Exit::Ok => 0,
            Exit::Runtime => 1,
            Exit::Usage => 2,
            Exit::Config => 3,
            Exit::NotFound => 4,
            Exit::Regression => 5,
            Exit::NoData => 6,
            Exit::Command(code) => code as i32,
        }
    }
}

/// The one table of tv's exit codes: each code and what it means, as `tv --help`
/// prints it (continuation lines pre-wrapped). The README's "Exit codes" table lists the
/// same codes in the same order (a test checks it); `tv annotate --wrap`'s pass-through
/// codes and `tv check`'s plugin codes are described beside it.
pub const EXIT_CODES: [(Exit, &str); 7] = [
    (Exit::Ok, "success"),
    (
        Exit::Runtime,
        "API or runtime error (server error, timeout, unreachable server, bad or too\n     \
         large response, a write whose outcome is unknown, a write the server refused)",
    ),
    (
        Exit::Usage,
        "usage error (unknown flag, bad value, a write refused as too large)",
    ),
    (
        Exit::Config,
        "authentication or configuration error (missing or refused key, bad profile,\n     \
         base URL without /api-v2, plain HTTP to another host without the opt-in)",
    ),
    (
        Exit::NotFound,
        "not found (unknown app, host or filter value)",
    ),
    (
        Exit::Regression,
        "`tv compare --fail-if-slower/--fail-if-errors/--fail-if-traffic-drops`: the\n     \
         gate tripped",
    ),
    (
        Exit::NoData,
        "`tv compare` with a gate: no traces in either window (nothing to judge)",
    ),
];

/// The "Exit codes:" block of `tv --help`, from [`EXIT_CODES`].
pub fn exit_codes_help() -> String {
    let mut text = String::from("Exit codes:\n");
    for (exit, meaning) in EXIT_CODES {
        text.push_str(&format!("  {}  {meaning}\n", exit.code()));
    }
    text
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code() as u8)
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
        let (exit, hint) = classify(&error);
        CliError::new(exit, format!("{error}{hint}"))
    }
}

/// The exit code and the hint of every kind of client error: an exhaustive match, so a
/// new kind cannot fall through to a default.
fn classify(error: &tv_client::Error) -> (Exit, &'static str) {
    use tv_client::{ConfigKind as C, Error as E, TransportKind as T};
    match error {
        E::Auth => (
            Exit::Config,
            "; check --api-key, TV_API_KEY or your profile (`tv doctor` shows which is used)",
        ),
        E::Config { kind, .. } => (
            Exit::Config,
            match kind {
                C::MissingKey | C::InvalidBaseUrl | C::PlainHttp => "",
                C::InvalidKey | C::Profile | C::ProfileFile => {
                    "; `tv doctor` shows where each setting comes from"
                }
                C::InvalidSetting => "; `tv config list` shows the profile's settings",
                C::HttpClient => "",
            },
        ),
        E::NotFound(_) => (Exit::NotFound, ""),
        E::BadRequest(_) | E::InvalidArgument { .. } => (Exit::Usage, ""),
        E::Refused { status: 413, .. } => (Exit::Usage, "; send less (a shorter message?)"),
        E::Refused { .. } => (Exit::Runtime, ""),
        E::Transport { kind, .. } => (
            Exit::Runtime,
            match kind {
                T::ConnectionRefused => "; is the server up at the base URL? (`tv doctor`)",
                T::Dns => "; is the host name of the base URL right? (`tv doctor`)",
                T::Tls => "; the server's certificate or TLS setup is not accepted",
                T::Connect | T::Send | T::Body => {
                    "; is the base URL right and the server up? (`tv doctor`)"
                }
            },
        ),
        E::Timeout => (
            Exit::Runtime,
            "; the server is slow or unreachable (raise --timeout?)",
        ),
        E::RateLimited { .. } => (Exit::Runtime, "; wait a little and try again"),
        E::DeadlineExceeded { .. } => (Exit::Runtime, "; raise --deadline?"),
        E::ResponseTooLarge { .. } => (
            Exit::Runtime,
            "; raise the limit with --max-response-size or `tv config set max_response_size 256MiB`",
        ),
        E::OutcomeUnknown { .. } => (
            Exit::Runtime,
            "; check (e.g. with `tv annotations` or `tv hosts`) before repeating it",
        ),
        E::Server { .. } | E::Decode { .. } | E::UnexpectedResponse { .. } => (Exit::Runtime, ""),
    }
}

impl CliError {
    /// stdout's reader went away (`tv … | head`): not a failure and nothing to say;
    /// [`crate::main`] ends the run with exit 0, the one place a closed pipe is handled.
    pub fn closed_pipe() -> Self {
        Self::new(Exit::Ok, "")
    }

    /// Whether this is [`CliError::closed_pipe`].
    pub fn is_closed_pipe(&self) -> bool {
        self.exit == Exit::Ok
    }
}

/// A failed write of the output; a closed pipe becomes [`CliError::closed_pipe`].
impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        match error.kind() {
            std::io::ErrorKind::BrokenPipe => CliError::closed_pipe(),
            _ => CliError::new(Exit::Runtime, format!("cannot write the output: {error}")),
        }
    }
}

/// Prints the error as one line, with the key scrubbed once more and terminal escape
/// sequences dropped, for safety (server text in it is already cleaned and bounded).
pub fn report(error: &CliError, key: Option<&tv_client::ApiKey>) {
    // The key first: cleaning turns a newline inside it into a space.
    let line = match key {
        Some(key) => key.scrub(&error.message),
        None => tv_client::redact(&error.message).into_owned(),
    };
    eprintln!("error: {}", tv_client::redact::printable(&line));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_the_exit_codes_of_the_table() {
        let readme = include_str!("../../../README.md");
        let section = readme
            .split("### Exit codes")
            .nth(1)
            .and_then(|rest| rest.split("\n\n").nth(1))
            .expect("the README has an exit-code table");
        let codes: Vec<&str> = section
            .lines()
            .skip(2)
            .filter_map(|row| row.split('|').nth(1))
            .map(str::trim)
            .collect();
        let mut expected: Vec<String> = EXIT_CODES
            .iter()
            .map(|(exit, _)| exit.code().to_string())
            .collect();
        expected.push("any".into());
        assert_eq!(codes, expected);
    }

    #[test]
    fn client_errors_map_to_documented_codes() {
        let cases = [
            (tv_client::Error::Auth, Exit::Config),
            (
                tv_client::Error::NotFound(tv_client::error::Missing::App("x".into())),
                Exit::NotFound,
            ),
            (
                tv_client::Error::BadRequest("bad time_window".into()),
                Exit::Usage,
            ),
            (tv_client::Error::Timeout, Exit::Runtime),
            (tv_client::Error::Server { status: 503 }, Exit::Runtime),
            (
                tv_client::Error::config(tv_client::ConfigKind::MissingKey, "no key"),
                Exit::Config,
            ),
            (tv_client::Error::from_status(413, "", None), Exit::Usage),
            (
                tv_client::Error::ResponseTooLarge { limit_bytes: 1 },
                Exit::Runtime,
            ),
        ];
        for (error, exit) in cases {
            assert_eq!(CliError::from(error).exit, exit);
        }
    }

    #[test]
    fn a_closed_pipe_is_the_one_quiet_error() {
        let closed = CliError::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(closed.is_closed_pipe());
        let full = CliError::from(std::io::Error::other("disk full"));
        assert!(!full.is_closed_pipe());
        assert_eq!(full.exit, Exit::Runtime);
    }

    #[test]
    fn a_wrapped_command_keeps_its_own_code() {
        assert_eq!(Exit::Command(143).code(), 143);
        assert_eq!(Exit::Command(0).code(), 0);
        assert_eq!(Exit::Regression.code(), 5);
    }
}
