//! Helpers: a sandbox on 127.0.0.1:0 with a frozen clock, and a client for it.

use reqwest::{Client, Method, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tv_sandbox::server::{RunningSandbox, SandboxConfig, start};

/// 2024-01-03T12:00:00Z.
pub const NOW: i64 = tv_sandbox::server::FROZEN_NOW;

/// The default key.
pub const KEY: &str = "sandbox";

/// The configuration of the tests: frozen clock, free port.
pub fn config() -> SandboxConfig {
    SandboxConfig::demo_at(NOW)
}

/// A running sandbox and a client that never follows redirects.
pub struct Api {
    pub sandbox: RunningSandbox,
    pub http: Client,
}

/// Starts a sandbox with the test configuration.
pub async fn api() -> Api {
    api_with(config()).await
}

/// Starts a sandbox with a configuration.
pub async fn api_with(config: SandboxConfig) -> Api {
    let sandbox = start(config).await.expect("the sandbox starts");
    tv_api::install_crypto_provider();
    let http = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    Api { sandbox, http }
}

/// Percent-encodes a path segment (everything but unreserved characters).
pub fn seg(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Api {
    /// `base/path` (path may carry a query string).
    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.sandbox.base_url())
    }

    /// `base/path` with `key=sandbox` appended.
    pub fn keyed(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{}{sep}key={KEY}", self.url(path))
    }

    /// A keyed request.
    pub async fn call(&self, method: Method, path: &str) -> Response {
        self.http
            .request(method, self.keyed(path))
            .send()
            .await
            .expect("an answer")
    }

    /// A keyed GET.
    pub async fn get(&self, path: &str) -> Response {
        self.call(Method::GET, path).await
    }

    /// A keyed GET decoded into a tv-api envelope (asserting 200 and JSON).
    pub async fn get_ok<T: DeserializeOwned>(&self, path: &str) -> T {
        decode_ok(self.get(path).await).await
    }

    /// A POST with a form body only (curl, chef, WordPress style).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("an answer")
    }

    /// A POST with every parameter in the query string and no body (python-traceview).
    pub async fn post_query(&self, path: &str, params: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(path))
            .query(params)
            .send()
            .await
            .expect("an answer")
    }
}

/// Asserts 200 with `application/json` and decodes.
pub async fn decode_ok<T: DeserializeOwned>(resp: Response) -> T {
    let status = resp.status();
    let ct = content_type(&resp);
    let body = resp.text().await.expect("a body");
    assert_eq!(status, StatusCode::OK, "body: {body}");
    assert_eq!(ct, "application/json");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The content type of a response.
pub fn content_type(resp: &Response) -> String {
    resp.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Asserts an error envelope with `status` and returns its message.
pub async fn expect_error(resp: Response, status: u16) -> String {
    let got = resp.status().as_u16();
    let ct = content_type(&resp);
    let body = resp.text().await.expect("a body");
    assert_eq!(got, status, "body: {body}");
    assert_eq!(ct, "application/json", "body: {body}");
    let env: tv_api::types::ErrorEnvelope =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    env.data
}

/// The raw JSON of a keyed GET (asserting 200).
pub async fn raw(api: &Api, path: &str) -> Value {
    decode_ok(api.get(path).await).await
}

/// Any of the three series answers, read loosely (the header as text, rows of any
/// width), so one helper reads them all; the exact headers are asserted as text.
#[derive(Debug, PartialEq, serde::Deserialize)]
pub struct Timeseries {
    pub fields: String,
    pub items: Vec<Vec<Option<f64>>>,
}

/// The envelope of [`Timeseries`].
#[derive(Debug, PartialEq, serde::Deserialize)]
pub struct TimeseriesEnvelope {
    pub data: Timeseries,
}
