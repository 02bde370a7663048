//! `cargo test` fails when `crates/tv-api/src/generated.rs` no longer matches the spec.

use xtask::codegen::{self, CheckOutcome};

#[test]
fn generated_code_matches_the_spec() {
    let root = xtask::workspace_root();
    match codegen::check(&root) {
        Ok(CheckOutcome::Fresh) => {}
        Ok(CheckOutcome::Stale { diff }) => panic!(
            "{} is stale; run `cargo xtask codegen`.\n{diff}",
            codegen::GENERATED_PATH
        ),
        Err(e) => panic!("codegen check failed: {e:#}"),
    }
}

#[test]
fn generation_is_deterministic() {
    let root = xtask::workspace_root();
    let spec = codegen::load_and_lint(&root).expect("spec loads and passes the lint");
    let first = codegen::generate(&spec).expect("first generation");
    let second = codegen::generate(&spec).expect("second generation");
    assert_eq!(first, second, "two generations from the same spec differ");
}

#[test]
fn the_spec_has_all_28_operations() {
    let root = xtask::workspace_root();
    let spec = codegen::load_and_lint(&root).expect("spec loads and passes the lint");
    assert_eq!(spec.operations().count(), 28);
}
