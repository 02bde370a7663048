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

/// Replaces `key`, literal and form-encoded, with `***` (keys shorter than 4 bytes are
/// left alone: they would blank out ordinary words).
///
/// This must run before [`redact`]: a key holding `&` or `=` (`a&key=b`) is cut by
/// `redact`'s `key=…` rule into pieces that no longer match the whole key.
pub(crate) fn hide_key<'t>(text: &'t str, key: &str) -> std::borrow::Cow<'t, str> {
    if key.len() < MIN_SCRUB_LEN {
        return std::borrow::Cow::Borrowed(text);
    }
    let encoded = form_urlencode(key);
    if !text.contains(key) && !text.contains(&encoded) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.replace(key, REDACTED);
    if encoded != key {
        out = out.replace(&encoded, REDACTED);
    }
    std::borrow::Cow::Owned(out)
}

/// `application/x-www-form-urlencoded` encoding of one value (what reqwest sends).
fn form_urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
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
}
