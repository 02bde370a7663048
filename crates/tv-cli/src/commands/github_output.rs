//! Step outputs for GitHub Actions: `name=value` lines appended to `$GITHUB_OUTPUT`.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use tv_client::{NewAnnotation, TraceView};

use crate::exit::{CliError, Exit};

/// The step-output file of a GitHub Actions step.
#[derive(Debug)]
pub struct GithubOutput(PathBuf);

impl GithubOutput {
    /// The file, when `GITHUB_ACTIONS=true` and `GITHUB_OUTPUT` names one.
    pub fn from_env() -> Option<GithubOutput> {
        let actions = std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true");
        let path = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty())?;
        actions.then(|| GithubOutput(PathBuf::from(path)))
    }

    /// The file's path, for messages.
    pub fn path(&self) -> String {
        crate::render::clean(&self.0.to_string_lossy())
    }

    /// Appends `name=value` and a newline in one write to the end of the file (created
    /// when missing, never truncated), so a runner reading it, or another step writing,
    /// sees the whole line or none. `name` and `value` are one short line each: a name
    /// of ASCII letters, digits, `_` and `-`, a value without CR or LF (else
    /// `InvalidInput`, nothing written).
    pub fn append(&self, name: &str, value: &str) -> std::io::Result<()> {
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_ok || value.contains(['\n', '\r']) || name.len() + value.len() > 4096 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a one-line step output",
            ));
        }
        let line = format!("{name}={value}\n");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.0)?;
        file.write_all(line.as_bytes())?;
        file.flush()
    }
}

/// In a GitHub Actions step, `annotation_id=ID` of `note`, just created, appended to
/// `$GITHUB_OUTPUT` (the API does not return the id: it is found by listing); elsewhere
/// nothing. The one path of `tv annotate MESSAGE`, `--wrap` (the end annotation) and
/// `--from-file` (the last line posted). A failure is one line (exit 1) that says the
/// annotation was created all the same, so the step is not simply run again. `near` is
/// the run's reference time, used when the note has a time of its own.
pub async fn write_annotation_id(
    tv: &TraceView,
    note: &NewAnnotation,
    near: DateTime<Utc>,
) -> Result<(), CliError> {
    let Some(out) = GithubOutput::from_env() else {
        return Ok(());
    };
    let failed = |what: String| {
        CliError::new(
            Exit::Runtime,
            format!("the annotation was created, but {what}: nothing written to $GITHUB_OUTPUT"),
        )
    };
    // Without --time the server stamped it with its own now, which `near` (this
    // machine's clock when no time was relative) need not be.
    let near = match note.time {
        Some(_) => Ok(near),
        None => {
            tv_client::workflow::Now::server(tv)
                .get(note.app.as_deref())
                .await
        }
    };
    let found = async { tv.annotations().find_created(note, near?).await }
        .await
        .map_err(|e| failed(format!("listing annotations to find its id failed ({e})")))?;
    let Some(found) = found else {
        return Err(failed(
            "its id was not found among the listed annotations".into(),
        ));
    };
    out.append("annotation_id", &found.id.to_string())
        .map_err(|e| {
            CliError::new(
                Exit::Runtime,
                format!(
                    "the annotation was created (id {}), but $GITHUB_OUTPUT ({}) could not be \
                     written: {e}",
                    found.id,
                    out.path()
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_and_never_span_two() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("output");
        std::fs::write(&path, "earlier=1\n").unwrap();
        let out = GithubOutput(path.clone());
        out.append("annotation_id", "27").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "earlier=1\nannotation_id=27\n"
        );
        assert!(out.append("x", "a\nb=c").is_err());
        assert!(out.append("a=b", "c").is_err());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "earlier=1\nannotation_id=27\n"
        );
    }
}
