//! `tv watch [APP…]`: the report, refreshed as each 30 s slice completes. On a
//! terminal a live view (alternate screen, changes marked, `q` or Ctrl-C restores the
//! terminal); elsewhere one NDJSON record per refresh. A failed refresh is shown (or
//! written on stderr) and retried; the view goes on.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use tv_client::workflow::{self, AppSelection, Now};
use tv_client::{Concurrency, TimeWindow, TraceView};

use super::Env;
use super::watch_view::{self, ViewOptions, WatchFrame};
use crate::cli::WatchArgs;
use crate::exit::{CliError, Exit};
use crate::render::Format;

/// The slice of the hour window: a refresh follows each.
const SLICE: Duration = Duration::from_secs(30);
/// Time given to the server to close a slice before asking.
const SETTLE: Duration = Duration::from_secs(2);
/// The wait before retrying a failed refresh.
const RETRY: Duration = Duration::from_secs(5);

/// `tv watch`.
pub async fn run(tv: &TraceView, args: &WatchArgs, env: &Env) -> Result<Exit, CliError> {
    if env.render.format == Format::Table && std::io::stdout().is_terminal() {
        live(tv, args, env).await
    } else {
        records(tv, args).await
    }
}

/// One refresh: one app in depth, else the apps given (or all) one row each.
async fn fetch(tv: &TraceView, args: &WatchArgs) -> Result<WatchFrame, CliError> {
    let now = Now::server(tv);
    if let [app] = args.apps.as_slice() {
        return match workflow::app_report(tv, &now, app, TimeWindow::Hour, None).await {
            Ok(report) => Ok(WatchFrame::of_app(report)),
            Err(error) => Err(crate::suggest::app_error(tv, app, error).await),
        };
    }
    let apps = if args.apps.is_empty() {
        tv.discovery().apps().await?
    } else {
        args.apps.clone()
    };
    let end = now.resolve(apps.first().map(String::as_str), None).await?;
    let rows = workflow::report_stream(tv, apps, TimeWindow::Hour, end, Concurrency::adaptive());
    let report =
        workflow::collect(TimeWindow::Hour, end, rows, &AppSelection::new(), |_| {}).await?;
    Ok(WatchFrame::of_apps(report))
}

/// How long until the next refresh: `--interval`, else just after the current 30 s
/// slice closes.
fn next_wait(args: &WatchArgs) -> Duration {
    if let Some(interval) = args.interval {
        return interval;
    }
    let into_slice = u64::try_from(Utc::now().timestamp().rem_euclid(30)).unwrap_or(0);
    SLICE.saturating_sub(Duration::from_secs(into_slice)) + SETTLE
}

/// Whether a failed refresh is retried: server and network failures (exit 1) are;
/// an unknown app, a refused key or a bad flag would fail again and end the watch.
fn retried(error: &CliError) -> bool {
    error.exit == Exit::Runtime
}

/// Whether `--count` refreshes are done.
fn done(args: &WatchArgs, refreshes: u32) -> bool {
    args.count.is_some_and(|count| refreshes >= count)
}

/// Not on a terminal: one JSON record per refresh on stdout, failures on stderr; ends
/// on Ctrl-C, a closed pipe or after `--count` refreshes (then failing when the last
/// refresh failed).
async fn records(tv: &TraceView, args: &WatchArgs) -> Result<Exit, CliError> {
    let mut refreshes = 0;
    loop {
        let outcome = fetch(tv, args).await;
        refreshes += 1;
        let wait = match &outcome {
            Ok(frame) => {
                let line = serde_json::to_string(frame).map_err(|e| {
                    CliError::new(Exit::Runtime, format!("cannot serialize the output: {e}"))
                })?;
                let mut out = std::io::stdout().lock();
                writeln!(out, "{line}").and_then(|()| out.flush())?;
                next_wait(args)
            }
            Err(error) if !retried(error) || done(args, refreshes) => {
                return outcome.map(|_| Exit::Ok);
            }
            Err(error) => {
                crate::exit::report(error, None);
                RETRY
            }
        };
        if done(args, refreshes) {
            return Ok(Exit::Ok);
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = tokio::signal::ctrl_c() => return Ok(Exit::Ok),
        }
    }
}

/// The terminal in raw mode on the alternate screen, the cursor hidden, while this
/// lives; restored on drop (also when a refresh panics or fails).
struct Screen;

impl Screen {
    fn enter() -> std::io::Result<Screen> {
        use crossterm::{cursor, execute, terminal};
        terminal::enable_raw_mode()?;
        let screen = Screen;
        execute!(
            std::io::stdout(),
            terminal::EnterAlternateScreen,
            cursor::Hide
        )?;
        Ok(screen)
    }

    /// Draws `lines` from the top left, clearing what was there.
    fn draw(&self, lines: &[String]) -> std::io::Result<()> {
        use crossterm::{cursor, queue, terminal};
        let mut out = std::io::stdout().lock();
        queue!(
            out,
            cursor::MoveTo(0, 0),
            terminal::Clear(terminal::ClearType::All)
        )?;
        for line in lines {
            write!(out, "{line}\r\n")?;
        }
        out.flush()
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        use crossterm::{cursor, execute, terminal};
        let _ = execute!(
            std::io::stdout(),
            cursor::Show,
            terminal::LeaveAlternateScreen
        );
        let _ = terminal::disable_raw_mode();
    }
}

/// What a key press or terminal event asks of the view.
#[derive(Debug, PartialEq, Eq)]
enum Input {
    Quit,
    Redraw,
    Nothing,
}

fn input(event: Option<std::io::Result<crossterm::event::Event>>) -> Input {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};
    match event {
        // The terminal went away: nothing more can be shown.
        None | Some(Err(_)) => Input::Quit,
        Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => match key.code {
            KeyCode::Char('q' | 'Q') | KeyCode::Esc => Input::Quit,
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Input::Quit,
            _ => Input::Nothing,
        },
        Some(Ok(Event::Resize(..))) => Input::Redraw,
        Some(Ok(_)) => Input::Nothing,
    }
}

/// The live view.
async fn live(tv: &TraceView, args: &WatchArgs, env: &Env) -> Result<Exit, CliError> {
    let screen = Screen::enter()
        .map_err(|e| CliError::new(Exit::Runtime, format!("cannot use the terminal: {e}")))?;
    let mut events = crossterm::event::EventStream::new();
    let mut shown: Option<WatchFrame> = None;
    let mut before: Option<WatchFrame> = None;
    let mut status = "asking the server…".to_owned();
    let mut refreshes = 0;
    let draw = |shown: &Option<WatchFrame>, before: &Option<WatchFrame>, status: &str| {
        let width = crossterm::terminal::size().map_or(80, |(w, _)| usize::from(w));
        let options = ViewOptions {
            width,
            color: env.render.color,
        };
        let lines = match shown {
            Some(frame) => watch_view::draw(frame, before.as_ref(), status, options),
            None => vec![format!("tv watch · {status}")],
        };
        screen.draw(&lines)
    };
    let io_error = |e: std::io::Error| CliError::new(Exit::Runtime, format!("cannot draw: {e}"));
    draw(&shown, &before, &status).map_err(io_error)?;
    loop {
        let fetched = tokio::select! {
            fetched = fetch(tv, args) => fetched,
            () = until_quit(&mut events) => return Ok(Exit::Ok),
        };
        refreshes += 1;
        let wait = match fetched {
            Ok(frame) => {
                before = shown.replace(frame);
                let wait = next_wait(args);
                let next = chrono::Local::now() + wait;
                status = format!("next refresh at {}", next.format("%H:%M:%S"));
                wait
            }
            Err(error) if !retried(&error) => return Err(error),
            Err(error) => {
                status = format!(
                    "error: {} (retrying in {} s)",
                    error.message,
                    RETRY.as_secs()
                );
                RETRY
            }
        };
        draw(&shown, &before, &status).map_err(io_error)?;
        if done(args, refreshes) {
            return Ok(Exit::Ok);
        }
        let sleep = tokio::time::sleep(wait);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => break,
                event = events.next() => match input(event) {
                    Input::Quit => return Ok(Exit::Ok),
                    Input::Redraw => draw(&shown, &before, &status).map_err(io_error)?,
                    Input::Nothing => {}
                },
            }
        }
    }
}

/// Returns once a key asks to quit (resizes wait for the next draw).
async fn until_quit(events: &mut crossterm::event::EventStream) {
    while input(events.next().await) != Input::Quit {}
}

#[cfg(test)]
mod tests {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> Option<std::io::Result<Event>> {
        Some(Ok(Event::Key(KeyEvent::new(code, modifiers))))
    }

    #[test]
    fn q_escape_and_ctrl_c_quit_and_other_keys_do_not() {
        assert_eq!(
            input(key(KeyCode::Char('q'), KeyModifiers::NONE)),
            Input::Quit
        );
        assert_eq!(input(key(KeyCode::Esc, KeyModifiers::NONE)), Input::Quit);
        assert_eq!(
            input(key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Input::Quit
        );
        assert_eq!(
            input(key(KeyCode::Char('c'), KeyModifiers::NONE)),
            Input::Nothing
        );
        assert_eq!(input(Some(Ok(Event::Resize(80, 24)))), Input::Redraw);
        assert_eq!(input(None), Input::Quit);
    }

    #[test]
    fn refreshes_follow_the_slices_or_the_interval() {
        let mut args = WatchArgs {
            apps: Vec::new(),
            count: None,
            interval: None,
        };
        let wait = next_wait(&args);
        assert!(wait > SETTLE && wait <= SLICE + SETTLE, "{wait:?}");
        args.interval = Some(Duration::from_secs(3));
        assert_eq!(next_wait(&args), Duration::from_secs(3));
        assert!(!done(&args, 1));
        args.count = Some(2);
        assert!(!done(&args, 1) && done(&args, 2));
    }
}
