//! The public API surface, derived from the spec: any change to an operation, its
//! method, path or parameters shows up as a snapshot diff in review.

#[test]
fn api_surface() {
    let spec = xtask::codegen::load_and_lint(&xtask::workspace_root()).expect("spec loads");
    insta::assert_snapshot!(xtask::surface::describe(&spec));
}
