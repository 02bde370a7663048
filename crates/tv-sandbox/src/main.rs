//! `tv-sandbox`: a local TraceView API v2 server. The first line on stdout is the base URL.
//!
//! Exit codes: 0 ok, 1 error, 2 usage, 3 unusable state file.

use std::process::ExitCode;

use clap::Parser;
use tv_sandbox::cli::{self, SandboxArgs};

/// A local, seeded, self-consistent TraceView API v2 server for trying `tv` and testing
/// any TraceView client (python-traceview, curl scripts, chef recipes, deploy hooks).
///
/// The first line on stdout is the base URL (e.g. http://127.0.0.1:8642/api-v2). Send the
/// access key as the `key` parameter (default `sandbox`). Ctrl-C or SIGTERM stops it.
#[derive(Debug, Parser)]
#[command(name = "tv-sandbox", version, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    args: SandboxArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tv-sandbox: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(cli::execute(cli.args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tv-sandbox: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
