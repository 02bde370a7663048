//! The access key as a secret type.

use std::fmt;
use std::str::FromStr;

use secrecy::zeroize::Zeroize;
use serde::{Deserialize, Deserializer};

use crate::error::{ConfigKind, Error};
use crate::redact::{REDACTED, redact};

/// The organization's TraceView access key.
///
/// Holds the validated key in `tv-api`'s secret type (a [`secrecy::SecretString`]
/// inside), the one the generated client sends: the memory is zeroed on drop, and
/// `Debug` and `Display` print `***` — the key cannot leak through `{:?}`, logs or panics. The only
/// way to read it is [`ApiKey::expose`], meant for the one place that builds the query.
///
/// ```
/// use tv_client::ApiKey;
/// let key: ApiKey = " 9de3ed4c-5e33-4e26-b0b7-82c20ea01532\n".parse()?;
/// assert_eq!(format!("{key} {key:?}"), "*** ApiKey(***)");
/// assert_eq!(key.expose(), "9de3ed4c-5e33-4e26-b0b7-82c20ea01532");
/// # Ok::<(), tv_client::Error>(())
/// ```
#[derive(Clone)]
pub struct ApiKey(tv_api::ApiKey);

/// Keys shorter than this are not searched for literally by [`ApiKey::scrub`]
/// (replacing every `a` in a text would garble it without protecting anything).
const MIN_SCRUB_LEN: usize = 4;

impl ApiKey {
    /// Makes a key from text, trimming surrounding whitespace (a trailing newline from a
    /// file or a paste). A key that is empty or holds whitespace or control characters
    /// inside is a [`Error::Config`] — whose message never contains the key.
    pub fn new(key: impl Into<String>) -> Result<Self, Error> {
        let mut raw: String = key.into();
        let trimmed = raw.trim();
        let problem = if trimmed.is_empty() {
            Some("the API key is empty")
        } else if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("the API key contains whitespace or control characters")
        } else {
            None
        };
        if let Some(problem) = problem {
            raw.zeroize();
            return Err(Error::config(ConfigKind::InvalidKey, problem));
        }
        if trimmed.len() == raw.len() {
            return Ok(ApiKey(tv_api::ApiKey::new(raw)));
        }
        let key = tv_api::ApiKey::new(trimmed);
        raw.zeroize();
        Ok(ApiKey(key))
    }

    /// The key itself. Use it only to build the request; never log or print it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The same key as `tv-api`'s type, for the generated client's context.
    pub(crate) fn wire(&self) -> tv_api::ApiKey {
        self.0.clone()
    }

    /// Redacts `text` for display: [`redact`]s every `key=` value and additionally
    /// replaces every literal or form-urlencoded occurrence of this key (as in an echoed
    /// body) with `***`. Keys shorter than 4 characters are only redacted as `key=` values.
    pub fn scrub(&self, text: &str) -> String {
        redact(&hide_key(text, self.expose())).into_owned()
    }
}

/// Replaces every spelling of `key` a server can produce with `***`: the key literal,
/// each of its bytes possibly percent-encoded (hex of either case, to any depth:
/// `%2F`, `%2f`, `%252F`), JSON-escaped (`\u0026`, `\/`) or form-encoded (`+` for a
/// space), with control characters (raw, `%0A`, or JSON `\n`) anywhere inside it —
/// a key split by a newline is still the key. Keys shorter than 4 bytes are left
/// alone: they would blank out ordinary words.
///
/// This is the one place the key is searched for, and it must run on server text
/// before any other cleaning (which turns a newline into a space and would hide the
/// key from it), and before [`redact`]: a key holding `&` or `=` (`a&key=b`) is cut by
/// `redact`'s `key=…` rule into pieces that no longer match the whole key.
pub(crate) fn hide_key<'t>(text: &'t str, key: &str) -> std::borrow::Cow<'t, str> {
    let key = key.as_bytes();
    if key.len() < MIN_SCRUB_LEN {
        return std::borrow::Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        match spelling_at(bytes, i, key) {
            // A match starts and ends on ASCII bytes or the end: on char boundaries.
            Some(end) if text.is_char_boundary(i) && text.is_char_boundary(end) => {
                let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
                buf.push_str(&text[copied..i]);
                buf.push_str(REDACTED);
                copied = end;
                i = end;
            }
            _ => i += 1,
        }
    }
    match out {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            std::borrow::Cow::Owned(buf)
        }
    }
}

/// The end of a spelling of `key` starting at `at`, if one starts there.
fn spelling_at(text: &[u8], at: usize, key: &[u8]) -> Option<usize> {
    let mut i = at;
    for (n, &wanted) in key.iter().enumerate() {
        if n > 0 {
            i = skip_controls(text, i);
        }
        i = byte_at(text, i, wanted)?;
    }
    Some(i)
}

/// Past any control characters at `i`, raw or encoded.
fn skip_controls(text: &[u8], mut i: usize) -> usize {
    loop {
        match text.get(i) {
            Some(&b) if b < 0x20 || b == 0x7f => i += 1,
            Some(b'\\') if matches!(text.get(i + 1), Some(b'n' | b'r' | b't')) => i += 2,
            Some(b'%') => match percent_byte(text, i) {
                Some((b, end)) if b < 0x20 || b == 0x7f => i = end,
                _ => return i,
            },
            _ => return i,
        }
    }
}

/// The end of one spelling of the byte `wanted` at `i`.
fn byte_at(text: &[u8], i: usize, wanted: u8) -> Option<usize> {
    let &first = text.get(i)?;
    if first == wanted {
        return Some(i + 1);
    }
    match first {
        b'+' if wanted == b' ' => Some(i + 1),
        b'%' => percent_byte(text, i)
            .filter(|&(b, _)| b == wanted)
            .map(|(_, end)| end),
        b'\\' => match text.get(i + 1)? {
            b'u' | b'U' => {
                let digits = text.get(i + 2..i + 6)?;
                let high = hex(digits[0])? << 4 | hex(digits[1])?;
                let low = hex(digits[2])? << 4 | hex(digits[3])?;
                (high == 0 && low == wanted).then_some(i + 6)
            }
            &escaped if escaped == wanted && matches!(escaped, b'/' | b'\\' | b'"') => Some(i + 2),
            _ => None,
        },
        _ => None,
    }
}

/// The byte a percent-encoding at `i` stands for, through any depth of re-encoding
/// (`%2F`, `%252F`, `%25252f`), and where it ends.
fn percent_byte(text: &[u8], i: usize) -> Option<(u8, usize)> {
    let mut j = i + 1;
    loop {
        let pair = text.get(j..j + 2)?;
        let b = hex(pair[0])? << 4 | hex(pair[1])?;
        let deeper = b == b'%'
            && text
                .get(j + 2..j + 4)
                .is_some_and(|p| p.iter().all(|&d| hex(d).is_some()));
        if !deeper {
            return Some((b, j + 2));
        }
        j += 2;
    }
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({REDACTED})")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl FromStr for ApiKey {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ApiKey::new(s)
    }
}

impl TryFrom<String> for ApiKey {
    type Error = Error;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        ApiKey::new(value)
    }
}

/// Deserializes from a string (e.g. `key = "…"` in a profile file) with the rules of
/// [`ApiKey::new`]. There is deliberately no `Serialize`.
impl<'de> Deserialize<'de> for ApiKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ApiKey::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "9de3ed4c-5e33-4e26-b0b7-82c20ea01532";

    #[test]
    fn never_prints_the_key() {
        let key = ApiKey::new(KEY).unwrap();
        let shown = format!("{key} {key:?} {:?} {:#?}", Some(&key), vec![key.clone()]);
        assert!(!shown.contains(KEY), "{shown}");
        assert!(shown.contains("***"));
        assert_eq!(key.expose(), KEY);
    }

    #[test]
    fn trims_and_validates() {
        assert_eq!(ApiKey::new(format!("  {KEY}\n")).unwrap().expose(), KEY);
        assert_eq!(
            ApiKey::new("  ").unwrap_err(),
            Error::config(ConfigKind::InvalidKey, "the API key is empty")
        );
        let err = ApiKey::new("abc def").unwrap_err();
        assert!(!err.to_string().contains("abc"), "{err}");
        assert!("x\u{7}y".parse::<ApiKey>().is_err());
    }

    #[test]
    fn deserializes_from_a_string_only() {
        let key: ApiKey = serde_json::from_str(&format!("\"{KEY}\"")).unwrap();
        assert_eq!(key.expose(), KEY);
        let err = serde_json::from_str::<ApiKey>("\"\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("empty"), "{err}");
    }

    #[test]
    fn scrub_removes_literal_and_encoded_occurrences() {
        let key = ApiKey::new("a b/c+d").unwrap_err();
        assert!(matches!(key, Error::Config { .. }));
        let key = ApiKey::new("ab/c+d=e").unwrap();
        let text = "body echoed ab/c+d=e and ab%2Fc%2Bd%3De; url ?key=zzz";
        let out = key.scrub(text);
        assert_eq!(out, "body echoed *** and ***; url ?key=***");
        let short = ApiKey::new("ab").unwrap();
        assert_eq!(short.scrub("abc key=ab"), "abc key=***");
    }

    #[test]
    fn a_key_holding_query_syntax_is_scrubbed_whole() {
        let key = ApiKey::new("s3cr3t&key=x/y?z#w%2F+é").unwrap();
        let text = "echo: key s3cr3t&key=x/y?z#w%2F+é and ?key=s3cr3t%26key%3Dx%2Fy%3Fz%23w%252F%2B%C3%A9&a=1";
        let out = key.scrub(text);
        assert!(!out.contains("s3cr3t"), "{out}");
        assert_eq!(out, "echo: key *** and ?key=***&a=1");
    }

    #[test]
    fn every_spelling_of_the_key_is_scrubbed() {
        let key = ApiKey::new("s3cr3t&x=1/z").unwrap();
        for spelling in [
            "s3cr3t%26x%3d1%2fz",
            "s3cr3t%26x%3D1%252Fz",
            "s3cr3t%2526x%25253d1%2Fz",
            "s3cr3t\\u0026x\\u003d1\\/z",
            "s3cr3t\\U0026x=1/z",
            "s3c\nr3t&x=1/z",
            "s3c%0Ar3t&x=1/z",
            "s3c\\nr3t&x=1/z",
            "s3%63r3t&x=1/z",
        ] {
            let text = format!("error: echoed [{spelling}] here");
            assert_eq!(key.scrub(&text), "error: echoed [***] here", "{spelling:?}");
        }
        // Not the key: left alone.
        assert_eq!(key.scrub("s3cr3t&x=2"), "s3cr3t&x=2");
    }

    #[test]
    fn unicode_around_the_key_is_kept() {
        let key = ApiKey::new("abcd").unwrap();
        assert_eq!(key.scrub("é abcd ü"), "é *** ü");
    }
}
