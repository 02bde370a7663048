//! Recording a run (`tv --record DIR`): every answered request, scrubbed of the key and
//! of anything named like a secret, one JSON file per exchange, for `tv --replay DIR`
//! or `tv sandbox --replay DIR` to answer from elsewhere, byte for byte.
//!
//! [`RecordedExchange`] is the file format (one home, in tv-api, shared with the
//! sandbox's replay server); [`DirectoryRecorder`] writes it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use tv_api::recording::{ExchangeRecorder, RecordedExchange, scrub_form, scrub_target};

/// Writes each exchange to `DIR/NNNN-operation.json` (NNNN in the order answered).
#[derive(Debug)]
pub struct DirectoryRecorder {
    dir: PathBuf,
    written: AtomicUsize,
    failure: Mutex<Option<String>>,
}

impl DirectoryRecorder {
    /// Records into `dir`, created when missing. A directory that already holds a
    /// recording (any `.json` file) is refused: two runs would mix.
    pub fn create(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read the directory {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            if entry.path().extension().is_some_and(|ext| ext == "json") {
                return Err(format!(
                    "{} already holds a recording; record into an empty directory",
                    dir.display()
                ));
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            written: AtomicUsize::new(0),
            failure: Mutex::new(None),
        })
    }

    /// How many exchanges were written, or the first write that failed.
    pub fn finish(&self) -> Result<usize, String> {
        let failure = match self.failure.lock() {
            Ok(failure) => failure.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        match failure {
            Some(message) => Err(message),
            None => Ok(self.written.load(Ordering::SeqCst)),
        }
    }

    fn write(&self, exchange: &RecordedExchange) -> Result<(), String> {
        let number = self.written.fetch_add(1, Ordering::SeqCst) + 1;
        let name: String = exchange
            .operation
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(60)
            .collect();
        let path = self.dir.join(format!("{number:04}-{name}.json"));
        let text = serde_json::to_string_pretty(exchange)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        std::fs::write(&path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

impl ExchangeRecorder for DirectoryRecorder {
    fn record(&self, exchange: RecordedExchange) {
        if let Err(message) = self.write(&exchange) {
            let mut failure = match self.failure.lock() {
                Ok(failure) => failure,
                Err(poisoned) => poisoned.into_inner(),
            };
            failure.get_or_insert(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchanges_are_written_in_order_and_a_used_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = DirectoryRecorder::create(dir.path()).unwrap();
        let exchange = RecordedExchange {
            operation: "get_apps".into(),
            method: "GET".into(),
            target: "/api-v2/apps".into(),
            request_body: None,
            status: 200,
            content_type: Some("application/json".into()),
            body: r#"{"data":[],"response":"ok"}"#.into(),
        };
        recorder.record(exchange.clone());
        assert_eq!(recorder.finish(), Ok(1));
        let text = std::fs::read_to_string(dir.path().join("0001-get_apps.json")).unwrap();
        let read: RecordedExchange = serde_json::from_str(&text).unwrap();
        assert_eq!(read, exchange);
        let refused = DirectoryRecorder::create(dir.path()).unwrap_err();
        assert!(refused.contains("already holds a recording"), "{refused}");
    }
}
