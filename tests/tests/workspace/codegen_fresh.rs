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

#[test]
fn an_unregenerated_spec_edit_is_caught_with_a_diff() {
    let root = xtask::workspace_root();
    let text = std::fs::read_to_string(root.join(codegen::SPEC_PATH)).expect("read the spec");
    let edited = text.replacen("summary: List app names", "summary: An edited summary", 1);
    assert_ne!(
        text, edited,
        "the spec no longer has the summary this test edits"
    );
    let spec = codegen::parse_and_lint(&edited).expect("the edited spec parses");
    let expected = codegen::generate(&spec).expect("generation");
    let on_disk = std::fs::read_to_string(root.join(codegen::GENERATED_PATH)).expect("read");
    let diff = codegen::diff(&on_disk, &expected).expect("the edit must make the file stale");
    assert!(diff.contains("+    /// An edited summary"), "{diff}");
}
