//! The route table: the 28 endpoints of the reference (§15) under `/api-v2/`, the 404
//! and 405 fallbacks with the error envelope, and the front middleware around them all.

use axum::Router;
use axum::extract::State;
use axum::http::{Method, Uri, header};
use axum::middleware::{from_fn_with_state, map_response_with_state};
use axum::response::Response;
use axum::routing::{delete, get, post};

use super::envelope::{self, http_date};
use super::front::front;
use super::sandbox::Sandbox;
use super::{computed, reads, truth, writes};

/// The path prefix every endpoint lives under.
pub const API_PREFIX: &str = "/api-v2";

/// The axum router of a sandbox: every endpoint, the fallbacks and the middleware
/// (limits, parameters, faults, latency, request log). Serve it with any HTTP/1.1 server
/// (or call it with `tower::ServiceExt::oneshot` in tests); [`super::start`] serves it
/// on its own connections, which also lets the `reset` fault drop a connection.
pub fn router(sandbox: Sandbox) -> Router {
    let p = |path: &str| format!("{API_PREFIX}/{path}");
    Router::new()
        // discovery
        .route(&p("apps"), get(reads::apps))
        .route(&p("layers/{app}"), get(reads::layers))
        .route(&p("actions"), get(reads::actions))
        .route(&p("controllers"), get(reads::controllers))
        .route(&p("domains"), get(reads::domains))
        .route(&p("browsers"), get(reads::browsers))
        .route(&p("regions"), get(reads::regions))
        .route(&p("metrics"), get(reads::metrics))
        // hosts
        .route(&p("hosts"), get(reads::hosts))
        .route(&p("app/{app}/hosts"), get(reads::app_hosts))
        .route(&p("hosts/{host_id}/versions"), get(reads::host_versions))
        .route(&p("hosts/{host_id}"), delete(writes::delete_host))
        // apps
        .route(&p("assign_app"), post(writes::assign_app))
        .route(&p("app/{app}"), delete(writes::delete_app))
        // annotations
        .route(&p("annotations"), get(reads::annotations))
        .route(&p("app/{app}/annotations"), get(reads::app_annotations))
        .route(&p("log_message"), post(writes::log_message))
        // organization
        .route(&p("organization"), get(reads::organization))
        .route(&p("organization/users"), get(reads::users))
        .route(&p("organization/licenses"), get(reads::licenses))
        // errors, total requests, latency
        .route(&p("errors/{app}/rate"), get(computed::error_rate))
        .route(
            &p("total_requests/{app}/series"),
            get(computed::total_series),
        )
        .route(
            &p("total_requests/{app}/summary"),
            get(computed::total_summary),
        )
        .route(
            &p("latency/{app}/server/series"),
            get(computed::server_series),
        )
        .route(
            &p("latency/{app}/client/series"),
            get(computed::client_series),
        )
        .route(
            &p("latency/{app}/server/summary"),
            get(computed::server_summary),
        )
        .route(
            &p("latency/{app}/client/summary"),
            get(computed::client_summary),
        )
        .route(&p("latency/{app}/server/by-layer"), get(computed::by_layer))
        // the sandbox's own routes, outside the API
        .route(truth::INCIDENTS_PATH, get(truth::incidents))
        // after the routes: it applies to the routes present
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(from_fn_with_state(sandbox.clone(), front))
        .layer(map_response_with_state(sandbox.clone(), date_header))
        .with_state(sandbox)
}

/// Sets the `Date` header of every answer to the sandbox's now (the frozen `--now`, else
/// the clock), so that a client learns the server's idea of now from any answer.
async fn date_header(State(sandbox): State<Sandbox>, mut resp: Response) -> Response {
    if let Some(value) = http_date(sandbox.world().now()) {
        resp.headers_mut().insert(header::DATE, value);
    }
    resp
}

/// 404 for a path that is not an endpoint.
async fn not_found(uri: Uri) -> Response {
    let path: String = uri.path().chars().take(200).collect();
    envelope::error(404, &format!("No such endpoint: {path}"))
}

/// 405 for a known path with another method (axum adds the `Allow` header).
async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let path: String = uri.path().chars().take(200).collect();
    envelope::error(405, &format!("Method {method} is not allowed on {path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_imf_fixdate() {
        assert_eq!(
            http_date(1_704_283_200).unwrap(),
            "Wed, 03 Jan 2024 12:00:00 GMT"
        );
        assert_eq!(http_date(0).unwrap(), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
