//! `tv sandbox`: the TraceView sandbox in the foreground, same options as the
//! `tv-sandbox` binary.

use crate::exit::{CliError, Exit};

/// Why `tv sandbox` and `--demo` fail in a tv built without the `sandbox` feature.
#[cfg(not(feature = "sandbox"))]
pub const NOT_BUILT: &str = "this tv was built without the embedded sandbox (cargo feature `sandbox`); \
     rebuild with it, or run the tv-sandbox binary and point --base-url at it";

/// The arguments of `tv sandbox` when the sandbox is not built in: anything, refused.
#[cfg(not(feature = "sandbox"))]
#[derive(Debug, clap::Args)]
pub struct NoSandboxArgs {
    /// The sandbox's options (none are usable in this build).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// `tv sandbox` without the sandbox built in: one clear line, exit 2.
#[cfg(not(feature = "sandbox"))]
pub async fn run(_args: NoSandboxArgs) -> Result<Exit, CliError> {
    Err(CliError::usage(NOT_BUILT))
}

/// Runs the sandbox until Ctrl-C or SIGTERM. A bad option exits 2, an unusable state
/// file 3, anything else 1.
#[cfg(feature = "sandbox")]
pub async fn run(args: tv_sandbox::cli::SandboxArgs) -> Result<Exit, CliError> {
    tv_sandbox::cli::execute(args).await.map_err(|error| {
        let exit = match error.exit_code() {
            2 => Exit::Usage,
            3 => Exit::Config,
            _ => Exit::Runtime,
        };
        CliError::new(exit, error.to_string())
    })?;
    Ok(Exit::Ok)
}
