//! Where the API lives: a named site or any base URL.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::error::Error;

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
    /// Any other base URL (without a trailing slash), e.g. a sandbox.
    Url(String),
}

impl Site {
    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        match self {
            Site::AppNeta => "https://api.tv.appneta.com/api-v2",
            Site::SolarWinds => "https://api.tv.solarwinds.com/api-v2",
            Site::Url(url) => url,
        }
    }

    /// Refuses to send the key in clear text to a host that is not this machine,
    /// unless `allow_plain_http`.
    pub fn check_transport(&self, allow_plain_http: bool) -> Result<(), Error> {
        let url = reqwest::Url::parse(self.base_url())
            .map_err(|e| Error::Config(format!("invalid base URL {}: {e}", self.base_url())))?;
        if url.scheme() == "https" || allow_plain_http || is_loopback(&url) {
            return Ok(());
        }
        Err(Error::Config(format!(
            "refusing to send the API key over plain HTTP to {}; use https:// or allow plain HTTP explicitly",
            url.host_str().unwrap_or("?")
        )))
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
        let url = reqwest::Url::parse(text).map_err(|e| {
            Error::Config(format!(
                "`{text}` is neither a site (appneta, solarwinds) nor a URL: {e}"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "base URL must be http:// or https://, not {}://",
                url.scheme()
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::Config(
                "the base URL must not carry a query or a fragment".into(),
            ));
        }
        Ok(Site::Url(url.as_str().trim_end_matches('/').to_string()))
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base_url())
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
