//! Deploy markers: a start annotation before a command runs and an end annotation
//! after it (exit status, duration), posted within a deadline so that a slow or dead
//! TraceView never holds up, nor breaks, the deploy it marks.
//!
//! The process itself (spawning, signals) is the caller's; this module builds the
//! annotations and posts them under a [`MarkerPoster`]'s time budget.
//!
//! ```no_run
//! use std::time::{Duration, Instant};
//! use tv_client::TraceView;
//! use tv_client::deploy::{CommandStatus, DeployMarker, MarkerPoster, Phase};
//!
//! # async fn run(tv: TraceView) {
//! let marker = DeployMarker {
//!     command: vec!["./deploy.sh".into(), "v1.2".into()],
//!     app: Some("web-shop".into()),
//!     ..DeployMarker::default()
//! };
//! let mut poster = MarkerPoster::new(&tv, Duration::from_secs(5));
//! let _ = poster.post(Phase::Start, &marker.start()).await;
//! let started = Instant::now();
//! let status = CommandStatus::Exited(0); // run the command here
//! let _ = poster.post(Phase::End, &marker.end(&status, started.elapsed())).await;
//! if let Some(warning) = poster.summary() {
//!     eprintln!("warning: {warning}"); // best effort: a warning, never a failed deploy
//! }
//! # }
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use crate::client::TraceView;
use crate::error::Error;
use crate::model::NewAnnotation;
use crate::units::format_duration;

/// Longest command line quoted in an annotation's message.
const MAX_TITLE_CHARS: usize = 200;

/// What a deploy marker says about the run, besides its outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployMarker {
    /// A label for the run (`deploy v1.2`); default: the command line.
    pub label: Option<String>,
    /// The command and its arguments.
    pub command: Vec<String>,
    /// The app the annotations concern.
    pub app: Option<String>,
    /// The layer they concern.
    pub layer: Option<String>,
    /// The host the command runs on.
    pub host: Option<String>,
    /// Who runs it.
    pub user: Option<String>,
}

/// How the wrapped command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandStatus {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it.
    Signaled(i32),
    /// It could not be started; `code` is the shell's (126 not executable, 127 not
    /// found).
    NotStarted {
        /// The exit code a shell would give.
        code: i32,
        /// Why it could not start.
        reason: String,
    },
}

impl CommandStatus {
    /// The exit code a shell reports for it: the code, `128 + N` for signal `N`, 126
    /// or 127 when it could not start.
    pub fn exit_code(&self) -> i32 {
        match self {
            CommandStatus::Exited(code) => *code,
            CommandStatus::Signaled(signal) => 128 + signal,
            CommandStatus::NotStarted { code, .. } => *code,
        }
    }
}

impl DeployMarker {
    /// The run's name in messages: the label, or the command line in backquotes.
    pub fn title(&self) -> String {
        if let Some(label) = self.label.as_deref().filter(|l| !l.trim().is_empty()) {
            return label.to_owned();
        }
        let line = self
            .command
            .iter()
            .map(|arg| quote(arg))
            .collect::<Vec<_>>()
            .join(" ");
        let mut chars = line.chars();
        let shown: String = chars.by_ref().take(MAX_TITLE_CHARS).collect();
        let more = if chars.next().is_some() { "…" } else { "" };
        format!("`{shown}{more}`")
    }

    /// The annotation posted before the command runs.
    pub fn start(&self) -> NewAnnotation {
        self.note(format!("{}: started", self.title()))
    }

    /// The annotation posted after it ended, with its outcome and duration.
    pub fn end(&self, status: &CommandStatus, elapsed: Duration) -> NewAnnotation {
        let took = format_duration(round_to_millis(elapsed));
        let outcome = match status {
            CommandStatus::Exited(0) => format!("finished, exit 0, took {took}"),
            CommandStatus::Exited(code) => format!("failed, exit {code}, took {took}"),
            CommandStatus::Signaled(signal) => {
                format!("killed by signal {signal}, took {took}")
            }
            CommandStatus::NotStarted { reason, .. } => format!("could not start: {reason}"),
        };
        self.note(format!("{}: {outcome}", self.title()))
    }

    fn note(&self, message: String) -> NewAnnotation {
        NewAnnotation {
            message,
            app: self.app.clone(),
            host: self.host.clone(),
            user: self.user.clone(),
            layer: self.layer.clone(),
            time: None,
        }
    }
}

fn round_to_millis(elapsed: Duration) -> Duration {
    Duration::from_millis(elapsed.as_millis().min(u128::from(u64::MAX)) as u64)
}

/// Quotes an argument the way a POSIX shell would need it, when it needs it.
fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Which of the two markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the command.
    Start,
    /// After it.
    End,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Start => "start",
            Phase::End => "end",
        })
    }
}

/// Why a marker was not (or not surely) recorded.
#[derive(Debug)]
pub enum MarkerError {
    /// The API call failed (its error says whether the outcome is unknown).
    Api(Error),
    /// No answer within the time left: the annotation may or may not be recorded.
    TimedOut(Duration),
    /// The deadline was used up before this marker: it was not sent.
    NoTimeLeft,
}

impl fmt::Display for MarkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarkerError::Api(error) => write!(f, "{error}"),
            MarkerError::TimedOut(limit) => write!(
                f,
                "no answer within {} (the deadline): it may or may not be recorded",
                format_duration(*limit)
            ),
            MarkerError::NoTimeLeft => f.write_str("not sent: the deadline was used up"),
        }
    }
}

/// A marker that failed, and at which phase.
#[derive(Debug)]
pub struct MarkerFailure {
    /// Start or end.
    pub phase: Phase,
    /// What happened.
    pub error: MarkerError,
}

impl fmt::Display for MarkerFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} annotation: {}", self.phase, self.error)
    }
}

/// Posts markers within one overall deadline, shared by the start and end posts: the
/// start post may use at most half of it, the end post whatever is left. Failures are
/// kept for [`MarkerPoster::summary`].
#[derive(Debug)]
pub struct MarkerPoster<'a> {
    tv: &'a TraceView,
    deadline: Duration,
    spent: Duration,
    failures: Vec<String>,
}

impl<'a> MarkerPoster<'a> {
    /// A poster that adds at most `deadline` in total.
    pub fn new(tv: &'a TraceView, deadline: Duration) -> Self {
        MarkerPoster {
            tv,
            deadline,
            spent: Duration::ZERO,
            failures: Vec::new(),
        }
    }

    /// The time this marker may take.
    fn allowance(&self, phase: Phase) -> Duration {
        let left = self.deadline.saturating_sub(self.spent);
        match phase {
            Phase::Start => left.min(self.deadline / 2),
            Phase::End => left,
        }
    }

    /// Posts one marker (never retried: a retry could duplicate it) within its share
    /// of the deadline.
    pub async fn post(&mut self, phase: Phase, note: &NewAnnotation) -> Result<(), MarkerFailure> {
        let allowance = self.allowance(phase);
        let started = Instant::now();
        let result = if allowance.is_zero() {
            Err(MarkerError::NoTimeLeft)
        } else {
            match tokio::time::timeout(allowance, self.tv.annotations().create(note)).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => Err(MarkerError::Api(error)),
                Err(_elapsed) => Err(MarkerError::TimedOut(allowance)),
            }
        };
        self.spent += started.elapsed();
        result.map_err(|error| {
            let failure = MarkerFailure { phase, error };
            self.failures.push(failure.to_string());
            failure
        })
    }

    /// Time spent posting so far.
    pub fn spent(&self) -> Duration {
        self.spent
    }

    /// One line about every failed marker, or `None` when all landed.
    pub fn summary(&self) -> Option<String> {
        if self.failures.is_empty() {
            return None;
        }
        Some(format!(
            "deploy markers not recorded: {}",
            self.failures.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker() -> DeployMarker {
        DeployMarker {
            command: vec!["./deploy.sh".into(), "--to".into(), "prod eu".into()],
            app: Some("web-shop".into()),
            user: Some("ci".into()),
            ..DeployMarker::default()
        }
    }

    #[test]
    fn markers_say_what_ran_and_how_it_ended() {
        let marker = marker();
        assert_eq!(
            marker.start().message,
            "`./deploy.sh --to 'prod eu'`: started"
        );
        let end = marker.end(&CommandStatus::Exited(3), Duration::from_millis(1500));
        assert_eq!(
            end.message,
            "`./deploy.sh --to 'prod eu'`: failed, exit 3, took 1.50 s"
        );
        assert_eq!(end.app.as_deref(), Some("web-shop"));
        assert_eq!(end.user.as_deref(), Some("ci"));
        let labelled = DeployMarker {
            label: Some("deploy v1.2".into()),
            ..marker
        };
        let killed = labelled.end(&CommandStatus::Signaled(15), Duration::from_secs(2));
        assert_eq!(
            killed.message,
            "deploy v1.2: killed by signal 15, took 2.00 s"
        );
    }

    #[test]
    fn exit_codes_follow_the_shell() {
        assert_eq!(CommandStatus::Exited(7).exit_code(), 7);
        assert_eq!(CommandStatus::Signaled(15).exit_code(), 143);
        let missing = CommandStatus::NotStarted {
            code: 127,
            reason: "not found".into(),
        };
        assert_eq!(missing.exit_code(), 127);
    }

    #[test]
    fn long_command_lines_are_cut() {
        let marker = DeployMarker {
            command: vec!["x".repeat(500)],
            ..DeployMarker::default()
        };
        assert_eq!(marker.title().chars().count(), MAX_TITLE_CHARS + 3);
    }

    #[test]
    fn the_start_marker_gets_at_most_half_the_deadline() {
        let tv = TraceView::builder()
            .site("http://127.0.0.1:9/api-v2")
            .api_key("deploy-test-key-1234")
            .build()
            .unwrap();
        let mut poster = MarkerPoster::new(&tv, Duration::from_secs(10));
        assert_eq!(poster.allowance(Phase::Start), Duration::from_secs(5));
        poster.spent = Duration::from_secs(4);
        assert_eq!(poster.allowance(Phase::End), Duration::from_secs(6));
        poster.spent = Duration::from_secs(11);
        assert_eq!(poster.allowance(Phase::End), Duration::ZERO);
    }
}
