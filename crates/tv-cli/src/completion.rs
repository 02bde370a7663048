//! Completion of real names on TAB (`source <(COMPLETE=bash tv)`, the same for zsh and
//! fish): apps, layers of the app on the line, hosts, annotation ids, profiles and the
//! discovery lists, through clap_complete's dynamic completion. Names come from the
//! server the line points at (`--demo`, `--profile`, the environment), are kept in a
//! short on-disk cache ([`crate::completion_cache`]), and a TAB waits at most
//! [`FETCH_DEADLINE`]; when the server cannot be asked, the stale cache or nothing is
//! offered (the shell still completes the flags).

use std::ffi::OsString;
use std::time::Duration;

use clap::FromArgMatches;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

use crate::cli::GlobalArgs;
use crate::completion_cache::{self, Names};

/// The longest a TAB waits for the server.
pub const FETCH_DEADLINE: Duration = Duration::from_secs(2);

/// The most names offered for one TAB.
const MAX_NAMES: usize = 2000;

/// What a value names, and so where its candidates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An app (`tv apps`).
    App,
    /// A layer of the app on the line (`tv layers APP`).
    Layer,
    /// A host name (`tv hosts`).
    Host,
    /// An annotation id of the app on the line (`tv annotations`), or `latest`.
    Annotation,
    /// A profile of the config file.
    Profile,
    /// `tv discover domains`.
    Domain,
    /// `tv discover controllers`.
    Controller,
    /// `tv discover actions`.
    Action,
    /// `tv discover browsers`.
    Browser,
    /// `tv discover regions`.
    Region,
}

/// The one table of what each argument (by its clap id) names.
const ARGUMENTS: [(&str, Kind); 11] = [
    ("app", Kind::App),
    ("layer", Kind::Layer),
    ("host", Kind::Host),
    ("id", Kind::Host),
    ("around", Kind::Annotation),
    ("profile", Kind::Profile),
    ("domain", Kind::Domain),
    ("controller", Kind::Controller),
    ("action", Kind::Action),
    ("browser", Kind::Browser),
    ("region", Kind::Region),
];

/// The command tree for shell completion, with a candidate source on every argument
/// of [`ARGUMENTS`], in every subcommand.
pub fn command() -> clap::Command {
    attach(crate::cli::completion_command())
}

fn attach(mut command: clap::Command) -> clap::Command {
    for (id, kind) in ARGUMENTS {
        if command.get_arguments().any(|arg| arg.get_id() == id) {
            command = command.mut_arg(id, |arg| {
                arg.add(ArgValueCandidates::new(move || candidates(kind)))
            });
        }
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, attach);
    }
    command
}

/// Answers the shell when it asks (`COMPLETE=bash tv …`); otherwise returns at once.
pub fn answer_shell() {
    clap_complete::CompleteEnv::with_factory(command)
        .bin("tv")
        .complete();
}

/// The registration script of `shell`, the one `COMPLETE=SHELL tv` prints.
pub fn registration(shell: clap_complete::Shell) -> Result<Vec<u8>, std::io::Error> {
    use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
    let completer: &dyn EnvCompleter = match shell {
        clap_complete::Shell::Bash => &Bash,
        clap_complete::Shell::Elvish => &Elvish,
        clap_complete::Shell::Fish => &Fish,
        clap_complete::Shell::PowerShell => &Powershell,
        _ => &Zsh,
    };
    let mut script = Vec::new();
    completer.write_registration("COMPLETE", "tv", "tv", "tv", &mut script)?;
    Ok(script)
}

/// The words of the line before the one being completed, as the shell hands them
/// over (`tv -- tv latency by-layer web-shop --layer …`).
fn line_before_current() -> Vec<OsString> {
    let words: Vec<OsString> = std::env::args_os()
        .skip_while(|word| word != "--")
        .skip(1)
        .collect();
    let current = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|index| index.parse::<usize>().ok())
        .unwrap_or(words.len().saturating_sub(1));
    words.into_iter().take(current).collect()
}

/// The global flags and the app of the line being completed (`None` when even an
/// empty line does not parse).
fn line_context() -> Option<(GlobalArgs, Option<String>)> {
    let matches = crate::cli::command()
        .ignore_errors(true)
        .try_get_matches_from(line_before_current())
        .or_else(|_| crate::cli::command().try_get_matches_from(["tv", "apps"]))
        .ok()?;
    let global = GlobalArgs::from_arg_matches(&matches).ok()?;
    let mut deepest = &matches;
    let mut app = None;
    loop {
        if let Ok(Some(value)) = deepest.try_get_one::<String>("app") {
            app = Some(value.clone());
        }
        match deepest.subcommand() {
            Some((_, sub)) => deepest = sub,
            None => break,
        }
    }
    Some((global, app))
}

/// The candidates of `kind` for the line being completed.
fn candidates(kind: Kind) -> Vec<CompletionCandidate> {
    let Some((global, app)) = line_context() else {
        return Vec::new();
    };
    let names = match kind {
        Kind::Profile => profiles(&global),
        _ => server_names(kind, global, app.as_deref()),
    };
    let mut candidates: Vec<CompletionCandidate> = names
        .into_iter()
        .take(MAX_NAMES)
        .filter(|(name, _)| !name.is_empty() && !name.chars().any(char::is_whitespace))
        .map(|(name, help)| {
            let name = tv_client::error::one_line(&name, 200);
            let candidate = CompletionCandidate::new(name);
            match help {
                Some(help) => candidate.help(Some(tv_client::error::one_line(&help, 80).into())),
                None => candidate,
            }
        })
        .collect();
    if kind == Kind::Annotation {
        candidates.insert(0, CompletionCandidate::new("latest"));
    }
    candidates
}

/// The profiles of the config file (no network).
fn profiles(global: &GlobalArgs) -> Names {
    let path = global
        .config
        .clone()
        .or_else(|| tv_client::config::default_config_path(&tv_client::config::ProcessEnv));
    path.and_then(|path| {
        tv_client::profile_file::ProfileFile::load(&path)
            .ok()
            .flatten()
    })
    .map(|file| {
        file.profile_names()
            .into_iter()
            .map(|name| (name, None))
            .collect()
    })
    .unwrap_or_default()
}

/// The names from the cache when fresh, else from the server within
/// [`FETCH_DEADLINE`] (then cached), else the stale cache, else none.
fn server_names(kind: Kind, mut global: GlobalArgs, app: Option<&str>) -> Names {
    let needs_app = matches!(kind, Kind::Layer | Kind::Annotation);
    if needs_app && app.is_none() {
        return Names::new();
    }
    let origin = format!(
        "{kind:?}|{}|{}|{:?}|{:?}|{:?}|{:?}",
        app.unwrap_or(""),
        global.demo,
        global.profile,
        global.base_url,
        std::env::var("TV_PROFILE").ok(),
        std::env::var("TV_BASE_URL").ok(),
    );
    let cached = completion_cache::load(&origin);
    if let Some(entry) = &cached {
        if entry.fresh() {
            return entry.names.clone();
        }
    }
    global.timeout.get_or_insert(FETCH_DEADLINE);
    global.attempts = Some(1);
    let fetched = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()
        .and_then(|runtime| {
            runtime.block_on(async {
                tokio::time::timeout(FETCH_DEADLINE, fetch(kind, &global, app))
                    .await
                    .ok()
                    .flatten()
            })
        });
    match fetched {
        Some(names) => {
            completion_cache::save(&origin, &names);
            names
        }
        None => cached.map(|entry| entry.names).unwrap_or_default(),
    }
}

/// Asks the server for the names of `kind`.
async fn fetch(kind: Kind, global: &GlobalArgs, app: Option<&str>) -> Option<Names> {
    let settings = crate::context::RunSettings::new();
    let connection = crate::context::connect(global, &settings).await.ok()?;
    let tv = &connection.tv;
    let discovery = tv.discovery();
    let plain = |names: Vec<String>| names.into_iter().map(|n| (n, None)).collect::<Names>();
    let names = match kind {
        Kind::App => plain(discovery.apps().await.ok()?),
        Kind::Layer => plain(discovery.layers(app?, None).await.ok()?),
        Kind::Domain => plain(discovery.domains().await.ok()?),
        Kind::Controller => plain(discovery.controllers().await.ok()?),
        Kind::Action => plain(discovery.actions().await.ok()?),
        Kind::Browser => plain(discovery.browsers().await.ok()?),
        Kind::Region => plain(discovery.regions().await.ok()?),
        Kind::Host => tv
            .hosts()
            .list()
            .await
            .ok()?
            .into_iter()
            .map(|host| (host.name, Some(format!("host {}", host.id))))
            .collect(),
        Kind::Annotation => tv
            .annotations()
            .of_app(app?, tv_client::AnnotationRange::default())
            .await
            .ok()?
            .into_iter()
            .rev()
            .map(|note| (note.id.to_string(), Some(note.message)))
            .collect(),
        Kind::Profile => Names::new(),
    };
    Some(names)
}
