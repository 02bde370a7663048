//! tv-client's public items, read from its sources: an accidental change to the library's
//! API (a removed or changed function, field, variant or trait impl) shows up as a
//! snapshot diff and fails until it is accepted (and written in its CHANGELOG).

#[test]
fn client_surface() {
    let src = xtask::workspace_root().join("crates/tv-client/src");
    let surface = xtask::client_surface::describe(&src).expect("tv-client's sources parse");
    insta::assert_snapshot!(surface);
}
