//! Where the API lives: a named site or any base URL.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::error::{ConfigKind, Error};
use crate::redact::redact;

/// A TraceView deployment.
///
/// ```
/// use tv_client::Site;
/// let site: Site = "solarwinds".parse()?;
/// assert_eq!(site.base_url(), "https://api.tv.solarwinds.com/api-v2");
/// let local: Site = "http://127.0.0.1:8642/api-v2/".parse()?;
/// assert_eq!(local.base_url(), "http://127.0.0.1:8642/api-v2");
/// # Ok::<(), tv_client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Site {
    /// `https://api.tv.appneta.com/api-v2`, the historic default.
    AppNeta,
    /// `https://api.tv.solarwinds.com/api-v2`.
    SolarWinds,
    /// Any other base URL (ending in `/api-v2`, without a trailing slash), e.g. a
    /// sandbox. Credentials in it (`https://user:pass@host/api-v2`) are sent as HTTP
    /// basic authentication and never shown: `Display` redacts them.
    Url(String),
}

impl Site {
    /// The base URL, without a trailing slash, credentials included: for sending, not
    /// for showing (use `Display` for that).
    pub fn base_url(&self) -> &str {
        match self {
            Site::AppNeta => "https://api.tv.appneta.com/api-v2",
            Site::SolarWinds => "https://api.tv.solarwinds.com/api-v2",
            Site::Url(url) => url,
        }
    }

    /// Refuses to send the key in clear text to a host that is not this machine,
    /// unless `allow_plain_http`; when that opt-in is what lets it through, a warning is
    /// logged.
    pub fn check_transport(&self, allow_plain_http: bool) -> Result<(), Error> {
        let url = reqwest::Url::parse(self.base_url()).map_err(|e| {
            Error::config_caused(
                ConfigKind::InvalidBaseUrl,
                format!("invalid base URL {self}: {e}"),
                e,
            )
        })?;
        if url.scheme() == "https" || is_loopback(&url) {
            return Ok(());
        }
        let host = url.host_str().unwrap_or("?");
        if allow_plain_http {
            tracing::warn!(
                "sending the API key in clear text over plain HTTP to {host} (allowed by allow_plain_http)"
            );
            return Ok(());
        }
        Err(Error::config(
            ConfigKind::PlainHttp,
            format!(
                "refusing to send the API key over plain HTTP to {host}; use https://, or opt in \
                 with --allow-plain-http or `allow_plain_http = true` in the profile"
            ),
        ))
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

impl FromStr for Site {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        match text.to_ascii_lowercase().as_str() {
            "appneta" => return Ok(Site::AppNeta),
            "solarwinds" => return Ok(Site::SolarWinds),
            _ => {}
        }
        let invalid = |detail: String| Error::config(ConfigKind::InvalidBaseUrl, detail);
        let url = reqwest::Url::parse(text).map_err(|e| {
            Error::config_caused(
                ConfigKind::InvalidBaseUrl,
                format!(
                    "`{}` is neither a site (appneta, solarwinds) nor a URL: {e}",
                    redact(text)
                ),
                e,
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(format!(
                "the base URL must be http:// or https://, not {}://",
                url.scheme()
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(
                "the base URL must not carry a query or a fragment".into(),
            ));
        }
        let base = url.as_str().trim_end_matches('/');
        if !base.ends_with(API_PATH) {
            return Err(invalid(format!(
                "the base URL {} does not end in {API_PATH}, where TraceView serves its API; \
                 did you mean {}{API_PATH}?",
                redact(base),
                redact(base)
            )));
        }
        Ok(Site::Url(base.to_string()))
    }
}

/// The path every TraceView base URL ends in.
pub const API_PATH: &str = "/api-v2";

impl fmt::Display for Site {
    /// The base URL with any embedded credentials redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(self.base_url()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls() {
        assert_eq!("AppNeta".parse::<Site>().unwrap(), Site::AppNeta);
        assert!("ftp://x".parse::<Site>().is_err());
        assert!("not a url".parse::<Site>().is_err());
        assert!("https://x/api-v2?key=1".parse::<Site>().is_err());
    }

    #[test]
    fn a_base_url_ends_in_api_v2() {
        let error = "http://127.0.0.1:8642".parse::<Site>().unwrap_err();
        assert!(
            matches!(
                error,
                Error::Config {
                    kind: ConfigKind::InvalidBaseUrl,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .ends_with("did you mean http://127.0.0.1:8642/api-v2?"),
            "{error}"
        );
        assert!("https://x.example/prefix/api-v2/".parse::<Site>().is_ok());
    }

    #[test]
    fn credentials_are_never_shown() {
        let site: Site = "https://me:s3cr3t@tv.example/api-v2".parse().unwrap();
        assert_eq!(site.to_string(), "https://***@tv.example/api-v2");
        assert!(site.base_url().contains("s3cr3t"));
        let error = "https://me:s3cr3t@tv.example/v1"
            .parse::<Site>()
            .unwrap_err();
        assert!(!error.to_string().contains("s3cr3t"), "{error}");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for local in [
            "http://127.0.0.1:1/api-v2",
            "http://localhost/api-v2",
            "http://[::1]:9/api-v2",
        ] {
            assert!(
                local
                    .parse::<Site>()
                    .unwrap()
                    .check_transport(false)
                    .is_ok(),
                "{local}"
            );
        }
        let remote: Site = "http://tv.example.com/api-v2".parse().unwrap();
        let error = remote.check_transport(false).unwrap_err();
        assert!(
            error.to_string().contains("plain HTTP to tv.example.com"),
            "{error}"
        );
        assert!(remote.check_transport(true).is_ok());
    }
}
