//! `cargo xtask` — developer tasks of the tv workspace.
//!
//! ```text
//! cargo xtask codegen           regenerate crates/tv-api/src/generated.rs from the spec
//! cargo xtask codegen --check   fail with a diff when the checked-in file is stale
//! cargo xtask lint-spec         only lint openapi/traceview-v2.yaml
//! ```

use std::process::ExitCode;

use xtask::codegen::{self, CheckOutcome};

const USAGE: &str = "usage: cargo xtask <codegen [--check] | lint-spec>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::write(&xtask::workspace_root()),
        ["codegen", "--check"] => match codegen::check(&xtask::workspace_root()) {
            Ok(CheckOutcome::Fresh) => {
                eprintln!("generated code is up to date with the spec");
                Ok(())
            }
            Ok(CheckOutcome::Stale { diff }) => {
                eprintln!("{diff}");
                eprintln!(
                    "error: {} is stale; run `cargo xtask codegen` and commit the result",
                    codegen::GENERATED_PATH
                );
                return ExitCode::FAILURE;
            }
            Err(e) => Err(e),
        },
        ["lint-spec"] => codegen::load_and_lint(&xtask::workspace_root()).map(|_| {
            eprintln!("{} passes the lint", codegen::SPEC_PATH);
        }),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
