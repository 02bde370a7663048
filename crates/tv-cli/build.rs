//! Facts for `tv --version`, as compile-time environment variables: `TV_VERSION_LINE`
//! (the version and the API spec it speaks),
//! `TV_GIT_COMMIT` (the commit built from: `TV_GIT_COMMIT` from the environment, as a
//! packager sets it for a source tarball, else `git rev-parse`, else `unknown`),
//! `TV_FEATURES` (the cargo features of this build) and `TV_TARGET` (the target triple).

use std::process::Command;

fn main() {
    // The first line of `tv --version` (and all of `tv -V`): the version and the spec.
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=TV_VERSION_LINE={version} (TraceView API v2, spec 2.1)");
    println!("cargo:rerun-if-env-changed=TV_GIT_COMMIT");
    let commit = std::env::var("TV_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=TV_GIT_COMMIT={commit}");

    let mut features: Vec<String> = std::env::vars()
        .filter_map(|(name, _)| name.strip_prefix("CARGO_FEATURE_").map(str::to_owned))
        .map(|name| name.to_lowercase().replace('_', "-"))
        .collect();
    features.sort();
    let features = if features.is_empty() {
        "none".to_owned()
    } else {
        features.join(", ")
    };
    println!("cargo:rustc-env=TV_FEATURES={features}");
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=TV_TARGET={target}");
}

/// The short commit of `HEAD`, when built in a git checkout with git installed; reruns
/// this script when `HEAD` or the branch it points to moves.
fn git_commit() -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git").args(args).output().ok()?;
        let text = String::from_utf8(output.stdout).ok()?;
        (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    for path in [
        Some("HEAD".to_owned()),
        git(&["symbolic-ref", "-q", "HEAD"]),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(file) = git(&["rev-parse", "--path-format=absolute", "--git-path", &path]) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    Some(commit)
}
