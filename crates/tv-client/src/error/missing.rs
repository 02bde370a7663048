//! What a [`Error::NotFound`](super::Error::NotFound) did not find, as data: callers
//! decide by kind (suggest an app only when an app was missing), never by message text.

use std::fmt;

use chrono::{DateTime, Utc};

use super::one_line;

/// The longest name quoted in a not-found message, in characters.
const NAME_CHARS: usize = 80;

/// Where an annotation that is not an app's is attached instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elsewhere {
    /// To the app with this id.
    App(i64),
    /// To no app (an organization-wide annotation).
    NoApp,
}

/// What was not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The server answered 404 for the thing its request's path names (on an app's
    /// endpoints, the app); holds the server's message.
    Server(String),
    /// An app, by name.
    App(String),
    /// A host, by name or number.
    Host(String),
    /// No app matches a `--apps` pattern.
    Pattern(String),
    /// An annotation, by id, among an app's annotations since `since`.
    Annotation {
        /// The app whose annotations were searched.
        app: String,
        /// The id asked for.
        id: i64,
        /// Where the annotation is, when it exists but is not the app's.
        elsewhere: Option<Elsewhere>,
        /// The oldest annotation time searched.
        since: Option<DateTime<Utc>>,
    },
    /// An app without any annotation since `since`.
    NoAnnotation {
        /// The app.
        app: String,
        /// The oldest annotation time searched.
        since: Option<DateTime<Utc>>,
    },
    /// A deleted thing, gone after an attempt whose answer was lost.
    Gone {
        /// The operation.
        operation: String,
    },
}

fn since_text(since: &Option<DateTime<Utc>>) -> String {
    match since {
        Some(at) => format!(" since {}", at.format("%Y-%m-%d %H:%M UTC")),
        None => String::new(),
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |text: &str| one_line(text, NAME_CHARS);
        match self {
            Missing::Server(message) => f.write_str(message),
            Missing::App(app) => write!(f, "no app named `{}`", name(app)),
            Missing::Host(host) => write!(f, "no host named or numbered `{}`", name(host)),
            Missing::Pattern(pattern) => write!(f, "no app matches `{}`", name(pattern)),
            Missing::Annotation {
                app,
                id,
                elsewhere: Some(Elsewhere::App(owner)),
                ..
            } => write!(
                f,
                "annotation {id} belongs to another app (app id {owner}), not `{}`",
                name(app)
            ),
            Missing::Annotation {
                app,
                id,
                elsewhere: Some(Elsewhere::NoApp),
                ..
            } => write!(
                f,
                "annotation {id} is attached to no app, not to `{}`",
                name(app)
            ),
            Missing::Annotation {
                app,
                id,
                elsewhere: None,
                since,
            } => write!(
                f,
                "no annotation {id} of app `{}`{}",
                name(app),
                since_text(since)
            ),
            Missing::NoAnnotation { app, since } => {
                write!(
                    f,
                    "app `{}` has no annotation{}",
                    name(app),
                    since_text(since)
                )
            }
            Missing::Gone { operation } => {
                write!(
                    f,
                    "{operation}: gone after an attempt whose answer was lost"
                )
            }
        }
    }
}
