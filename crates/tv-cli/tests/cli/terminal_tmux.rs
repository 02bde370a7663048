//! `tv watch` and TAB completion in a real terminal: a bash in tmux (80 columns), keys
//! pressed as a user presses them, the screen read back. Needs tmux: run by
//! `cargo xtask integration` (`cargo test -- --ignored`); fails when tmux is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long to wait for the screen to show something before failing (a generous
/// bound on a loaded machine, not a speed target).
const PATIENCE: Duration = Duration::from_secs(60);

/// A tmux server of its own (own socket) running one bash, killed on drop.
struct Terminal {
    socket: String,
    _home: tempfile::TempDir,
}

impl Terminal {
    /// `bash --norc` at 80×24 with `tv` on its PATH and a fresh HOME.
    fn start(name: &str) -> Terminal {
        let home = tempfile::tempdir().unwrap();
        let socket = format!("tv-test-{name}-{}", std::process::id());
        let bin_dir: PathBuf = assert_cmd::cargo::cargo_bin("tv")
            .parent()
            .unwrap()
            .to_path_buf();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "80", "-y", "24"])
            .args(["env", "-i"])
            .arg(format!("PATH={path}"))
            .arg(format!("HOME={}", home.path().display()))
            .args([
                "TERM=xterm-256color",
                "PS1=$ ",
                "bash",
                "--norc",
                "--noprofile",
            ])
            .status()
            .expect("tmux is installed (apt-get install tmux)");
        assert!(status.success(), "tmux could not start");
        Terminal {
            socket,
            _home: home,
        }
    }

    fn home(&self) -> &Path {
        self._home.path()
    }

    fn tmux(&self, args: &[&str]) -> String {
        let output = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Types `text` as is.
    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "0", "-l", text]);
    }

    /// Presses keys by tmux name (`Enter`, `Tab`, `C-c`, `q`).
    fn press(&self, key: &str) {
        self.tmux(&["send-keys", "-t", "0", key]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "0"])
    }

    /// Waits until the screen satisfies `ready`; fails showing the screen.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "the screen never showed {what}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

fn watch_then_quit_with(key: &str, name: &str) {
    let terminal = Terminal::start(name);
    terminal.wait_for("the prompt", |s| s.trim_end().ends_with('$'));
    terminal.type_text("tv --demo watch --interval 1s; echo \"exit=$?\"");
    terminal.press("Enter");
    let screen = terminal.wait_for("the live view", |s| {
        s.contains("tv watch · all apps") && s.contains("web-shop") && s.contains("next refresh")
    });
    for line in screen.lines() {
        assert!(line.chars().count() <= 80, "wider than 80: {line}");
    }
    assert!(screen.contains('▁') || screen.contains('█'), "{screen}");
    // A second refresh arrives and the view stays up.
    std::thread::sleep(Duration::from_millis(1500));
    terminal.wait_for("the view again", |s| s.contains("tv watch ·"));
    terminal.press(key);
    let screen = terminal.wait_for("the shell back", |s| s.contains("exit=0"));
    assert!(
        !screen.contains("tv watch ·"),
        "the alternate screen stayed:\n{screen}"
    );
    // The terminal answers normally again (echo on, not raw).
    terminal.type_text("echo back-to-normal");
    terminal.press("Enter");
    terminal.wait_for("a normal terminal", |s| {
        s.lines().any(|line| line.trim() == "back-to-normal")
    });
}

#[test]
#[ignore = "real tool: tmux; run by cargo xtask integration"]
fn watch_shows_a_live_view_and_q_restores_the_terminal() {
    watch_then_quit_with("q", "watch-q");
}

#[test]
#[ignore = "real tool: tmux; run by cargo xtask integration"]
fn watch_quits_on_ctrl_c_restoring_the_terminal() {
    watch_then_quit_with("C-c", "watch-ctrl-c");
}

#[test]
#[ignore = "real tool: tmux; run by cargo xtask integration"]
fn tab_completes_real_names_in_bash() {
    let terminal = Terminal::start("complete");
    let config = terminal.home().join(".config/tv");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[profiles.staging]\napi_key = \"k\"\n[profiles.prod]\napi_key = \"k\"\n",
    )
    .unwrap();
    terminal.type_text("source <(tv completions bash) && echo completion-ready");
    terminal.press("Enter");
    terminal.wait_for("the script sourced", |s| {
        s.lines().any(|line| line.trim() == "completion-ready")
    });

    // An app name, asked of the (demo) server.
    terminal.type_text("tv --demo report web-s");
    terminal.press("Tab");
    terminal.wait_for("the app completed", |s| {
        s.contains("tv --demo report web-shop")
    });
    terminal.press("C-c");

    // A layer of the app on the line.
    terminal.type_text("tv --demo latency by-layer web-shop --layer mys");
    terminal.press("Tab");
    terminal.wait_for("the layer completed", |s| s.contains("--layer mysql"));
    terminal.press("C-c");

    // A profile of the config file.
    terminal.type_text("tv --profile stag");
    terminal.press("Tab");
    terminal.wait_for("the profile completed", |s| {
        s.contains("tv --profile staging")
    });
    terminal.press("C-c");

    // The names were cached for the next TAB.
    let cache = terminal.home().join(".cache/tv/completion");
    assert!(std::fs::read_dir(&cache).unwrap().count() >= 2);
}
