//! Redaction of the access key from URLs, query strings and free text.
//!
//! The TraceView key travels as the query parameter `key`, so every URL the HTTP stack
//! prints (reqwest errors, debug logs, `--dry-run`) carries it. [`redact`] replaces the
//! *value* of every `key=` parameter with `***` and leaves everything else as it was.

use std::borrow::Cow;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "***";

/// Replaces the value of every `key=` parameter in `text` with `***`.
///
/// - The name may stand anywhere: at the start of the text, after `?`, `&`, `;`,
///   whitespace, quotes, brackets or any other non-word character, so `monkey=1` and
///   `apikey=1` are left alone while `?key=…`, `&key=…` and a bare `key=…` (a form body)
///   are redacted.
/// - Percent-encoding is understood: letters of the name (`%6Bey=`), the `=` (`key%3D…`,
///   as in a URL nested inside another URL's query) and an encoded separator before the
///   name (`%26key=`, `%3Fkey%3D`, and the JSON escapes `\u0026key=`, `\u003fkey=`).
///   The name is matched ignoring ASCII case.
/// - The value ends at `&`, `#`, `;`, `,`, `)`, `]`, `}`, `\`, quotes, `<`, `>`,
///   whitespace or the end of the text; after an encoded `=` it also ends at an encoded
///   `&`, `#`, `;` or space. A correctly built URL percent-encodes all of those inside a
///   value, so no part of the key is left behind.
///
/// Credentials embedded in a URL (`https://user:pass@host/…`) are redacted too
/// (`https://***@host/…`).
///
/// Returns the input unchanged (borrowed) when there is nothing to redact.
///
/// ```
/// use tv_client::redact;
/// assert_eq!(
///     redact("GET https://api.tv.appneta.com/api-v2/apps?key=s3cr3t&x=1"),
///     "GET https://api.tv.appneta.com/api-v2/apps?key=***&x=1"
/// );
/// assert_eq!(redact("next=%2Fapps%3Fkey%3Ds3cr3t%26a%3D1"), "next=%2Fapps%3Fkey%3D***%26a%3D1");
/// assert_eq!(redact("monkey=banana"), "monkey=banana");
/// assert_eq!(redact("base https://me:pw@tv.example/api-v2"), "base https://***@tv.example/api-v2");
/// ```
pub fn redact(text: &str) -> Cow<'_, str> {
    match redact_keys(text) {
        Cow::Borrowed(text) => redact_userinfo(text),
        Cow::Owned(keys) => Cow::Owned(redact_userinfo(&keys).into_owned()),
    }
}

/// Replaces the user information of every `scheme://user:pass@host` with `***`.
///
/// A URL that parses loses exactly its userinfo. One that does not parse (a password
/// holding `/`, `#` or `?`, say) cannot be trusted to end its authority at the first
/// `/`, so everything from `://` to the last `@` of the URL (which ends at whitespace,
/// a quote or `<>`) goes: the userinfo of a URL is never printed, parsable or not.
fn redact_userinfo(text: &str) -> Cow<'_, str> {
    if !text.contains("://") || !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let authority_start = start + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        let token_end = after
            .find(|c: char| matches!(c, '"' | '\'' | '<' | '>' | '`') || c.is_whitespace())
            .unwrap_or(after.len());
        let authority_end = after[..token_end]
            .find(['/', '?', '#', ')', ']'])
            .unwrap_or(token_end);
        let scheme_start = rest[..start]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let whole = format!(
            "{}{}",
            &rest[scheme_start..authority_start],
            &after[..token_end]
        );
        let parsed_cleanly = url::Url::parse(&whole).is_ok();
        let userinfo_end = if parsed_cleanly {
            after[..authority_end].rfind('@')
        } else {
            after[..token_end].rfind('@')
        };
        match userinfo_end {
            Some(at) => {
                out.push_str(REDACTED);
                rest = &after[at..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn redact_keys(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if at_boundary(bytes, i)
            && let Some((value_start, encoded_eq)) = match_key_name(bytes, i)
        {
            let value_end = scan_value(bytes, value_start, encoded_eq);
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
            // Every index here sits on an ASCII byte (or the end), hence on a char boundary.
            buf.push_str(&text[copied..value_start]);
            buf.push_str(REDACTED);
            copied = value_end;
            i = value_end.max(i + 1);
            continue;
        }
        i += 1;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// Bytes that may continue a parameter name (so `key` preceded by one is a longer name).
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~' | b'%') || b >= 0x80
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `text` safe to print on a terminal: terminal escape sequences (CSI such as
/// `ESC [ 2 J`, OSC such as the window title `ESC ] 0 ; … BEL`, and two-character
/// `ESC x`) are removed, and every other control character (newline, tab, BEL, CR, C1
/// codes…) becomes a space. Text from a server goes through this before it is printed
/// anywhere; [`crate::error::one_line`] adds folding and a length bound for messages.
///
/// ```
/// use tv_client::redact::printable;
/// assert_eq!(printable("web\x1b]0;pwned\x07-shop\x1b[2J\r\n"), "web-shop  ");
/// assert_eq!(printable("plain"), "plain");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: parameters and intermediates up to a final byte in @..~.
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC, DCS, SOS, PM, APC: a string up to BEL or ESC \.
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                _ => {}
            },
            // The 8-bit CSI and the 8-bit string introducers.
            '\u{9b}' => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Skips a control string up to its terminator (BEL, ESC \ or ST).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

/// Decodes the `%XX` escape starting at `i`, if there is one.
fn escape_at(bytes: &[u8], i: usize) -> Option<u8> {
    if bytes.get(i) != Some(&b'%') {
        return None;
    }
    let hi = hex_value(*bytes.get(i + 1)?)?;
    let lo = hex_value(*bytes.get(i + 2)?)?;
    Some(hi << 4 | lo)
}

/// Whether a parameter name may start at `i`.
fn at_boundary(bytes: &[u8], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    if i >= 3
        && let Some(decoded) = escape_at(bytes, i - 3)
    {
        return !is_name_byte(decoded);
    }
    // A JSON-escaped separator (`\u0026key=`, `\u003Fkey=`) in an echoed body.
    if i >= 6 {
        let escape = &bytes[i - 6..i];
        if escape.eq_ignore_ascii_case(b"\\u0026") || escape.eq_ignore_ascii_case(b"\\u003f") {
            return true;
        }
    }
    !is_name_byte(bytes[i - 1])
}

/// Matches `key=` (each byte literal or percent-encoded, letters in any case) at `i`.
/// Returns the index where the value starts and whether the `=` was encoded.
fn match_key_name(bytes: &[u8], mut i: usize) -> Option<(usize, bool)> {
    for want in *b"key" {
        let got = bytes.get(i)?;
        if got.eq_ignore_ascii_case(&want) {
            i += 1;
        } else if escape_at(bytes, i).is_some_and(|d| d.eq_ignore_ascii_case(&want)) {
            i += 3;
        } else {
            return None;
        }
    }
    if bytes.get(i) == Some(&b'=') {
        Some((i + 1, false))
    } else if escape_at(bytes, i) == Some(b'=') {
        Some((i + 3, true))
    } else {
        None
    }
}

/// Finds the end of a parameter value starting at `start`.
fn scan_value(bytes: &[u8], start: usize, encoded_context: bool) -> usize {
    let mut j = start;
    while let Some(&b) = bytes.get(j) {
        let ends = b.is_ascii_whitespace()
            || b.is_ascii_control()
            || matches!(
                b,
                b'&' | b'#'
                    | b';'
                    | b','
                    | b')'
                    | b']'
                    | b'}'
                    | b'\\'
                    | b'"'
                    | b'\''
                    | b'<'
                    | b'>'
                    | b'`'
            );
        if ends {
            break;
        }
        if encoded_context
            && escape_at(bytes, j).is_some_and(|d| matches!(d, b'&' | b'#' | b';' | b' '))
        {
            break;
        }
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_drops_escape_sequences() {
        assert_eq!(printable("a\x1b[31mred\x1b[0m b"), "ared b");
        assert_eq!(printable("t\x1b]52;c;aGk=\x1b\\x"), "tx");
        assert_eq!(printable("bell\x07\u{9b}2Jz"), "bell z");
        assert_eq!(printable("line\r\nnext"), "line  next");
    }

    #[test]
    fn the_userinfo_of_an_unparsable_url_is_never_printed() {
        for url in [
            "https://me:pa/ss@tv.example/api-v2",
            "https://me:pa#ss@tv.example/api-v2",
            "https://me:pa?ss@tv.example/api-v2",
        ] {
            let shown = redact(&format!("invalid base URL {url}: bad port")).into_owned();
            assert_eq!(
                shown,
                "invalid base URL https://***@tv.example/api-v2: bad port"
            );
        }
        assert_eq!(
            redact("see https://h.example/u/@me now"),
            "see https://h.example/u/@me now"
        );
    }

    #[test]
    fn url_credentials_are_redacted() {
        assert_eq!(
            redact("https://u:p@h:1/api-v2 and http://x/y?key=k"),
            "https://***@h:1/api-v2 and http://x/y?key=***"
        );
        assert_eq!(
            redact("mail a@b, see https://h/p"),
            "mail a@b, see https://h/p"
        );
    }
    use proptest::prelude::*;

    #[test]
    fn redacts_query_parameters_anywhere() {
        let cases = [
            (
                "https://h/api-v2/apps?key=abc",
                "https://h/api-v2/apps?key=***",
            ),
            ("https://h/x?a=1&key=abc&b=2", "https://h/x?a=1&key=***&b=2"),
            (
                "https://h/x?a=1&key=abc#frag",
                "https://h/x?a=1&key=***#frag",
            ),
            ("key=abc&message=hi", "key=***&message=hi"),
            ("https://h/x?KEY=abc", "https://h/x?KEY=***"),
            ("a;key=abc;b", "a;key=***;b"),
            ("key=abc&key=def", "key=***&key=***"),
            ("key=", "key=***"),
            ("key=&a=1", "key=***&a=1"),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
        }
    }

    #[test]
    fn understands_percent_encoding() {
        let cases = [
            ("x?%6Bey=abc", "x?%6Bey=***"),
            ("x?k%65%79=abc", "x?k%65%79=***"),
            ("x?%4B%45%59=abc", "x?%4B%45%59=***"),
            (
                "next=%2Fapps%3Fkey%3Dabc%26a%3D1",
                "next=%2Fapps%3Fkey%3D***%26a%3D1",
            ),
            ("next=%2Fapps%3fkey%3dabc", "next=%2Fapps%3fkey%3d***"),
            ("u=%26key%3Dabc%20tail", "u=%26key%3D***%20tail"),
            (
                r#"{"next":"/apps?a=1\u0026key=abc\u0026b=2"}"#,
                r#"{"next":"/apps?a=1\u0026key=***\u0026b=2"}"#,
            ),
            (r"\u003Fkey=abc", r"\u003Fkey=***"),
            ("x?key=ab%2Bc%3D&y=1", "x?key=***&y=1"),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
        }
    }

    #[test]
    fn leaves_other_names_alone() {
        for text in [
            "monkey=1",
            "apikey=1",
            "key_id=1",
            "keys=1",
            "my.key=1",
            "%41key=1",
            "the key is secret",
            "",
            "ключ=1 ékey=2",
        ] {
            assert!(matches!(redact(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn redacts_inside_error_messages() {
        let msg = "error sending request for url (http://127.0.0.1:9/api-v2/apps?key=9de3ed4c-5e33): \
                   connection refused";
        assert_eq!(
            redact(msg),
            "error sending request for url (http://127.0.0.1:9/api-v2/apps?key=***): connection refused"
        );
        assert_eq!(
            redact("{\"url\":\"https://h/?key=abc\"}"),
            "{\"url\":\"https://h/?key=***\"}"
        );
        assert_eq!(redact("key=abc\nkey=def"), "key=***\nkey=***");
        assert_eq!(redact("ünï key=ßecret ok"), "ünï key=*** ok");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A form-urlencoded key never survives redaction, wherever the parameter stands.
        #[test]
        fn encoded_key_never_survives(
            key in "[A-Za-z0-9-]{8,40}",
            before in proptest::collection::vec(("[a-z]{1,6}", "[a-z0-9]{0,6}"), 0..4),
            after in proptest::collection::vec(("[a-z]{1,6}", "[a-z0-9]{0,6}"), 0..4),
        ) {
            let mut params: Vec<String> = before.iter().map(|(k, v)| format!("{k}={v}")).collect();
            params.push(format!("key={key}"));
            params.extend(after.iter().map(|(k, v)| format!("{k}={v}")));
            let url = format!("https://h/api-v2/apps?{}", params.join("&"));
            let out = redact(&url);
            prop_assert!(!out.contains(&key), "{}", out);
            prop_assert!(out.contains("key=***"));
        }

        /// Redaction never panics and is idempotent on arbitrary text.
        #[test]
        fn arbitrary_text_is_safe(text in any::<String>()) {
            let once = redact(&text).into_owned();
            prop_assert_eq!(redact(&once).into_owned(), once);
        }
    }
}
