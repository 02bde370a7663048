//! `tv sandbox`: the TraceView sandbox in the foreground, same options as the
//! `tv-sandbox` binary.

use crate::exit::{CliError, Exit};

/// Runs the sandbox until Ctrl-C or SIGTERM.
pub async fn run(args: tv_sandbox::cli::SandboxArgs) -> Result<Exit, CliError> {
    tv_sandbox::cli::run(args)
        .await
        .map_err(|message| CliError::new(Exit::Runtime, message))?;
    Ok(Exit::Ok)
}
