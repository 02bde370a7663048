//! `tv sandbox`: the TraceView sandbox in the foreground, same options as the
//! `tv-sandbox` binary.

use crate::exit::{CliError, Exit};

/// Runs the sandbox until Ctrl-C or SIGTERM. A bad option exits 2, an unusable state
/// file 3, anything else 1.
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
