//! The `tv` command line: how are my TraceView apps doing?
//!
//! The binary is a thin `main` over [`main`]; the clap definition ([`cli::command`]) is
//! public so that `cargo xtask man` can build the man page from it.

pub mod cli;
pub mod render;

mod commands;
mod completion;
mod completion_cache;
mod context;
mod exit;
mod filter_check;
mod filters;
mod logging;
mod sandbox;
mod suggest;
mod timearg;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

pub use exit::Exit;

/// A usage error from the argument parser as one line: clap's message (with its tip
/// and possible values) up to its usage block, without its `error:` prefix.
fn usage_line(error: &clap::Error) -> String {
    let text = error.to_string();
    let why: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more information"))
        .filter(|line| !line.is_empty())
        .collect();
    tv_client::redact::printable(why.join(" ").trim_start_matches("error: ")).into_owned()
}

/// Parses the command line, runs the command, maps the outcome to an exit code.
pub fn main() -> ExitCode {
    // `COMPLETE=bash tv …`: the shell asks for completions; answered, then exit.
    completion::answer_shell();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) if error.use_stderr() && commands::check::is_check_invocation(&args) => {
            return commands::check::unknown(&usage_line(&error), None);
        }
        Err(error) if error.use_stderr() => {
            eprintln!("error: {}; try --help", usage_line(&error));
            return Exit::Usage.into();
        }
        Err(error) => {
            // --help and --version: clap's own text, on stdout.
            let _ = error.print();
            return Exit::Ok.into();
        }
    };
    let settings = context::RunSettings::new();
    let output = match context::profile_output(&cli.global, &settings) {
        Ok(output) => output,
        Err(error) => {
            exit::report(&error, None);
            return error.exit.into();
        }
    };
    let render = render::RenderOptions::resolve(output, cli.global.color);
    let stderr_color = match cli.global.color {
        render::ColorChoice::Always => true,
        render::ColorChoice::Never => false,
        render::ColorChoice::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    logging::init(cli.global.verbose, cli.global.quiet, stderr_color);
    let env = commands::Env {
        render,
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    };
    let runtime = match runtime_builder(&cli.command).enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return Exit::Runtime.into();
        }
    };
    if matches!(cli.command, cli::Command::Check(_)) {
        // The plugin's exit codes (0..=3) and one UNKNOWN line for every failure.
        return runtime.block_on(commands::check::run(cli, &settings));
    }
    let mut key = None;
    let outcome = runtime.block_on(commands::run(cli, &env, &settings, &mut key));
    match outcome {
        Ok(exit) => exit.into(),
        // The reader of stdout went away (`tv … | head`): it has what it wanted.
        Err(error) if error.is_closed_pipe() => Exit::Ok.into(),
        Err(error) => {
            exit::report(&error, key.as_ref());
            error.exit.into()
        }
    }
}

/// One thread for everything but the fan-out of `tv report` (all apps) and `tv exporter`, whose answers
/// are decoded on up to two worker threads: one-shot commands start faster and smaller
/// on one thread; the fan-out is bound by decoding and gains from a second core.
fn runtime_builder(command: &cli::Command) -> tokio::runtime::Builder {
    match command {
        cli::Command::Report(args) if args.app.is_none() => multi_thread(),
        cli::Command::Watch(args) if args.apps.len() != 1 => multi_thread(),
        // A server whose collections fan out over many apps, like `tv report`.
        cli::Command::Exporter(_) => multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    }
}

/// A runtime with up to two worker threads.
fn multi_thread() -> tokio::runtime::Builder {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    builder.worker_threads(cores.clamp(1, 2));
    builder
}
