//! "Did you mean …?": the closest known value for a mistyped app or filter value.

use tv_client::error::Missing;
use tv_client::{Error, TraceView};

use crate::exit::CliError;

/// The known value closest to `given` (Jaro-Winkler, case-insensitive), if close enough
/// to be a plausible typo.
pub fn closest<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given = given.to_lowercase();
    known
        .into_iter()
        .map(|candidate| {
            (
                strsim::jaro_winkler(&given, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// `unknown app `shpo`; did you mean `shop`?` — or the plain error when no app is close.
/// Only when the app was what was missing: the server's 404 on the app's endpoint, or
/// the app named as missing; any other not-found (an annotation, a host) keeps its own
/// message and gets no app suggestion.
pub async fn app_error(tv: &TraceView, app: &str, error: Error) -> CliError {
    let app_missing = match &error {
        Error::NotFound(Missing::Server(_)) => true,
        Error::NotFound(Missing::App(missing)) => missing == app,
        _ => false,
    };
    if !app_missing {
        return error.into();
    }
    let apps = tv.discovery().apps().await.unwrap_or_default();
    let hint = match closest(app, apps.iter().map(String::as_str)) {
        Some(candidate) => format!("; did you mean `{}`?", shown(candidate)),
        None => "; `tv apps` lists the apps".to_string(),
    };
    CliError::not_found(format!("unknown app `{}`{hint}", shown(app)))
}

/// A filter value that matches nothing: an error with the closest known value when the
/// value is not among the known ones, `None` when it is known (then the empty result
/// is genuine).
pub fn unknown_filter_value(
    kind: &str,
    given: &str,
    known: &[String],
    list_command: &str,
) -> Option<CliError> {
    if known.iter().any(|k| k == given) {
        return None;
    }
    let hint = match closest(given, known.iter().map(String::as_str)) {
        Some(candidate) => format!("did you mean `{}`?", shown(candidate)),
        None => format!("`{list_command}` lists them"),
    };
    Some(CliError::not_found(format!(
        "no traffic with {kind} `{}`, which is not a known {kind}; {hint}",
        shown(given)
    )))
}

/// The longest name quoted in an error line, in characters.
const NAME_CHARS: usize = 80;

/// A name from the server (or typed by the user) as quoted in an error line: escape
/// sequences and control characters dropped, cut to [`NAME_CHARS`].
fn shown(name: &str) -> String {
    tv_client::error::one_line(name, NAME_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_typos_are_found() {
        let known = ["web-shop", "billing-api", "Default"];
        assert_eq!(closest("web-shpo", known), Some("web-shop"));
        assert_eq!(closest("default", known), Some("Default"));
        assert_eq!(closest("zzz", known), None);
    }

    #[test]
    fn suggested_names_cannot_drive_the_terminal() {
        let hostile = format!("web-shop\x1b]0;pwned\x07{}", "x".repeat(300));
        let known = vec![hostile];
        let error = unknown_filter_value("app", "web-shop", &known, "tv apps").unwrap();
        assert!(!error.message.contains('\x1b'), "{:?}", error.message);
        assert!(!error.message.contains("pwned"), "{:?}", error.message);
        assert!(error.message.chars().count() < 250, "{}", error.message);
    }

    #[test]
    fn unknown_filter_values_suggest() {
        let known = vec!["Chrome".to_string(), "Firefox".to_string()];
        let error =
            unknown_filter_value("browser", "Chrom", &known, "tv discover browsers").unwrap();
        assert_eq!(error.exit, crate::exit::Exit::NotFound);
        assert!(
            error.message.ends_with("did you mean `Chrome`?"),
            "{}",
            error.message
        );
        assert!(
            unknown_filter_value("browser", "Chrome", &known, "tv discover browsers").is_none()
        );
    }
}
