//! The commands that change things: host and app deletion, assignment, annotations.
//! Destructive ones ask on a terminal and take `--yes`. Deletes are retried like reads
//! (deleting twice deletes once); annotate and assign are sent once.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use tv_client::{Assignment, Deletion, NewAnnotation, TraceView};

use super::{Env, column, emit};
use crate::cli::{AnnotateArgs, AppCommand, HostCommand};
use crate::exit::{CliError, Exit};
use crate::render::{Align, Cell, Single, Table, Tone};
use crate::suggest::app_error;

/// JSON of every write command: what was done to what.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WriteOutcome {
    /// `deleted_host`, `deleted_app`, `assigned_host`, `annotated`.
    pub action: String,
    /// The host id, app or message concerned.
    pub target: String,
    /// Always true: failures exit non-zero instead.
    pub ok: bool,
    /// A delete only: an attempt's answer was lost and the retry found the target
    /// already gone, so that attempt most likely deleted it.
    pub earlier_answer_lost: bool,
}

fn outcome(action: &str, target: &str, env: &Env) -> Result<Exit, CliError> {
    outcome_of(action, target, false, env)
}

/// The outcome of a delete; says on stderr when an earlier answer was lost.
fn deleted(action: &str, target: &str, deletion: Deletion, env: &Env) -> Result<Exit, CliError> {
    let lost = match deletion {
        Deletion::Confirmed => false,
        Deletion::AfterLostAnswer => {
            eprintln!(
                "note: deleted; an earlier answer was lost (the retry found {target} already gone)"
            );
            true
        }
    };
    outcome_of(action, target, lost, env)
}

fn outcome_of(action: &str, target: &str, lost: bool, env: &Env) -> Result<Exit, CliError> {
    crate::context::note_demo_write();
    let value = WriteOutcome {
        action: action.to_string(),
        target: target.to_string(),
        ok: true,
        earlier_answer_lost: lost,
    };
    emit(
        &Single {
            value,
            table: outcome_table,
        },
        env,
    )
}

/// The one-row table of a write's outcome.
fn outcome_table(outcome: &WriteOutcome) -> Table {
    Table {
        title: None,
        columns: vec![
            column("action", "Done", Align::Left),
            column("target", "Target", Align::Left),
        ],
        rows: vec![vec![
            Cell::text(&outcome.action).toned(Tone::Good),
            Cell::text(&outcome.target),
        ]],
    }
}

/// Asks "… [y/N]" on a terminal; off a terminal, `--yes` is required.
fn confirm(question: &str, yes: bool, env: &Env) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !env.interactive {
        return Err(CliError::usage(format!(
            "{question}: not on a terminal, pass --yes to confirm"
        )));
    }
    eprint!("{question}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(CliError::usage("cancelled"))
    }
}

/// `tv host versions|delete`.
pub async fn host(tv: &TraceView, command: HostCommand, env: &Env) -> Result<Exit, CliError> {
    match command {
        HostCommand::Versions { id } => super::listing::versions(tv, id, env).await,
        HostCommand::Delete { host, yes, dry_run } => {
            // A name is looked up first (one read: also in a dry run), so what is deleted
            // is the host the confirmation names; a bare id in a dry run sends nothing.
            let id = match host.to_string().parse::<i64>() {
                Ok(id) if dry_run => id,
                _ => tv_client::workflow::resolve_host_id(tv, &host).await?.id,
            };
            if dry_run {
                return super::dry_run::show(tv, env, async move |tv| tv.hosts().delete(id).await)
                    .await;
            }
            let what = if host.to_string() == id.to_string() {
                format!("host {id}")
            } else {
                format!("host {} (id {id})", crate::render::clean(&host.to_string()))
            };
            confirm(&format!("Delete {what}"), yes, env)?;
            let deletion = tv.hosts().delete(id).await?;
            deleted("deleted_host", &id.to_string(), deletion, env)
        }
    }
}

/// `tv app assign|delete`.
pub async fn app(tv: &TraceView, command: AppCommand, env: &Env) -> Result<Exit, CliError> {
    match command {
        AppCommand::Assign {
            app,
            host,
            layer,
            tags,
            create,
            dry_run,
        } => {
            let assignment = Assignment {
                app: app.clone(),
                host: host.clone(),
                layer,
                tags,
                create,
            };
            if dry_run {
                return super::dry_run::show(tv, env, async move |tv| {
                    tv.apps().assign(&assignment).await
                })
                .await;
            }
            match tv.apps().assign(&assignment).await {
                Ok(()) => outcome("assigned_host", &format!("{host} → {app}"), env),
                Err(error @ tv_client::Error::NotFound(_)) if !create => Err(CliError::not_found(
                    format!("{error}; pass --create (and --layer) to create the app"),
                )),
                Err(error) => Err(error.into()),
            }
        }
        AppCommand::Delete { app, yes, dry_run } => {
            if dry_run {
                return super::dry_run::show(tv, env, async move |tv| tv.apps().delete(&app).await)
                    .await;
            }
            confirm(
                &format!("Delete app {app} (its hosts move to Default)"),
                yes,
                env,
            )?;
            match tv.apps().delete(&app).await {
                Ok(deletion) => deleted("deleted_app", &app, deletion, env),
                // Only a first-hand 404 reaches here: a retry that found the app gone
                // after a lost answer is a success above, never a did-you-mean.
                Err(error) => Err(app_error(tv, &app, error).await),
            }
        }
    }
}

/// `tv annotate MESSAGE`, `--wrap -- CMD…`, `--from-file FILE`.
pub async fn annotate(
    tv: &TraceView,
    args: &AnnotateArgs,
    env: &Env,
    now: DateTime<Utc>,
) -> Result<Exit, CliError> {
    if args.wrap {
        return super::wrap::run(tv, args, env, now).await;
    }
    if let Some(path) = &args.from_file {
        return super::annotate_file::run(tv, args, path, env, now).await;
    }
    let message = args.message.clone().unwrap_or_default();
    let note = NewAnnotation {
        message: message.clone(),
        app: args.app.clone(),
        host: args.host.clone(),
        user: args.user.clone(),
        layer: args.layer.clone(),
        time: args.time.map(|time| time.at(now)).transpose()?,
    };
    if args.dry_run {
        return super::dry_run::show(tv, env, async move |tv| {
            tv.annotations().create(&note).await
        })
        .await;
    }
    match tv.annotations().create(&note).await {
        Ok(()) => {
            let exit = outcome("annotated", &message, env)?;
            super::github_output::write_annotation_id(tv, &note, now)
                .await
                .map(|()| exit)
        }
        Err(error @ tv_client::Error::NotFound(_)) => match &args.app {
            Some(app) => Err(app_error(tv, app, error).await),
            None => Err(error.into()),
        },
        Err(error) => Err(error.into()),
    }
}
