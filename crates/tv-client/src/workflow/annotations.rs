//! Annotations with the names of their apps (the API gives only an app's numeric id).

use std::collections::HashMap;

use futures::StreamExt;
use serde::Serialize;

use crate::client::{AnnotationRange, TraceView};
use crate::error::Error;
use crate::model::Annotation;

/// An annotation and the name of the app it is attached to.
///
/// JSON: the fields of [`Annotation`] plus `"app": "web-shop" | null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct NamedAnnotation {
    /// The annotation.
    #[serde(flatten)]
    pub annotation: Annotation,
    /// The name of its app; `None` when it has none (or the app is gone).
    pub app: Option<String>,
}

/// The annotations in `range`, newest first, of `app` or of the whole organization,
/// each with its app's name. Without `app`, the names are found by listing each app's
/// annotations over the same range (at most `concurrency` at a time), only when some
/// annotation is attached to an app.
pub async fn annotations_with_apps(
    tv: &TraceView,
    app: Option<&str>,
    range: AnnotationRange,
    concurrency: usize,
) -> Result<Vec<NamedAnnotation>, Error> {
    if let Some(app) = app {
        let notes = tv.annotations().of_app(app, range).await?;
        return Ok(notes
            .into_iter()
            .map(|annotation| NamedAnnotation {
                annotation,
                app: Some(app.to_string()),
            })
            .collect());
    }
    let notes = tv.annotations().list(range).await?;
    let mut names: HashMap<i64, String> = HashMap::new();
    if notes.iter().any(|n| n.app_id.is_some()) {
        let apps = tv.discovery().apps().await?;
        let mut lists = tv.fan_out(apps, concurrency, move |tv, app| async move {
            tv.annotations().of_app(&app, range).await
        });
        while let Some(done) = lists.next().await {
            for note in done.result? {
                names.insert(note.id, done.app.clone());
            }
        }
    }
    Ok(notes
        .into_iter()
        .map(|annotation| NamedAnnotation {
            app: names.get(&annotation.id).cloned(),
            annotation,
        })
        .collect())
}
