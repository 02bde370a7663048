//! progenitor-client 0.15.1, re-exported whole, with one item replaced: [`encode_path`].
//!
//! `tv-api`'s generated code builds every request path as
//! `format!("{}/app/{}", baseurl, encode_path(&app.to_string()))` and then lets the
//! WHATWG URL parser read it. Upstream's `encode_path` leaves `\` alone, and for `http`
//! and `https` URLs the parser reads `\` as `/` and then resolves `..`: the app
//! `x\..\..\hosts\1` became `DELETE /hosts/1`. This crate's [`encode_path`] escapes `\`
//! as well, so every path parameter reaches the server as exactly one segment.
//!
//! The dot segments `.` and `..` cannot be written in a URL path at all (the parser
//! resolves them even as `%2e%2e`); the spec's `AppPathSegment` type refuses them before
//! a path is built.
//!
//! `tv-api` depends on this crate under the name `progenitor_client`, so the generated
//! code is untouched. Drop it when upstream escapes `\` (the report is in issue 22).

pub use progenitor_client::*;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Upstream's set (controls, space, `"#<>?`{}/%`) plus `\`, which special URLs treat
/// as a path separator.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// Percent-encodes one path segment so that it stays one segment after URL parsing.
pub fn encode_path(segment: &str) -> String {
    utf8_percent_encode(segment, PATH_SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::encode_path;
    use proptest::prelude::*;

    /// The segments of `name` sent after `http://h/base/`, decoded.
    fn sent_segments(name: &str) -> Vec<String> {
        let url = reqwest::Url::parse(&format!("http://h/base/{}/tail", encode_path(name)))
            .expect("an http URL with an encoded segment parses");
        url.path_segments()
            .expect("http URLs have segments")
            .map(|segment| {
                percent_encoding::percent_decode_str(segment)
                    .decode_utf8()
                    .expect("the encoder writes UTF-8")
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn a_backslash_is_not_a_separator() {
        assert_eq!(
            encode_path(r"x\..\..\app\web-shop"),
            r"x%5C..%5C..%5Capp%5Cweb-shop"
        );
        assert_eq!(
            sent_segments(r"..\hosts\100486"),
            ["base", r"..\hosts\100486", "tail"]
        );
    }

    proptest! {
        /// Any name but the dot segments survives the URL parser as one segment.
        #[test]
        fn every_other_name_is_one_segment(name in any::<String>()) {
            prop_assume!(name != "." && name != "..");
            prop_assert_eq!(sent_segments(&name), vec!["base".to_string(), name, "tail".to_string()]);
        }
    }
}
