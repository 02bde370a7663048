//! Routes of the sandbox itself, outside `/api-v2`: not part of TraceView, for tests and
//! for people testing their own tools against the sandbox.
//!
//! | route | answer |
//! |---|---|
//! | `GET /sandbox/incidents?app=&from=&to=` | the seeded incidents of `app` overlapping `[from, to)` (default: the day before now), as a JSON array of [`IncidentTruth`](crate::incidents::IncidentTruth) |
//!
//! The key is required as on every route; errors use the TraceView error envelope.

use axum::extract::State;

use crate::world::{WorldError, parse_optional_instant_seconds};

use super::envelope;
use super::error::Answer;
use super::params::Authorized;
use super::sandbox::Sandbox;

/// The path of the incidents route.
pub const INCIDENTS_PATH: &str = "/sandbox/incidents";

/// The range the incidents route and `tv-sandbox --incidents` cover when `from` is not
/// given: this long before `to`.
pub const DEFAULT_INCIDENT_SPAN: i64 = 86_400;

/// `GET /sandbox/incidents?app=&from=&to=`.
pub(crate) async fn incidents(State(sb): State<Sandbox>, Authorized(p): Authorized) -> Answer {
    let app = p
        .get("app")
        .filter(|a| !a.is_empty())
        .ok_or_else(|| WorldError::BadRequest("app is required".into()))?;
    let view = sb.world().view();
    let to = parse_optional_instant_seconds("to", p.get("to"))?.unwrap_or(view.now());
    let from = parse_optional_instant_seconds("from", p.get("from"))?
        .unwrap_or(to.saturating_sub(DEFAULT_INCIDENT_SPAN));
    Ok(envelope::ok(&view.incidents(app, from, to)?))
}
