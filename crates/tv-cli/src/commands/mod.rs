//! The commands: each turns its arguments into tv-client calls (a workflow where there
//! is one) and hands one typed result to the one rendering layer ([`emit`]): a type of
//! its own implementing [`Output`] (`report`, `report APP`, `chart`, `compare`, `errors`,
//! `requests`, `latency …`, `apps`, `layers`, `discover`, `hosts`, `host versions`,
//! `annotations`, `org`, `config list`, `doctor`, the writes and their dry runs).

mod annotate_file;
mod carbon;
pub(crate) mod check;
mod compare;
mod compare_gate;
mod dry_run;
mod export;
mod exporter;
mod github_output;
mod listing;
mod login;
mod report;
mod report_app;
mod schema;
mod settings;
mod statsd;
mod timeseries;
mod watch;
mod watch_view;
mod wrap;
mod writes;

pub use exporter::parse_listen;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::context::{self, Connection};
use crate::exit::{CliError, Exit};
use crate::render::{self, Align, Column, Output, RenderOptions};

/// What a command needs besides its arguments.
pub struct Env {
    /// How to print.
    pub render: RenderOptions,
    /// Whether stdin and stderr are a terminal (confirmations, progress bars).
    pub interactive: bool,
}

/// Runs a parsed command line; the key (when connected) is returned for scrubbing.
pub async fn run(
    cli: Cli,
    env: &Env,
    settings: &context::RunSettings,
    key_out: &mut Option<tv_client::ApiKey>,
) -> Result<Exit, CliError> {
    let global = &cli.global;
    // The run's deadline counts from here, before connecting.
    let deadline = global.deadline.map(tv_client::Deadline::after);
    if let Some(budget) = global.deadline {
        refuse_deadline(&cli.command, budget)?;
    }
    match cli.command {
        Command::Config(command) => return settings::config(command, global, env),
        Command::Login => return login::login(global),
        Command::Completions { shell } => {
            let script = crate::completion::registration(shell).map_err(|e| {
                CliError::new(Exit::Runtime, format!("cannot write the script: {e}"))
            })?;
            return print_raw(&script);
        }
        Command::Schema { command } => return schema::print(&command),
        Command::Sandbox(args) => return crate::sandbox::run(args).await,
        Command::Doctor => return settings::doctor(global, env, settings).await,
        Command::GenerateMan { out } => return man_pages(&out),
        _ => {}
    }
    let mut connection = context::connect(global, settings).await?;
    *key_out = Some(connection.key.clone());
    if let Command::Exporter(args) = &cli.command {
        return exporter::run(&connection.tv, args, context::overrides(global)).await;
    }
    let mut command = cli.command;
    match (&mut command, global.deadline) {
        // With --wrap the deadline bounds the annotations, not the wrapped command.
        (Command::Annotate(args), Some(budget)) if args.wrap => args.deadline = budget,
        _ => connection.tv = connection.tv.with_deadline(deadline),
    }
    let outcome = dispatch(command, &connection, env).await;
    connection.finish_recording()?;
    if global.timings {
        let stats = connection.tv.stats();
        eprintln!(
            "timings: {} requests, {} retries, {} waited",
            stats.requests,
            stats.retries,
            tv_client::units::format_duration(stats.waited)
        );
    }
    outcome
}

/// `--deadline` with a command that runs until stopped: one clear line (exit 2).
fn refuse_deadline(command: &Command, budget: std::time::Duration) -> Result<(), CliError> {
    let (name, instead) = match command {
        Command::Exporter(_) => ("exporter", "--collect-timeout bounds each collection"),
        Command::Watch(_) => ("watch", "--timeout bounds each request"),
        Command::Sandbox(_) => ("sandbox", "stop it with Ctrl-C or SIGTERM"),
        _ => return Ok(()),
    };
    Err(CliError::usage(format!(
        "--deadline {}: tv {name} runs until stopped, a deadline for the whole run does not apply ({instead})",
        humantime::format_duration(budget)
    )))
}

async fn dispatch(command: Command, connection: &Connection, env: &Env) -> Result<Exit, CliError> {
    let tv = &connection.tv;
    let clock = context::now_resolver(tv);
    let now = reference_time(tv, &command, &clock).await?;
    match command {
        Command::Report(args) => match args.app.clone() {
            Some(app) => {
                let plot = args.plot.as_deref();
                report_app::run(tv, &app, &args.window, plot, env, &clock, now).await
            }
            None => report::run(tv, &args, env, &clock, now).await,
        },
        Command::Chart {
            app,
            window,
            history,
            plot,
        } => {
            let args = report_app::ChartArgs {
                window: &window,
                history: &history,
                plot: plot.as_deref(),
            };
            report_app::chart(tv, &app, args, env, &clock, now).await
        }
        Command::Compare(args) => compare::run(tv, &args, env, &clock, now).await,
        Command::Watch(args) => watch::run(tv, &args, env).await,
        Command::Apps => listing::apps(tv, env).await,
        Command::Layers { app, since } => listing::layers(tv, &app, since, env, now).await,
        Command::Hosts { app } => listing::hosts(tv, app.as_deref(), env).await,
        Command::Host(command) => writes::host(tv, command, env).await,
        Command::App(command) => writes::app(tv, command, env).await,
        Command::Annotations { app, since, until } => {
            listing::annotations(tv, app.as_deref(), since, until, env, now).await
        }
        Command::Annotate(args) => writes::annotate(tv, &args, env, now).await,
        Command::Org { what } => listing::org(tv, what, env).await,
        Command::Discover { kind } => listing::discover(tv, kind, env).await,
        Command::Errors { app, filter } => timeseries::errors(tv, &app, &filter, env, now).await,
        Command::Requests {
            app,
            summary,
            filter,
        } => timeseries::requests(tv, &app, summary, &filter, env, now).await,
        Command::Latency(command) => timeseries::latency(tv, command, env, now).await,
        Command::Export(command) => export::run(tv, command).await,
        Command::Check(_)
        | Command::Exporter(_)
        | Command::Config(_)
        | Command::Login
        | Command::Completions { .. }
        | Command::Schema { .. }
        | Command::Sandbox(_)
        | Command::Doctor
        | Command::GenerateMan { .. } => Ok(Exit::Ok),
    }
}

/// The instant relative times of `command` (`2h ago`, `now`) count from: the server's
/// now when the command has one, asked of the command's app; otherwise this machine's
/// clock, which then only stands in for absolute times (where it plays no part).
async fn reference_time(
    tv: &tv_client::TraceView,
    command: &Command,
    now: &tv_client::workflow::Now,
) -> Result<chrono::DateTime<chrono::Utc>, CliError> {
    use crate::cli::LatencyCommand;
    use crate::timearg::TimeArg;
    let end = |w: &crate::cli::WindowArgs| w.end;
    // `--since` without `--until` ends at the server's now.
    let range = |h: &crate::cli::HistoryArgs| {
        let until = h.until.or(h.since.map(|_| TimeArg::Now));
        [h.since, until]
    };
    let scoped = |s: &crate::cli::ScopeArgs| {
        let mut times = vec![end(&s.window)];
        times.extend(range(&s.history));
        times
    };
    let (app, times): (Option<&str>, Vec<Option<TimeArg>>) = match command {
        Command::Report(args) => (args.app.as_deref(), vec![end(&args.window)]),
        Command::Chart {
            app,
            window,
            history,
            ..
        } => (
            Some(app),
            [vec![end(window)], range(history).to_vec()].concat(),
        ),
        Command::Compare(args) => (Some(&args.app), vec![end(&args.window)]),
        Command::Layers { app, since } => (Some(app), vec![*since]),
        Command::Annotations { app, since, until } => (app.as_deref(), vec![*since, *until]),
        Command::Annotate(args) => (args.app.as_deref(), vec![args.time]),
        Command::Errors { app, filter } => (Some(app), scoped(&filter.scope)),
        Command::Requests { app, filter, .. } => (Some(app), scoped(filter)),
        Command::Latency(
            LatencyCommand::Series { app, filter } | LatencyCommand::Summary { app, filter },
        ) => (Some(app), scoped(&filter.server.scope)),
        Command::Latency(LatencyCommand::ByLayer { app, filter }) => {
            (Some(app), scoped(&filter.scope))
        }
        _ => (None, Vec::new()),
    };
    let relative = times.iter().flatten().any(|t| t.is_relative());
    if !relative {
        return Ok(chrono::Utc::now());
    }
    match now.get(app).await {
        Ok(at) => Ok(at),
        Err(error) => match app {
            Some(app) => Err(crate::suggest::app_error(tv, app, error).await),
            None => Err(error.into()),
        },
    }
}

/// Writes `tv.1` and one page per subcommand (`tv-report.1`, …) into `out`.
fn man_pages(out: &std::path::Path) -> Result<Exit, CliError> {
    let fail = |e: std::io::Error| {
        CliError::new(
            Exit::Runtime,
            format!("cannot write man pages to {}: {e}", out.display()),
        )
    };
    std::fs::create_dir_all(out).map_err(fail)?;
    clap_mangen::generate_to(crate::cli::command(), out).map_err(fail)?;
    eprintln!("wrote man pages to {}", out.display());
    Ok(Exit::Ok)
}

/// Prints a command's output on stdout in the format asked for (a closed pipe is
/// [`CliError::closed_pipe`], which `main` ends quietly).
pub fn emit(output: &dyn Output, env: &Env) -> Result<Exit, CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match render::render(output, &env.render, &mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(Exit::Ok),
        // The renderer refuses a format the report cannot take (CSV without a table).
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            Err(CliError::usage(e.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes bytes to stdout as they are (completions, schemas, one value).
pub fn print_raw(bytes: &[u8]) -> Result<Exit, CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush())?;
    Ok(Exit::Ok)
}

/// Red for more than 10% slower, green for more than 10% faster.
pub fn change_tone(change: Option<f64>) -> crate::render::Tone {
    use crate::render::Tone;
    match change {
        Some(c) if c > 0.10 => Tone::Bad,
        Some(c) if c < -0.10 => Tone::Good,
        _ => Tone::Plain,
    }
}

/// A column: the path of its field in the NDJSON record (the CSV header, see
/// [`Column::name`]), the header people see, alignment.
pub fn column(name: &str, header: &str, align: Align) -> Column {
    Column::new(name, header, align)
}
