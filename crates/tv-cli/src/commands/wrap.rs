//! `tv annotate --wrap -- CMD ARGS…`: a deploy marked by a start and an end annotation.
//!
//! The annotations and their deadline are tv-client's ([`tv_client::deploy`]); this
//! file is about the process: it runs the command with tv's stdin, stdout and stderr,
//! passes every catchable signal on to it (see `signals::FORWARDED`), and exits with its code.

use std::process::ExitStatus;
use std::time::Instant;

use tv_client::TraceView;
use tv_client::deploy::{
    CommandStatus, DeployMarker, MarkerError, MarkerFailure, MarkerPoster, Phase,
};

use chrono::{DateTime, Utc};

use super::github_output::write_annotation_id;
use super::{Env, dry_run, emit};
use crate::cli::AnnotateArgs;
use crate::exit::{CliError, Exit};

/// Runs the wrapped command between its two annotations; in a GitHub Actions step, the
/// end annotation's id goes to `$GITHUB_OUTPUT`.
pub async fn run(
    tv: &TraceView,
    args: &AnnotateArgs,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    let marker = DeployMarker {
        label: args.message.clone(),
        command: args.command.clone(),
        app: args.app.clone(),
        layer: args.layer.clone(),
        host: args.host.clone().or_else(this_host),
        user: args.user.clone().or_else(this_user),
    };
    if args.dry_run {
        let dry = tv.dry_run();
        dry.client().annotations().create(&marker.start()).await?;
        let note =
            "the command was not run; its end annotation (exit status, duration) would follow it";
        return emit(
            &dry_run::output(&dry.requests(), vec![note.to_string()]),
            env,
        );
    }
    let mut poster = MarkerPoster::new(tv, args.deadline);
    if let Err(failure) = poster.post(Phase::Start, &marker.start()).await
        && !args.best_effort
    {
        // Without --best-effort a deploy that cannot be marked does not start.
        return Err(marker_error(failure));
    }
    let started = Instant::now();
    let status = run_command(&args.command).await;
    let elapsed = started.elapsed();
    if let CommandStatus::NotStarted { reason, .. } = &status {
        let program = args.command.first().map_or("", String::as_str);
        eprintln!(
            "error: cannot run {}: {reason}",
            crate::render::sanitize(program)
        );
    }
    let end_note = marker.end(&status, elapsed);
    let posted = poster.post(Phase::End, &end_note).await;
    // Once the end annotation is there, its id for a later step (GitHub Actions).
    let id_failure = match posted {
        Ok(()) => write_annotation_id(tv, &end_note, now).await.err(),
        Err(_) => None,
    };
    let code = u8::try_from(status.exit_code()).unwrap_or(1);
    if args.best_effort {
        let failures = poster.summary().into_iter();
        for warning in failures.chain(id_failure.map(|e| e.message)) {
            let line = crate::render::sanitize(&tv_client::redact(&warning)).into_owned();
            eprintln!("warning: {line} (--best-effort: ignored)");
        }
        return Ok(Exit::Command(code));
    }
    match posted.err().map(marker_error).or(id_failure) {
        None => Ok(Exit::Command(code)),
        Some(error) => {
            crate::exit::report(&error, None);
            // The command's failure says more than ours; its success is not the run's.
            Ok(if code != 0 {
                Exit::Command(code)
            } else {
                error.exit
            })
        }
    }
}

fn marker_error(failure: MarkerFailure) -> CliError {
    let phase = failure.phase;
    match failure.error {
        MarkerError::Api(error) => {
            let error = CliError::from(error);
            CliError::new(error.exit, format!("{phase} annotation: {}", error.message))
        }
        other => CliError::new(Exit::Runtime, format!("{phase} annotation: {other}")),
    }
}

/// Runs the command to its end, passing signals on.
async fn run_command(command: &[String]) -> CommandStatus {
    let Some((program, arguments)) = command.split_first() else {
        return CommandStatus::NotStarted {
            code: 127,
            reason: "no command given after `--`".into(),
        };
    };
    // Listen before spawning: a signal in between must not kill tv and orphan the run.
    let signals = signals::Forwarder::listen();
    let mut command = tokio::process::Command::new(program);
    command.args(arguments);
    signals::end_with_tv(&mut command);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => {
            let code = match error.kind() {
                std::io::ErrorKind::NotFound => 127,
                _ => 126,
            };
            return CommandStatus::NotStarted {
                code,
                reason: error.to_string(),
            };
        }
    };
    match signals.wait(&mut child).await {
        Ok(status) => status_of(status),
        Err(error) => CommandStatus::NotStarted {
            code: 1,
            reason: format!("lost track of it: {error}"),
        },
    }
}

fn status_of(status: ExitStatus) -> CommandStatus {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return CommandStatus::Signaled(signal);
        }
    }
    CommandStatus::Exited(status.code().unwrap_or(1))
}

fn this_user() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

fn this_host() -> Option<String> {
    signals::hostname().or_else(|| std::env::var("HOSTNAME").ok().filter(|v| !v.is_empty()))
}

#[cfg(unix)]
mod signals {
    use std::process::ExitStatus;

    use tokio::signal::unix::{Signal, SignalKind, signal};

    /// The signals passed on to the command: every signal another process may send
    /// whose default would end tv (and orphan the command), plus the ones a command
    /// may want (`SIGWINCH`, `SIGURG`). Not forwarded: `SIGKILL` and `SIGSTOP` (they
    /// cannot be caught; for `SIGKILL` the command gets the parent-death signal), the
    /// job-control stops `SIGTSTP`/`SIGTTIN`/`SIGTTOU` (tv stops with the command), the
    /// faults `SIGSEGV`/`SIGBUS`/`SIGILL`/`SIGFPE`/`SIGTRAP`/`SIGSYS` (tv's own), and
    /// `SIGPIPE`/`SIGCHLD`/`SIGCONT` (about tv's own pipes, children and job).
    const FORWARDED: &[libc::c_int] = &[
        libc::SIGINT,
        libc::SIGTERM,
        libc::SIGHUP,
        libc::SIGQUIT,
        libc::SIGUSR1,
        libc::SIGUSR2,
        libc::SIGALRM,
        libc::SIGVTALRM,
        libc::SIGPROF,
        libc::SIGXCPU,
        libc::SIGXFSZ,
        libc::SIGWINCH,
        libc::SIGURG,
        libc::SIGIO,
        #[cfg(any(target_os = "linux", target_os = "android"))]
        libc::SIGPWR,
    ];

    /// Asks the kernel to send `SIGTERM` to the command when tv dies of something it
    /// cannot catch (`SIGKILL`), so that it never runs on without tv (Linux).
    pub fn end_with_tv(command: &mut tokio::process::Command) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            // SAFETY: prctl and getppid are async-signal-safe; the closure allocates
            // nothing and touches no memory of the parent.
            let parent = unsafe { libc::getpid() };
            unsafe {
                command.pre_exec(move || {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    // tv may have died between fork and prctl: then end at once.
                    if libc::getppid() != parent {
                        libc::_exit(143);
                    }
                    Ok(())
                });
            }
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let _ = command;
    }

    /// tv's handlers of the forwarded signals (so that they do not end tv).
    pub struct Forwarder(Vec<(Signal, libc::c_int)>);

    impl Forwarder {
        pub fn listen() -> Forwarder {
            let mut streams = Vec::new();
            for &number in FORWARDED {
                match signal(SignalKind::from_raw(number)) {
                    Ok(stream) => streams.push((stream, number)),
                    Err(error) => tracing::warn!("cannot pass signal {number} on: {error}"),
                }
            }
            Forwarder(streams)
        }

        /// Waits for the child, passing every signal tv gets on to it.
        pub async fn wait(
            mut self,
            child: &mut tokio::process::Child,
        ) -> std::io::Result<ExitStatus> {
            let pid = child.id().and_then(|p| libc::pid_t::try_from(p).ok());
            if self.0.is_empty() {
                return child.wait().await;
            }
            loop {
                let received =
                    futures::future::select_all(self.0.iter_mut().map(|(stream, number)| {
                        Box::pin(async move { (stream.recv().await, *number) })
                    }));
                tokio::select! {
                    status = child.wait() => return status,
                    ((got, number), _, _) = received => {
                        if got.is_some() && let Some(pid) = pid {
                            forward(pid, number);
                        }
                    }
                }
            }
        }
    }

    fn forward(pid: libc::pid_t, number: libc::c_int) {
        if from_the_terminal(number) {
            // Ctrl-C / Ctrl-\ at the terminal already reached the command: it is in
            // tv's foreground process group. Sending it again would count twice.
            return;
        }
        tracing::info!(signal = number, pid, "passing the signal on");
        // SAFETY: kill(2) touches no memory of ours; `pid` is our child, not yet
        // reaped (its wait has not returned), so the id cannot have been reused.
        unsafe {
            libc::kill(pid, number);
        }
    }

    /// Whether `number` is a terminal's signal (Ctrl-C, Ctrl-\\, a resize) and tv runs in the terminal's foreground
    /// process group (then the kernel sent it to the whole group, the command included).
    fn from_the_terminal(number: libc::c_int) -> bool {
        if ![libc::SIGINT, libc::SIGQUIT, libc::SIGWINCH].contains(&number) {
            return false;
        }
        // SAFETY: tcgetpgrp and getpgrp only read process state; fd 0 may be anything,
        // and a non-terminal makes tcgetpgrp return -1.
        let (foreground, ours) = unsafe { (libc::tcgetpgrp(libc::STDIN_FILENO), libc::getpgrp()) };
        foreground > 0 && foreground == ours
    }

    /// This machine's name.
    pub fn hostname() -> Option<String> {
        let mut buffer = [0u8; 256];
        // SAFETY: the buffer is valid for `len` bytes; gethostname writes at most that.
        let result = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len() - 1) };
        if result != 0 {
            return None;
        }
        let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
        let name = String::from_utf8_lossy(&buffer[..end]).into_owned();
        (!name.is_empty()).then_some(name)
    }
}

#[cfg(not(unix))]
mod signals {
    use std::process::ExitStatus;

    /// Elsewhere the console delivers Ctrl-C to the command itself.
    pub struct Forwarder;

    impl Forwarder {
        pub fn listen() -> Forwarder {
            Forwarder
        }

        pub async fn wait(self, child: &mut tokio::process::Child) -> std::io::Result<ExitStatus> {
            child.wait().await
        }
    }

    pub fn hostname() -> Option<String> {
        None
    }

    pub fn end_with_tv(_command: &mut tokio::process::Command) {}
}
