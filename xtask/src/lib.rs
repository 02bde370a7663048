//! Library half of `cargo xtask`, so the workspace tests can run the same checks.

pub mod bench;
pub mod client_surface;
pub mod codegen;
pub mod codegen_filters;
pub mod deb;
pub mod integration;
pub mod lint;
pub mod schema_check;
pub mod spec_check;

use std::path::PathBuf;

/// The root of the workspace (the parent of the `xtask` directory).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
