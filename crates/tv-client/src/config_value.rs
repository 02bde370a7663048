//! The settings a profile (or a flag) may hold, and the one parser of each: flags,
//! profile values and `tv config set` all go through these, so they accept and refuse
//! the same things.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use crate::error::{Cause, ConfigKind, Error};

/// The shortest timeout accepted: below it not even a loopback answer arrives.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(100);
/// The longest timeout accepted.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// The most attempts per request accepted.
pub const MAX_ATTEMPTS: u32 = 10;
/// The default limit on the size of one response body: 64 MiB, far above any real
/// answer (a week of by-layer data for 100 layers is a few MB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// The smallest response limit accepted (64 KiB).
pub const MIN_MAX_RESPONSE_BYTES: u64 = 64 * 1024;
/// The largest response limit accepted (16 GiB).
pub const MAX_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024 * 1024;

fn invalid(detail: String) -> Error {
    Error::config(ConfigKind::InvalidSetting, detail)
}

/// A timeout such as `30s`, `500ms` or `2m`, between [`MIN_TIMEOUT`] and [`MAX_TIMEOUT`].
pub fn parse_timeout(text: &str) -> Result<Duration, Error> {
    let timeout = humantime::parse_duration(text.trim()).map_err(|e| {
        invalid(format!(
            "`{text}` is not a duration such as 30s or 500ms: {e}"
        ))
    })?;
    if !(MIN_TIMEOUT..=MAX_TIMEOUT).contains(&timeout) {
        return Err(invalid(format!(
            "a timeout of {} is not usable: give 100ms to 1h",
            humantime::format_duration(timeout)
        )));
    }
    Ok(timeout)
}

/// Attempts per request: 1 to [`MAX_ATTEMPTS`].
pub fn parse_attempts(text: &str) -> Result<u32, Error> {
    match text.trim().parse::<u32>() {
        Ok(n @ 1..=MAX_ATTEMPTS) => Ok(n),
        _ => Err(invalid(format!(
            "`{text}` attempts is not usable: give 1 to {MAX_ATTEMPTS}"
        ))),
    }
}

/// `true`/`false` (also `yes`/`no`, `1`/`0`, any case).
pub fn parse_bool(text: &str) -> Result<bool, Error> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Ok(true),
        "false" | "no" | "0" | "off" => Ok(false),
        _ => Err(invalid(format!("`{text}` is neither true nor false"))),
    }
}

/// A size such as `64MiB`, `1GiB`, `500MB`, `512KiB` or a number of bytes, between
/// [`MIN_MAX_RESPONSE_BYTES`] and [`MAX_MAX_RESPONSE_BYTES`].
pub fn parse_size(text: &str) -> Result<u64, Error> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "kib" | "k" => 1024,
        "mb" => 1000 * 1000,
        "mib" | "m" => 1024 * 1024,
        "gb" => 1000 * 1000 * 1000,
        "gib" | "g" => 1024 * 1024 * 1024,
        _ => return Err(invalid(format!("`{text}` is not a size such as 64MiB"))),
    };
    let bytes = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| invalid(format!("`{text}` is not a size such as 64MiB")))?;
    if !(MIN_MAX_RESPONSE_BYTES..=MAX_MAX_RESPONSE_BYTES).contains(&bytes) {
        return Err(invalid(format!(
            "a response limit of {text} is not usable: give 64KiB to 16GiB"
        )));
    }
    Ok(bytes)
}

/// The most bytes read from a key file: a key is a few dozen characters.
const KEY_FILE_LIMIT: u64 = 4096;

/// The key in `path` (`-`: standard input), without surrounding whitespace.
pub fn read_key_file(path: &Path) -> Result<String, Error> {
    let shown = if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    };
    let mut text = String::new();
    let read = if path == Path::new("-") {
        // Standard input can be read only once; the configuration may be resolved more
        // than once per process, so its first reading is kept.
        static STDIN: std::sync::OnceLock<Result<String, std::io::ErrorKind>> =
            std::sync::OnceLock::new();
        let first = STDIN.get_or_init(|| {
            let mut text = String::new();
            std::io::stdin()
                .lock()
                .take(KEY_FILE_LIMIT)
                .read_to_string(&mut text)
                .map(|_| text)
                .map_err(|e| e.kind())
        });
        match first {
            Ok(read) => {
                text.clone_from(read);
                Ok(read.len())
            }
            Err(kind) => Err(std::io::Error::from(*kind)),
        }
    } else {
        std::fs::File::open(path).and_then(|f| f.take(KEY_FILE_LIMIT).read_to_string(&mut text))
    };
    if let Err(e) = read {
        return Err(Error::Config {
            kind: ConfigKind::InvalidKey,
            detail: format!("cannot read the API key from {shown}: {e}"),
            source: Some(Cause::new(e)),
        });
    }
    let key = text.trim();
    if key.is_empty() {
        return Err(Error::config(
            ConfigKind::InvalidKey,
            format!("no API key in {shown}"),
        ));
    }
    Ok(key.to_owned())
}

/// A setting a profile may hold: the one list of them, each with its name in the file
/// and the parser its value must pass (the same as when the profile is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileSetting {
    /// `api_key`: the API key.
    ApiKey,
    /// `base_url`: a site name or the API's base URL.
    BaseUrl,
    /// `timeout`: the timeout of one attempt.
    Timeout,
    /// `attempts`: attempts per request.
    Attempts,
    /// `output`: the CLI's default output format (checked by `tv`, whose formats these are).
    Output,
    /// `allow_plain_http`: whether an `http://` base URL is allowed.
    AllowPlainHttp,
    /// `max_response_size`: the limit on one response body.
    MaxResponseSize,
}

impl ProfileSetting {
    /// Every setting, in the order `tv config list` shows them.
    pub const ALL: [ProfileSetting; 7] = [
        ProfileSetting::ApiKey,
        ProfileSetting::BaseUrl,
        ProfileSetting::Timeout,
        ProfileSetting::Attempts,
        ProfileSetting::Output,
        ProfileSetting::AllowPlainHttp,
        ProfileSetting::MaxResponseSize,
    ];

    /// Its name in the profile file and on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            ProfileSetting::ApiKey => "api_key",
            ProfileSetting::BaseUrl => "base_url",
            ProfileSetting::Timeout => "timeout",
            ProfileSetting::Attempts => "attempts",
            ProfileSetting::Output => "output",
            ProfileSetting::AllowPlainHttp => "allow_plain_http",
            ProfileSetting::MaxResponseSize => "max_response_size",
        }
    }

    /// The setting of this name; an unknown name is an [`ConfigKind::InvalidSetting`]
    /// error that lists the known ones.
    pub fn named(name: &str) -> Result<ProfileSetting, Error> {
        ProfileSetting::ALL
            .into_iter()
            .find(|setting| setting.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = ProfileSetting::ALL.iter().map(|s| s.name()).collect();
                invalid(format!(
                    "unknown setting `{name}` (known: {})",
                    known.join(", ")
                ))
            })
    }

    /// Checks a value as `tv config set` writes it, with the parser used when the
    /// profile is read, so nothing unusable is saved. `output` passes here: its formats
    /// are the CLI's, and `tv` checks it.
    pub fn check(self, text: &str) -> Result<(), Error> {
        match self {
            ProfileSetting::ApiKey => crate::secret::ApiKey::new(text).map(drop),
            ProfileSetting::BaseUrl => text.parse::<crate::site::Site>().map(drop),
            ProfileSetting::Timeout => parse_timeout(text).map(drop),
            ProfileSetting::Attempts => parse_attempts(text).map(drop),
            ProfileSetting::AllowPlainHttp => parse_bool(text).map(drop),
            ProfileSetting::MaxResponseSize => parse_size(text).map(drop),
            ProfileSetting::Output => Ok(()),
        }
    }
}

impl std::fmt::Display for ProfileSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_values_are_refused() {
        assert_eq!(parse_timeout("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_timeout("500ms").unwrap(), Duration::from_millis(500));
        for bad in ["0s", "1ns", "2h", "soon", ""] {
            let error = parse_timeout(bad).unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::Config {
                        kind: ConfigKind::InvalidSetting,
                        ..
                    }
                ),
                "{bad}: {error:?}"
            );
        }
        assert_eq!(parse_attempts("3").unwrap(), 3);
        assert!(parse_attempts("0").is_err());
        assert!(parse_attempts("11").is_err());
        assert!(parse_bool("Yes").unwrap());
        assert!(!parse_bool("false").unwrap());
        assert!(parse_bool("maybe").is_err());
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("1GB").unwrap(), 1_000_000_000);
        assert_eq!(parse_size("70000").unwrap(), 70_000);
        for bad in ["0", "1KiB", "17GiB", "lots", "99999999999999999999GiB"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
