//! The web configuration's TLS and HTTP options beyond certificates: `min_version`,
//! `max_version`, `cipher_suites` (Go's names), `curve_preferences` (Go's names),
//! `prefer_server_cipher_suites`, and `http_server_config` (`headers`, `http2`). What
//! rustls and tv's HTTP/1.1 listener can honour is honoured; anything else is refused
//! with one line naming the key, never silently ignored.

use std::collections::BTreeMap;
use std::sync::Arc;

use hyper::header::{HeaderName, HeaderValue};
use serde::Deserialize;
use tokio_rustls::rustls::crypto::CryptoProvider;
use tokio_rustls::rustls::{self, CipherSuite, NamedGroup, SupportedProtocolVersion};

/// The TLS options of `tls_server_config`, as written.
#[derive(Debug, Default, Deserialize)]
pub struct TlsOptions {
    pub min_version: Option<String>,
    pub max_version: Option<String>,
    pub cipher_suites: Option<Vec<String>>,
    pub curve_preferences: Option<Vec<String>>,
    pub prefer_server_cipher_suites: Option<bool>,
}

/// `http_server_config`, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpFile {
    #[serde(default)]
    headers: BTreeMap<String, String>,
    http2: Option<bool>,
}

/// Go's TLS version names, in order, and rustls' versions (TLS 1.0 and 1.1: none).
const VERSIONS: [(&str, Option<&SupportedProtocolVersion>); 4] = [
    ("TLS10", None),
    ("TLS11", None),
    ("TLS12", Some(&rustls::version::TLS12)),
    ("TLS13", Some(&rustls::version::TLS13)),
];

/// Go's cipher suite names rustls (ring) offers. TLS 1.3's suites are named too: as in
/// Go, listing them changes nothing (TLS 1.3 suites are not configurable there).
const SUITES: [(&str, CipherSuite); 11] = [
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "TLS_AES_128_GCM_SHA256",
        CipherSuite::TLS13_AES_128_GCM_SHA256,
    ),
    (
        "TLS_AES_256_GCM_SHA384",
        CipherSuite::TLS13_AES_256_GCM_SHA384,
    ),
    (
        "TLS_CHACHA20_POLY1305_SHA256",
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
    ),
];

/// Go's curve names rustls (ring) offers.
const CURVES: [(&str, NamedGroup); 3] = [
    ("X25519", NamedGroup::X25519),
    ("CurveP256", NamedGroup::secp256r1),
    ("CurveP384", NamedGroup::secp384r1),
];

/// Headers tv sets itself (or that belong to the connection): not to be replaced.
const OWN_HEADERS: [&str; 7] = [
    "content-type",
    "content-length",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "www-authenticate",
    "retry-after",
];

fn names<T>(table: &[(&str, T)]) -> String {
    table
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl TlsOptions {
    /// The protocol versions from `min_version` to `max_version` (default TLS 1.2 to
    /// 1.3, as the exporter toolkit).
    pub fn versions(&self) -> Result<Vec<&'static SupportedProtocolVersion>, String> {
        let index = |key: &str, value: &Option<String>, default: usize| match value {
            None => Ok(default),
            Some(name) => VERSIONS
                .iter()
                .position(|(known, _)| known == name)
                .ok_or_else(|| {
                    format!(
                        "tls_server_config.{key}: unknown version {name:?} ({})",
                        names(&VERSIONS)
                    )
                }),
        };
        let min = index("min_version", &self.min_version, 2)?;
        let max = index("max_version", &self.max_version, 3)?;
        if min > max {
            return Err("tls_server_config: min_version is above max_version".into());
        }
        let versions: Vec<_> = VERSIONS[min..=max].iter().filter_map(|(_, v)| *v).collect();
        if min < 2 {
            return Err(format!(
                "tls_server_config.min_version {}: cannot be honoured: tv's TLS (rustls) speaks TLS12 and TLS13 only",
                VERSIONS[min].0
            ));
        }
        Ok(versions)
    }

    /// The crypto provider with only the suites and curves asked for, in the order
    /// given (the server's preference when `prefer_server_cipher_suites`, the default).
    pub fn provider(&self) -> Result<Arc<CryptoProvider>, String> {
        let mut provider = rustls::crypto::ring::default_provider();
        if let Some(wanted) = &self.cipher_suites {
            let mut chosen: Vec<CipherSuite> = Vec::new();
            for name in wanted {
                let Some((_, suite)) = SUITES.iter().find(|(known, _)| known == name) else {
                    return Err(format!(
                        "tls_server_config.cipher_suites: {name:?} cannot be honoured (tv's TLS offers {})",
                        names(&SUITES)
                    ));
                };
                chosen.push(*suite);
            }
            let all = std::mem::take(&mut provider.cipher_suites);
            // TLS 1.3 suites stay, in rustls' order; TLS 1.2 ones as listed.
            provider.cipher_suites = all
                .iter()
                .copied()
                .filter(|s| s.tls13().is_some())
                .collect();
            for suite in &chosen {
                if let Some(found) = all
                    .iter()
                    .find(|s| s.suite() == *suite && s.tls13().is_none())
                {
                    provider.cipher_suites.push(*found);
                }
            }
        }
        if let Some(wanted) = &self.curve_preferences {
            let all = std::mem::take(&mut provider.kx_groups);
            for name in wanted {
                let group = CURVES
                    .iter()
                    .find(|(known, _)| known == name)
                    .and_then(|(_, group)| all.iter().find(|g| g.name() == *group))
                    .ok_or_else(|| {
                        format!(
                            "tls_server_config.curve_preferences: {name:?} cannot be honoured (tv's TLS offers {})",
                            names(&CURVES)
                        )
                    })?;
                provider.kx_groups.push(*group);
            }
        }
        Ok(Arc::new(provider))
    }

    /// Whether the server's order of suites wins (Go's default: yes).
    pub fn server_order(&self) -> bool {
        self.prefer_server_cipher_suites.unwrap_or(true)
    }
}

impl HttpFile {
    /// The headers added to every answer, checked.
    pub fn headers(&self) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
        if self.http2 == Some(true) {
            return Err(
                "http_server_config.http2: true cannot be honoured: tv's exporter speaks HTTP/1.1 only (set false or leave it out)"
                    .into(),
            );
        }
        self.headers
            .iter()
            .map(|(name, value)| {
                let fail = |why: &str| format!("http_server_config.headers: {name:?}: {why}");
                let header =
                    HeaderName::try_from(name.as_str()).map_err(|_| fail("not a header name"))?;
                if OWN_HEADERS.contains(&header.as_str()) {
                    return Err(fail("tv sets this header itself"));
                }
                let value = HeaderValue::try_from(value.as_str())
                    .map_err(|_| fail("not a header value"))?;
                Ok((header, value))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(yaml: &str) -> TlsOptions {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    #[test]
    fn versions_from_min_to_max() {
        assert_eq!(tls("{}").versions().unwrap().len(), 2);
        let only13 = tls("min_version: TLS13").versions().unwrap();
        assert_eq!(only13.len(), 1);
        assert_eq!(only13[0].version, rustls::ProtocolVersion::TLSv1_3);
        let only12 = tls("max_version: TLS12").versions().unwrap();
        assert_eq!(only12[0].version, rustls::ProtocolVersion::TLSv1_2);
        assert_eq!(only12.len(), 1);
        let old = tls("min_version: TLS10").versions().unwrap_err();
        assert!(
            old.contains("min_version TLS10") && old.contains("cannot be honoured"),
            "{old}"
        );
        assert!(
            tls("min_version: TLS13\nmax_version: TLS12")
                .versions()
                .is_err()
        );
        assert!(
            tls("min_version: SSL3")
                .versions()
                .unwrap_err()
                .contains("min_version")
        );
    }

    #[test]
    fn cipher_suites_by_go_name() {
        let provider = tls("cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305]")
            .provider()
            .unwrap();
        let tls12: Vec<CipherSuite> = provider
            .cipher_suites
            .iter()
            .filter(|s| s.tls13().is_none())
            .map(|s| s.suite())
            .collect();
        assert_eq!(
            tls12,
            [
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
            ]
        );
        assert!(provider.cipher_suites.iter().any(|s| s.tls13().is_some()));
        let cbc = tls("cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]")
            .provider()
            .unwrap_err();
        assert!(
            cbc.contains("cipher_suites") && cbc.contains("TLS_RSA_WITH_AES_128_CBC_SHA"),
            "{cbc}"
        );
    }

    #[test]
    fn curves_by_go_name() {
        let provider = tls("curve_preferences: [CurveP384, X25519]")
            .provider()
            .unwrap();
        let groups: Vec<NamedGroup> = provider.kx_groups.iter().map(|g| g.name()).collect();
        assert_eq!(groups, [NamedGroup::secp384r1, NamedGroup::X25519]);
        let p521 = tls("curve_preferences: [CurveP521]")
            .provider()
            .unwrap_err();
        assert!(
            p521.contains("curve_preferences") && p521.contains("CurveP521"),
            "{p521}"
        );
    }

    #[test]
    fn headers_and_http2() {
        let http: HttpFile = serde_yaml_ng::from_str(
            "headers:\n  Strict-Transport-Security: max-age=31536000\nhttp2: false",
        )
        .unwrap();
        let headers = http.headers().unwrap();
        assert_eq!(headers[0].0.as_str(), "strict-transport-security");
        let http: HttpFile = serde_yaml_ng::from_str("http2: true").unwrap();
        assert!(http.headers().unwrap_err().contains("http2"));
        let http: HttpFile = serde_yaml_ng::from_str("headers: {Content-Type: x}").unwrap();
        assert!(http.headers().unwrap_err().contains("Content-Type"));
        assert!(serde_yaml_ng::from_str::<HttpFile>("nope: 1").is_err());
    }
}
