//! Persistence and concurrency: the state file round trip, atomic replacement (no
//! temporary files left), corrupt, foreign and unreadable files, and concurrent writers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tv_sandbox::{AnnotationRange, AssignApp, Clock, LogMessage, OpenError, World, WorldConfig};

const NOW: i64 = tv_sandbox::server::FROZEN_NOW;

fn assign(app: &str, host: &str) -> AssignApp {
    AssignApp {
        appname: Some(app.to_owned()),
        hostname: Some(host.to_owned()),
        ..AssignApp::default()
    }
}

fn message(text: &str) -> LogMessage {
    LogMessage {
        message: Some(text.to_owned()),
        ..LogMessage::default()
    }
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tv-sandbox-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn open(seed: u64, state: &Path) -> Result<World, OpenError> {
    World::open(WorldConfig {
        seed,
        apps: 6,
        clock: Clock::Frozen(NOW),
        state_file: Some(state.to_owned()),
    })
}
#[test]
fn state_survives_a_restart() {
    let dir = TempDir::new();
    let file = dir.path().join("state.json");
    {
        let w = open(9, &file).unwrap();
        assert!(file.exists(), "a missing file is created at startup");
        w.assign_app(&AssignApp {
            create: true,
            layer: Some("PHP".into()),
            tags: Some("prod".into()),
            ..assign("persisted-app", "persisted-host")
        })
        .unwrap();
        let moved = w.view().app_hosts("web-shop").unwrap()[0].id;
        w.assign_app(&assign("persisted-app", w.view().host(moved).unwrap().name))
            .unwrap();
        let gone = w.view().app_hosts("search-service").unwrap()[0].id;
        w.delete_host(gone).unwrap();
        w.delete_app("admin-portal").unwrap();
        w.log_message(&LogMessage {
            appname: Some("persisted-app".into()),
            ..message("deployed")
        })
        .unwrap();
    }
    let describe = |w: &World| {
        let v = w.view();
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            v.apps(),
            v.hosts(),
            v.annotations(AnnotationRange::default()),
            v.app_tags("persisted-app"),
            v.layers("persisted-app", None)
        )
    };
    let first = describe(&open(9, &file).unwrap());
    let before = open(9, &file).unwrap();
    assert_eq!(first, describe(&before));
    let v = before.view();
    assert!(v.apps().contains(&"persisted-app") && !v.apps().contains(&"admin-portal"));
    assert_eq!(v.app_hosts("persisted-app").unwrap().len(), 2);
    assert_eq!(v.app_tags("persisted-app").unwrap(), vec!["prod"]);
    assert_eq!(
        v.app_annotations("persisted-app", AnnotationRange::default())
            .unwrap()
            .len(),
        1
    );
    // Ids keep increasing after a restart.
    before
        .assign_app(&AssignApp {
            create: true,
            layer: Some("nginx".into()),
            ..assign("second-app", "h2")
        })
        .unwrap();
    assert!(
        before.view().app("second-app").unwrap().id
            > before.view().app("persisted-app").unwrap().id
    );
    // No temporary files are left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["state.json", "state.json.lock"]);
}

#[cfg(unix)]
#[test]
fn a_linked_state_file_is_one_file() {
    let dir = TempDir::new();
    let target = dir.path().join("state.json");
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("state.json", &link).unwrap();
    // Through a dangling link: the target is created, the link stays a link.
    let world = open(9, &link).unwrap();
    world.log_message(&message("through the link")).unwrap();
    drop(world);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("through the link")
    );
    // One lock, next to the file itself, whichever name is given.
    assert!(dir.path().join("state.json.lock").exists());
    assert!(!dir.path().join("link.json.lock").exists());
    let world = open(9, &target).unwrap();
    let shown = format!("{:?}", world.view().annotations(AnnotationRange::default()));
    drop(world);
    assert_eq!(shown.matches("through the link").count(), 1, "{shown}");

    // A hard link would keep the old state under its other name: refused.
    let hard = dir.path().join("hard.json");
    std::fs::hard_link(&target, &hard).unwrap();
    for name in [&target, &hard] {
        let err = open(9, name).unwrap_err();
        assert!(
            matches!(err, OpenError::HardLinked { links: 2, .. }),
            "{err}"
        );
    }
}

#[test]
fn stale_temporaries_fifos_and_huge_ids() {
    let dir = TempDir::new();
    let file = dir.path().join("state.json");
    drop(open(9, &file).unwrap());
    // A save interrupted by kill -9 leaves its temporary file; the next start removes it.
    let stale = dir.path().join(".state.json.4242.tmp");
    std::fs::write(&stale, b"{\"half\":").unwrap();
    drop(open(9, &file).unwrap());
    assert!(!stale.exists());

    // Counters near the integer limit are refused at load, the file left as it is.
    let text = std::fs::read_to_string(&file).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["state"]["next_annotation_id"] = serde_json::json!(u64::MAX);
    let huge = serde_json::to_string(&doc).unwrap();
    std::fs::write(&file, &huge).unwrap();
    let err = open(9, &file).unwrap_err();
    assert!(matches!(err, OpenError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("next_annotation_id"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), huge);

    // A FIFO is refused at once instead of blocking the start.
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = open(9, &fifo).unwrap_err();
            assert!(matches!(err, OpenError::NotRegular { .. }), "{err}");
        }
    }
}

#[test]
fn bad_state_files_are_clear_errors_and_left_alone() {
    let dir = TempDir::new();
    let file = dir.path().join("state.json");
    for garbage in [
        "",
        "{",
        "[1,2,3]",
        "{\"format\":\"other\",\"version\":1,\"seed\":9,\"apps\":6,\"state\":{}}",
    ] {
        std::fs::write(&file, garbage).unwrap();
        let err = open(9, &file).unwrap_err();
        assert!(
            matches!(err, OpenError::Corrupt { .. }),
            "{garbage:?}: {err}"
        );
        assert!(err.to_string().contains("state.json"));
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            garbage,
            "the file was touched"
        );
    }
    // A valid file of another world.
    std::fs::remove_file(&file).unwrap();
    drop(open(9, &file).unwrap());
    let err = open(10, &file).unwrap_err();
    assert!(matches!(err, OpenError::Mismatch { .. }), "{err}");
    // A valid shape with inconsistent content.
    let text = std::fs::read_to_string(&file).unwrap();
    let broken = text.replace("\"deleted_apps\": []", "\"deleted_apps\": [1]");
    assert_ne!(text, broken);
    std::fs::write(&file, &broken).unwrap();
    assert!(matches!(
        open(9, &file).unwrap_err(),
        OpenError::Corrupt { .. }
    ));
    // Not a file: a directory where the file should be.
    let err = open(9, dir.path()).unwrap_err();
    assert!(matches!(err, OpenError::NotRegular { .. }), "{err}");
    // Unwritable location for a new file.
    let err = open(9, &dir.path().join("missing-dir").join("state.json")).unwrap_err();
    assert!(matches!(err, OpenError::Write { .. }), "{err}");
}

#[test]
fn invalid_app_counts_are_refused() {
    for apps in [0, tv_sandbox::MAX_APPS + 1] {
        let err = World::open(WorldConfig {
            apps,
            ..WorldConfig::default()
        })
        .unwrap_err();
        assert!(matches!(err, OpenError::InvalidApps { .. }));
    }
}

#[test]
fn concurrent_writes_are_all_kept() {
    let dir = TempDir::new();
    let file = dir.path().join("state.json");
    let w = Arc::new(open(1, &file).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let w = Arc::clone(&w);
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                for i in 0..10 {
                    ids.push(
                        w.log_message(&message(&format!("thread {t} message {i}")))
                            .unwrap(),
                    );
                    w.assign_app(&assign("web-shop", &format!("host-{t}-{i}")))
                        .unwrap();
                    // Reads run alongside writes.
                    assert!(!w.view().hosts().is_empty());
                }
                ids
            })
        })
        .collect();
    let mut ids: Vec<u64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 40);
    drop(w);
    let reopened = open(1, &file).unwrap();
    let v = reopened.view();
    assert_eq!(
        v.annotations(AnnotationRange::default())
            .iter()
            .filter(|a| a.message.starts_with("thread "))
            .count(),
        40
    );
    assert_eq!(
        v.app_hosts("web-shop")
            .unwrap()
            .iter()
            .filter(|h| h.name.starts_with("host-"))
            .count(),
        40
    );
}
