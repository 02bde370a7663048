//! `--web.config.file`: TLS and basic authentication in the format of the Prometheus
//! exporter toolkit (`tls_server_config`: `cert_file`, `key_file`, `client_ca_file`,
//! `client_auth_type`; `basic_auth_users`: user → bcrypt hash), so one file serves
//! node_exporter and tv alike; the TLS and HTTP options beyond these are
//! [`super::tls_options`]'s. Paths are relative to the file; unknown keys are refused.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

use super::tls_options::{HttpFile, TlsOptions};

/// The largest web configuration file read.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// A bcrypt hash checked for unknown users, so that a wrong name takes about as long
/// as a wrong password (made on first use, of a password nobody sends).
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| bcrypt::hash("\u{0}unknown user", 10).unwrap_or_default())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tls_server_config: Option<TlsFile>,
    #[serde(default)]
    basic_auth_users: BTreeMap<String, String>,
    #[serde(default)]
    http_server_config: HttpFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsFile {
    cert_file: PathBuf,
    key_file: PathBuf,
    client_ca_file: Option<PathBuf>,
    client_auth_type: Option<String>,
    min_version: Option<String>,
    max_version: Option<String>,
    cipher_suites: Option<Vec<String>>,
    curve_preferences: Option<Vec<String>>,
    prefer_server_cipher_suites: Option<bool>,
}

impl TlsFile {
    fn options(&self) -> TlsOptions {
        TlsOptions {
            min_version: self.min_version.clone(),
            max_version: self.max_version.clone(),
            cipher_suites: self.cipher_suites.clone(),
            curve_preferences: self.curve_preferences.clone(),
            prefer_server_cipher_suites: self.prefer_server_cipher_suites,
        }
    }
}

/// What the web configuration asks for.
pub struct WebConfig {
    /// TLS, when configured.
    pub tls: Option<TlsAcceptor>,
    /// Basic authentication, when users are configured.
    pub users: Option<Users>,
    /// `http_server_config.headers`: added to every answer.
    pub headers: Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)>,
}

/// The basic-auth users and the `Authorization` values already verified (bcrypt is
/// slow on purpose; a scraper sends the same value every time).
pub struct Users {
    hashes: BTreeMap<String, String>,
    verified: Mutex<BTreeMap<String, String>>,
}

impl WebConfig {
    /// Reads and checks `path`; every problem is one line naming the file.
    pub fn load(path: &Path) -> Result<WebConfig, String> {
        let fail = |what: String| format!("{}: {what}", path.display());
        let text = read_bounded(path).map_err(|e| fail(e.to_string()))?;
        let file: File = if text.trim().is_empty() {
            File {
                tls_server_config: None,
                basic_auth_users: BTreeMap::new(),
                http_server_config: HttpFile::default(),
            }
        } else {
            serde_yaml_ng::from_str(&text).map_err(|e| fail(e.to_string()))?
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let tls = match &file.tls_server_config {
            Some(tls) => Some(acceptor(tls, base).map_err(fail)?),
            None => None,
        };
        for (user, hash) in &file.basic_auth_users {
            if !hash.starts_with("$2") {
                return Err(fail(format!(
                    "the password of user {user:?} is not a bcrypt hash (make one with `htpasswd -nBC 10 \"\" | tr -d ':\\n'`)"
                )));
            }
        }
        let users = (!file.basic_auth_users.is_empty()).then(|| Users {
            hashes: file.basic_auth_users,
            verified: Mutex::new(BTreeMap::new()),
        });
        let headers = file.http_server_config.headers().map_err(fail)?;
        Ok(WebConfig {
            tls,
            users,
            headers,
        })
    }
}

fn read_bounded(path: &Path) -> io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::other(format!(
            "larger than {} KiB",
            MAX_FILE_BYTES / 1024
        )));
    }
    Ok(text)
}

fn acceptor(tls: &TlsFile, base: &Path) -> Result<TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let resolve = |p: &Path| base.join(p);
    let cert_file = resolve(&tls.cert_file);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_file)
        .and_then(|certs| certs.collect())
        .map_err(|e| format!("cert_file {}: {e}", cert_file.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "cert_file {}: no certificate in it",
            cert_file.display()
        ));
    }
    let key_file = resolve(&tls.key_file);
    let key = PrivateKeyDer::from_pem_file(&key_file)
        .map_err(|e| format!("key_file {}: {e}", key_file.display()))?;
    let options = tls.options();
    let provider = options.provider()?;
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&options.versions()?)
        .map_err(|e| format!("tls_server_config: {e}"))?;
    let auth_type = tls
        .client_auth_type
        .as_deref()
        .unwrap_or(match tls.client_ca_file {
            Some(_) => "RequireAndVerifyClientCert",
            None => "NoClientCert",
        });
    let builder = match (auth_type, &tls.client_ca_file) {
        ("NoClientCert", _) => builder.with_no_client_auth(),
        (kind @ ("RequireAndVerifyClientCert" | "VerifyClientCertIfGiven"), Some(ca)) => {
            let ca_file = resolve(ca);
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(&ca_file)
                .map_err(|e| format!("client_ca_file {}: {e}", ca_file.display()))?
            {
                let cert =
                    cert.map_err(|e| format!("client_ca_file {}: {e}", ca_file.display()))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("client_ca_file {}: {e}", ca_file.display()))?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            );
            let verifier = if kind == "VerifyClientCertIfGiven" {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            let verifier = verifier
                .build()
                .map_err(|e| format!("client_ca_file {}: {e}", ca_file.display()))?;
            builder.with_client_cert_verifier(verifier)
        }
        ("RequireAndVerifyClientCert" | "VerifyClientCertIfGiven", None) => {
            return Err(format!(
                "client_auth_type {auth_type} needs a client_ca_file"
            ));
        }
        (other, _) => {
            return Err(format!(
                "client_auth_type {other:?} is not supported (NoClientCert, RequireAndVerifyClientCert or VerifyClientCertIfGiven)"
            ));
        }
    };
    let mut config = builder
        .with_single_cert(certs, key)
        .map_err(|e| format!("cert_file and key_file: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config.ignore_client_order = options.server_order();
    Ok(TlsAcceptor::from(Arc::new(config)))
}

impl Users {
    /// Whether an `Authorization` header value names a user with the right password.
    pub async fn allows(self: &Arc<Self>, authorization: Option<&str>) -> bool {
        let Some(header) = authorization else {
            return false;
        };
        let Some((user, password)) = basic_credentials(header) else {
            return false;
        };
        {
            let verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
            if verified
                .get(&user)
                .is_some_and(|known| constant_time_eq(known.as_bytes(), header.as_bytes()))
            {
                return true;
            }
        }
        let hash = self.hashes.get(&user).cloned();
        let known_user = hash.is_some();
        let checked = tokio::task::spawn_blocking(move || {
            let hash = hash.as_deref().unwrap_or_else(|| dummy_hash());
            bcrypt::verify(password, hash).unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        let allowed = checked && known_user;
        if allowed {
            self.verified
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(user, header.to_owned());
        }
        allowed
    }
}

/// (user, password) of a `Basic` authorization value.
fn basic_credentials(header: &str) -> Option<(String, String)> {
    use base64::Engine;
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") || encoded.len() > 4096 {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A connection, in the clear or over TLS.
pub enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<WebConfig, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("web.yml");
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        WebConfig::load(&path)
    }

    #[test]
    fn refusals_are_one_line_naming_the_problem() {
        let cases = [
            ("basic_auth_users:\n  alice: plain\n", "not a bcrypt hash"),
            (
                "tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n",
                "cert_file",
            ),
            (
                "http_server_config:\n  http2: true\n",
                "http2: true cannot be honoured",
            ),
            ("http_server_config:\n  nope: 1\n", "unknown field"),
            ("basic_auth_users: [1, 2]\n", "basic_auth_users"),
        ];
        for (text, expected) in cases {
            match load(text) {
                Ok(_) => panic!("{text:?} was accepted"),
                Err(message) => {
                    assert!(message.contains(expected), "{text:?}: {message}");
                    assert!(!message.contains('\n'), "{message}");
                }
            }
        }
    }

    #[tokio::test]
    async fn basic_auth_checks_user_and_password() {
        let hash = bcrypt::hash("s3cret", 4).unwrap_or_else(|e| panic!("{e}"));
        let config = load(&format!("basic_auth_users:\n  alice: '{hash}'\n"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(config.tls.is_none());
        let users = Arc::new(config.users.unwrap_or_else(|| panic!("no users")));
        use base64::Engine;
        let header = |credentials: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(credentials)
            )
        };
        assert!(users.allows(Some(&header("alice:s3cret"))).await);
        // Twice: the second answer comes from the verified values.
        assert!(users.allows(Some(&header("alice:s3cret"))).await);
        assert!(!users.allows(Some(&header("alice:wrong"))).await);
        assert!(!users.allows(Some(&header("bob:s3cret"))).await);
        assert!(!users.allows(Some("Bearer x")).await);
        assert!(!users.allows(None).await);
    }
}
