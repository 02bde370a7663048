//! The arguments of `tv annotate`: one annotation, `--wrap`, `--from-file`, `--dry-run`.

use std::path::PathBuf;

use clap::Args;

/// `tv annotate`.
#[derive(Debug, Args)]
#[command(after_help = ANNOTATE_HELP)]
pub struct AnnotateArgs {
    /// The text, e.g. "deploy v1.2" (with --wrap: the run's label, default the command line).
    #[arg(required_unless_present_any = ["wrap", "from_file"], conflicts_with = "from_file")]
    pub message: Option<String>,
    /// The app it concerns.
    #[arg(long)]
    pub app: Option<String>,
    /// The host it concerns [with --wrap, default: this machine's name].
    #[arg(long)]
    pub host: Option<String>,
    /// Who did it [with --wrap, default: $USER].
    #[arg(long)]
    pub user: Option<String>,
    /// The layer it concerns.
    #[arg(long)]
    pub layer: Option<String>,
    /// When it happened (ISO-8601, epoch seconds, `10m ago`) [default: now].
    #[arg(long, value_name = "TIME", conflicts_with = "wrap")]
    pub time: Option<crate::timearg::TimeArg>,
    // ---- deploy markers and batches (tv annotate --wrap / --from-file / --dry-run) ----
    /// Run the command after `--`, with a start annotation before and an end annotation
    /// (exit status, duration) after; exit with the command's own code.
    #[arg(long, requires = "command", conflicts_with = "from_file")]
    pub wrap: bool,
    /// With --wrap: a TraceView failure is one warning on stderr, never a failed run.
    #[arg(long, requires = "wrap")]
    pub best_effort: bool,
    /// With --wrap: the most time the two annotations may add, together: the global
    /// `--deadline` (which is not the run's deadline here: the command may take any
    /// time), else 10 s (`WRAP_DEADLINE`). Set by the command runner, not parsed.
    #[arg(skip = WRAP_DEADLINE)]
    pub deadline: std::time::Duration,
    /// Post every annotation of an NDJSON or CSV file (`-` for stdin), one report line each.
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    /// With --from-file: annotations in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64), requires = "from_file")]
    pub concurrency: u16,
    /// With --from-file: the longest line (or CSV record) accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024, value_parser = clap::value_parser!(u32).range(1..), requires = "from_file")]
    pub max_line_bytes: u32,
    /// With --from-file: the largest file accepted, in bytes; reading stops past it.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1..), requires = "from_file")]
    pub max_file_bytes: u64,
    /// With --from-file: the most annotations in one file.
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..), requires = "from_file")]
    pub max_annotations: u32,
    /// Print the request(s) that would be sent, key redacted; send nothing, run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The command to wrap and its arguments (after `--`).
    #[arg(last = true, value_name = "COMMAND", requires = "wrap")]
    pub command: Vec<String>,
}

/// `annotate --wrap` without `--deadline`: the two annotations take at most 10 s.
pub const WRAP_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

const ANNOTATE_HELP: &str = "\
Examples:
  tv annotate 'deploy v1.2' --app web-shop
  tv annotate --wrap --best-effort --deadline 5s --app web-shop -- ./deploy.sh v1.2
  tv annotate --from-file deploys.ndjson      (fields: message, app, host, user, layer, time)
  tv annotate 'deploy v1.2' --dry-run

--wrap exits with the command's code (128+N when signal N killed it, 127 when it cannot
be found); every signal sent to tv that can be caught (INT, TERM, HUP, QUIT, USR1, USR2,
ALRM, WINCH, …) is passed on to it; if tv is killed (SIGKILL) the command gets SIGTERM
(Linux), so it never runs on without tv.
--deadline (a global option) bounds the two annotations together with --wrap (default
10s; the start one at most half of it), never the command.
--from-file exits 0 when every line was posted, 1 when a line was refused or its outcome
is unknown (never sent twice), 2 when the file has a bad line (then nothing is sent).
The file is read as a stream within bounds: 64 KiB a line, 16 MiB a file, 100,000
annotations (raise them with --max-line-bytes, --max-file-bytes, --max-annotations);
reading stops at the first bound crossed, and the first 100 bad lines are kept.
In GitHub Actions (GITHUB_ACTIONS=true, GITHUB_OUTPUT set), `tv annotate MESSAGE` appends
`annotation_id=ID` to $GITHUB_OUTPUT (--wrap: the end annotation's id; --from-file: the
last line posted); if the id cannot be found or the file cannot be written, that is exit 1
(--best-effort: a warning) and the annotation was created all the same.";

impl AnnotateArgs {
    /// The bounds of `--from-file`.
    pub fn limits(&self) -> tv_client::batch::Limits {
        tv_client::batch::Limits {
            max_line_bytes: self.max_line_bytes as usize,
            max_file_bytes: self.max_file_bytes,
            max_annotations: self.max_annotations as usize,
        }
    }
}
