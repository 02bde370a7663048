//! What the exporter answers: `/metrics`, `/probe?target=PROFILE`, `/-/healthy`,
//! `/-/ready` and a landing page at `/`, behind the basic authentication of the web
//! configuration when it has users.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use hyper::body::{Body as _, Incoming};
use hyper::{Method, Request, Response, StatusCode, header};
use tokio_rustls::TlsAcceptor;
use tv_client::config::{ENV_CONFIG, Environment, Overrides, ProcessEnv, Settings};
use tv_client::export::prometheus::Format;

use super::scrape::{CollectOptions, Collector};
use super::web_config::Users;

/// The header in which Prometheus sends its scrape timeout.
const SCRAPE_TIMEOUT_HEADER: &str = "x-prometheus-scrape-timeout-seconds";

/// The longest target name looked up.
const MAX_TARGET_CHARS: usize = 200;

/// How long a scrape may take.
#[derive(Debug, Clone, Copy)]
pub struct ScrapeDeadline {
    /// Used when the scraper does not send `X-Prometheus-Scrape-Timeout-Seconds`.
    pub default: Duration,
    /// Taken off the scraper's timeout, so the answer arrives before it gives up.
    pub offset: Duration,
}

impl ScrapeDeadline {
    /// The time a scrape may wait for a collection: the scraper's timeout (or the
    /// default) less the offset.
    pub fn of(&self, header: Option<&str>) -> Duration {
        let asked = header
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(|s| Duration::from_secs_f64(s.min(3600.0)));
        asked.unwrap_or(self.default).saturating_sub(self.offset)
    }
}

/// The profiles of the configuration file scraped through `/probe`, each with its own
/// client and collections (created on the first probe; only profiles of the file).
pub struct Probes {
    overrides: Overrides,
    options: Arc<CollectOptions>,
    known: Mutex<HashMap<String, Arc<Collector>>>,
}

impl Probes {
    /// Probes of the profiles of the file `overrides` points to (the key and URL
    /// flags do not apply to them).
    pub fn new(overrides: Overrides, options: Arc<CollectOptions>) -> Self {
        let overrides = Overrides {
            api_key: None,
            api_key_file: None,
            base_url: None,
            profile: None,
            ..overrides
        };
        Probes {
            overrides,
            options,
            known: Mutex::new(HashMap::new()),
        }
    }

    fn collector(&self, target: &str) -> Result<Arc<Collector>, &'static str> {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(collector) = known.get(target) {
            return Ok(Arc::clone(collector));
        }
        if target.chars().count() > MAX_TARGET_CHARS {
            return Err("unknown target: not a profile of the configuration file\n");
        }
        let overrides = Overrides {
            profile: Some(target.to_owned()),
            ..self.overrides.clone()
        };
        let settings = Settings::resolve_with(&overrides, &FileLocationOnly)
            .map_err(|_| "unknown target: not a profile of the configuration file\n")?;
        if let Some(key) = &settings.api_key {
            crate::logging::hide(&key.value);
        }
        let tv = settings
            .client_builder()
            .and_then(|builder| builder.build())
            .map_err(|_| "the target's profile has no usable key or URL (see tv doctor)\n")?;
        let collector = Collector::new(
            tv,
            Arc::clone(&self.options),
            format!("target {}", crate::render::text::clean_line(target, 60)),
        );
        known.insert(target.to_owned(), Arc::clone(&collector));
        Ok(collector)
    }
}

/// The environment as a `/probe` profile sees it: only where the configuration file is
/// (`TV_CONFIG`, else `XDG_CONFIG_HOME` or `HOME`). `TV_API_KEY`, `TV_API_KEY_FILE`,
/// `TV_BASE_URL` and `TV_PROFILE` are the exporter's own account's, never a profile's:
/// a profile's key and URL come from the profile alone.
struct FileLocationOnly;

impl Environment for FileLocationOnly {
    fn var(&self, name: &str) -> Option<String> {
        match name {
            ENV_CONFIG | "XDG_CONFIG_HOME" | "HOME" => ProcessEnv.var(name),
            _ => None,
        }
    }
}

/// Everything the answers need.
pub struct Routes {
    /// The account of the command line, on `/metrics`.
    pub main: Arc<Collector>,
    /// The profiles, on `/probe`.
    pub probes: Probes,
    /// How long scrapes may take.
    pub deadline: ScrapeDeadline,
    /// Basic-auth users, when the web configuration has them.
    pub users: Option<Arc<Users>>,
    /// TLS, when the web configuration has it.
    pub tls: Option<TlsAcceptor>,
    /// `http_server_config.headers` of the web configuration: on every answer.
    pub headers: Vec<(header::HeaderName, header::HeaderValue)>,
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

const LANDING_PAGE: &str = "<!DOCTYPE html>
<html><head><title>tv exporter</title></head>
<body>
<h1>tv exporter</h1>
<p>TraceView metrics for Prometheus.</p>
<ul>
<li><a href=\"metrics\">/metrics</a>: the configured account</li>
<li>/probe?target=PROFILE: one profile of the configuration file</li>
<li><a href=\"-/healthy\">/-/healthy</a>, <a href=\"-/ready\">/-/ready</a></li>
</ul>
</body></html>
";

impl Routes {
    /// TLS, when configured.
    pub fn tls(&self) -> Option<&TlsAcceptor> {
        self.tls.as_ref()
    }

    /// The answer to one request.
    pub async fn answer(&self, request: Request<Incoming>) -> Response<Body> {
        let mut response = self.respond(request).await;
        for (name, value) in &self.headers {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        response
    }

    async fn respond(&self, request: Request<Incoming>) -> Response<Body> {
        if let Some(users) = &self.users {
            let authorization = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            if !users.allows(authorization).await {
                let mut response = plain(StatusCode::UNAUTHORIZED, "unauthorized\n");
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Basic realm=\"tv exporter\""),
                );
                return response;
            }
        }
        if !request.body().is_end_stream() {
            let mut response = plain(StatusCode::PAYLOAD_TOO_LARGE, "no request body expected\n");
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            return response;
        }
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return plain(StatusCode::METHOD_NOT_ALLOWED, "GET only\n");
        }
        let collector = match request.uri().path() {
            "/metrics" => Arc::clone(&self.main),
            "/probe" => match target(request.uri().query()) {
                Some(target) => match self.probes.collector(&target) {
                    Ok(collector) => collector,
                    Err(why) => return plain(StatusCode::BAD_REQUEST, why),
                },
                None => return plain(StatusCode::BAD_REQUEST, "/probe needs ?target=PROFILE\n"),
            },
            "/-/healthy" => return plain(StatusCode::OK, "Healthy\n"),
            "/-/ready" => {
                return if self.main.has_collected() {
                    plain(StatusCode::OK, "Ready\n")
                } else {
                    plain(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Not ready: the first collection is running\n",
                    )
                };
            }
            "/" => {
                let mut response = plain(StatusCode::OK, "");
                *response.body_mut() = Body::from(LANDING_PAGE);
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("text/html; charset=utf-8"),
                );
                return response;
            }
            _ => return plain(StatusCode::NOT_FOUND, "not found; try /metrics\n"),
        };
        let headers = request.headers();
        let format = Format::negotiate(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()));
        let deadline = self.deadline.of(headers
            .get(SCRAPE_TIMEOUT_HEADER)
            .and_then(|v| v.to_str().ok()));
        match collector.scrape(deadline, format).await {
            Some(text) => {
                let mut response = Response::new(Body::from(text));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static(format.content_type()),
                );
                response
            }
            None => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot encode the metrics\n",
            ),
        }
    }
}

/// The `target` parameter of a query string.
fn target(query: Option<&str>) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query?)
        .ok()?
        .into_iter()
        .find(|(name, _)| name == "target")
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scrapers_timeout_less_the_offset() {
        let deadline = ScrapeDeadline {
            default: Duration::from_secs(10),
            offset: Duration::from_millis(500),
        };
        assert_eq!(deadline.of(None), Duration::from_millis(9500));
        assert_eq!(deadline.of(Some("2")), Duration::from_millis(1500));
        assert_eq!(deadline.of(Some("0.25")), Duration::ZERO);
        assert_eq!(deadline.of(Some("nan")), Duration::from_millis(9500));
        assert_eq!(deadline.of(Some("-3")), Duration::from_millis(9500));
    }

    #[test]
    fn the_target_parameter() {
        assert_eq!(target(Some("target=prod")), Some("prod".to_owned()));
        assert_eq!(
            target(Some("a=1&target=my%20lab")),
            Some("my lab".to_owned())
        );
        assert_eq!(target(Some("target=")), None);
        assert_eq!(target(None), None);
    }
}
