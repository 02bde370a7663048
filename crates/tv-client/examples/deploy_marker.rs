//! A deploy marker: record an annotation for an app, then find it among the app's
//! annotations. Annotations are sent once (never retried: a retry could record the
//! deploy twice); when the answer is lost the error says the outcome is unknown.
//!
//! `cargo run -p tv-client --example deploy_marker -- "deploy 1.4.2"` (an in-process
//! sandbox, gone at exit), or against `TV_BASE_URL`/`TV_API_KEY` (and `TV_APP`) — which
//! really records it.

mod support;

use tv_client::{AnnotationRange, Error, NewAnnotation};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let message = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "deploy 1.4.2 (example)".to_owned());
    let target = support::connect().await?;
    let (tv, app) = (&target.tv, target.app.as_str());
    let note = NewAnnotation {
        message: message.clone(),
        app: Some(app.to_owned()),
        user: Some("examples".to_owned()),
        ..NewAnnotation::default()
    };
    match tv.annotations().create(&note).await {
        Ok(()) => println!("recorded `{message}` for {app}"),
        Err(error @ Error::OutcomeUnknown { .. }) => {
            eprintln!("{error}: list the annotations before recording it again");
            return Err(error.into());
        }
        Err(error) => return Err(error.into()),
    }
    let recent = tv
        .annotations()
        .of_app(app, AnnotationRange::default())
        .await?;
    let found = recent
        .iter()
        .find(|a| a.message == message)
        .ok_or("the annotation is not listed")?;
    println!(
        "listed as annotation {} at {}",
        found.id,
        found.time.to_rfc3339()
    );
    Ok(())
}
