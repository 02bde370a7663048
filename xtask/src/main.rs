//! `cargo xtask` — developer tasks of the tv workspace.
//!
//! ```text
//! cargo xtask codegen           regenerate crates/tv-api/src/generated*.rs from the spec
//! cargo xtask codegen --check   fail with a diff when the checked-in file is stale
//! cargo xtask lint-spec         only lint openapi/traceview-v2.yaml
//! cargo xtask man [DIR]         man pages of `tv` from its clap definition (default target/man)
//! cargo xtask bench [--quick] [--runs N] [--fan-out-runs N] [--sizes N,N,…]
//!                   [--latencies D,D,…] [--no-cargo-bench] [--write-readme]
//!                               tv side by side with curl, python-traceview, aiohttp and
//!                               the sandbox's ceiling, at 10 to 10,000 apps and against a
//!                               remote server; Markdown on stdout and in
//!                               target/bench/results.md, JSON in target/bench
//! cargo xtask bench-readme [FILE]
//!                               the README's Performance section from a saved results.md
//! cargo xtask fuzz-api [--seed N] [--max-examples N]
//!                               Schemathesis (all checks) against the sandbox
//! cargo xtask mock-check [--seeds N,N,…]
//!                               every read command of tv against Prism's generated answers
//! cargo xtask proxy-check       python-traceview through Prism's validating proxy
//! cargo xtask deb               the Debian package of tv (cargo-deb), in target/debian
//! cargo xtask integration [--tests-only]
//!                               installs the real tools (TOOLS in integration.rs), runs
//!                               the ignored real-tool tests, then the three spec checks
//! ```
//!
//! The two bench commands are forwarded, arguments as given, to the crate `tv-bench`
//! (`bench/`, outside the workspace's default members): `cargo run -p tv-bench -- bench …`.
//! xtask does not depend on it, so codegen and the spec checks build without the bench.

use std::process::ExitCode;

use xtask::codegen::{self, CheckOutcome};
use xtask::spec_check;

const USAGE: &str = "usage: cargo xtask <codegen [--check] | lint-spec | man [DIR] | \
                     bench [--quick] [OPTIONS] | bench-readme [FILE] | \
                     fuzz-api [--seed N] [--max-examples N] | mock-check [--seeds N,N,…] | \
                     proxy-check | integration [--tests-only] | deb>";

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
                    "error: the generated code ({} and {}) is stale; run `cargo xtask codegen` \
                     and commit the result",
                    codegen::GENERATED_PATH,
                    xtask::codegen_filters::FILTERS_PATH
                );
                return ExitCode::FAILURE;
            }
            Err(e) => Err(e),
        },
        ["lint-spec"] => codegen::load_and_lint(&xtask::workspace_root()).map(|_| {
            eprintln!("{} passes the lint", codegen::SPEC_PATH);
        }),
        ["fuzz-api", rest @ ..] => spec_check::FuzzOptions::parse(rest)
            .and_then(|options| spec_check::fuzz_api(&xtask::workspace_root(), &options)),
        ["mock-check", rest @ ..] => spec_check::MockOptions::parse(rest)
            .and_then(|options| spec_check::mock_check(&xtask::workspace_root(), &options)),
        ["proxy-check"] => spec_check::proxy_check(&xtask::workspace_root()),
        ["deb"] => xtask::deb::build(&xtask::workspace_root()).map(|package| {
            println!("{}", package.display());
        }),
        ["integration", rest @ ..] => xtask::integration::Options::parse(rest)
            .and_then(|options| xtask::integration::run(&xtask::workspace_root(), &options)),
        ["man"] => man("target/man"),
        ["man", dir] => man(dir),
        // The bench is a crate of its own (`bench/`), which parses its options itself.
        ["bench" | "bench-readme", ..] => return bench(&args),
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

/// `cargo xtask bench …` and `bench-readme …`: `cargo run -p tv-bench -- ARGS…`, from the
/// workspace root; the bench's exit status is xtask's.
fn bench(args: &[&str]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(xtask::workspace_root())
        .args(["run", "--quiet", "--package", "tv-bench", "--"])
        .args(args)
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => {
            // The bench has said why on stderr; pass its code on (1 when killed).
            let code = status.code().and_then(|c| u8::try_from(c).ok());
            ExitCode::from(code.unwrap_or(1))
        }
        Err(e) => {
            eprintln!("error: cannot run cargo for tv-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the man pages by running `tv generate-man`: xtask does not link the CLI, so it
/// still builds (and can regenerate tv-api) when the generated code is broken.
fn man(dir: &str) -> anyhow::Result<()> {
    let root = xtask::workspace_root();
    let out = root.join(dir);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(&root)
        .args([
            "run",
            "--quiet",
            "--package",
            "tv-cli",
            "--bin",
            "tv",
            "--",
            "generate-man",
            "--out",
        ])
        .arg(&out)
        .status()?;
    anyhow::ensure!(status.success(), "`tv generate-man` failed ({status})");
    Ok(())
}
