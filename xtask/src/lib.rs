//! Library half of `cargo xtask`, so the workspace tests can run the same checks, and
//! the pieces the bench (`tv-bench`, in `bench/`) shares with the spec checks: the
//! sandbox child ([`sandbox`]), the python venvs ([`python`]) and the builds of `tv` and
//! `tv-sandbox` ([`binaries`]). xtask does not depend on the bench.

pub mod binaries;
pub mod client_surface;
pub mod codegen;
pub mod codegen_filters;
pub mod deb;
pub mod integration;
pub mod lint;
pub mod python;
pub mod sandbox;
pub mod schema_check;
pub mod spec_check;

use std::path::PathBuf;

/// The root of the workspace (the parent of the `xtask` directory).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
