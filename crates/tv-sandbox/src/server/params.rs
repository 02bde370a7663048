//! Request parameters from both transports, the access key check and the extractors the
//! handlers use.
//!
//! Every parameter may arrive in the query string; a `POST` (or `DELETE`) may also send
//! an `application/x-www-form-urlencoded` body. When both carry a name, the **body wins**;
//! within one transport the first occurrence wins. Unknown parameters are ignored.
//!
//! The typed parameters follow the spec exactly: `time_window` is one of `hour`, `day`,
//! `week` as written, and a time parameter (`time_end`, `since_time`, `time_start`,
//! `time`) that is present must parse, so an empty one is a 400 naming it. An empty
//! string parameter (a filter, a write's name) counts as absent.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::Response;
use subtle::ConstantTimeEq;
use tv_api::filters::FilterParams;

use crate::state::{AssignApp, LogMessage, SeriesQuery, create_flag};

use crate::world::{AnnotationRange, Filter, TimeWindow, WorldError, parse_instant};

use super::Sandbox;
use super::envelope;

/// The name of the access key parameter.
pub(crate) const KEY: &str = "key";

/// The parameters of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Params {
    body: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

/// Decodes `application/x-www-form-urlencoded` pairs (invalid UTF-8 is replaced, never
/// an error).
fn decode_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default()
}

impl Params {
    /// The parameters of a query string and an optional form body.
    pub(crate) fn parse(query: Option<&str>, form_body: Option<&[u8]>) -> Params {
        Params {
            body: form_body.map(decode_pairs).unwrap_or_default(),
            query: query
                .map(|q| decode_pairs(q.as_bytes()))
                .unwrap_or_default(),
        }
    }

    /// The value of `name`: the body's first, else the query string's first.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.body
            .iter()
            .chain(self.query.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A parameter as an owned string, if present.
    fn owned(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    /// Every parameter of both transports except the key (for the fault draw).
    pub(crate) fn without_key(&self) -> impl Iterator<Item = (&str, &str)> {
        self.body
            .iter()
            .chain(self.query.iter())
            .filter(|(n, _)| n != KEY)
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The filters of the series endpoints (empty values count as absent).
    pub(crate) fn filter(&self) -> Filter {
        Filter::from_params(|name| self.get(name))
    }

    /// A time parameter: absent, or one that parses (empty is refused, naming it).
    fn instant(&self, name: &str) -> Result<Option<i64>, WorldError> {
        self.get(name).map(|v| parse_instant(name, v)).transpose()
    }

    /// `time_window` (exactly one of the wire names), `time_end` and the filters.
    pub(crate) fn series_query(&self) -> Result<SeriesQuery, WorldError> {
        let window = match self.get("time_window") {
            None => TimeWindow::default(),
            Some(v) => v.parse::<TimeWindow>().map_err(|_| {
                WorldError::BadRequest(format!(
                    "time_window must be one of hour, day, week (got {v:?})"
                ))
            })?,
        };
        Ok(SeriesQuery {
            window,
            time_end: self.instant("time_end")?,
            filter: self.filter(),
        })
    }

    /// `since_time` of `layers/{app}`.
    pub(crate) fn since_time(&self) -> Result<Option<i64>, WorldError> {
        self.instant("since_time")
    }

    /// `time_start` and `time_end` of the annotation lists.
    pub(crate) fn annotation_range(&self) -> Result<AnnotationRange, WorldError> {
        Ok(AnnotationRange {
            start: self.instant("time_start")?,
            end: self.instant("time_end")?,
        })
    }

    /// The parameters of `assign_app`.
    pub(crate) fn assign_app(&self) -> AssignApp {
        AssignApp {
            appname: self.owned("appname"),
            hostname: self.owned("hostname"),
            layer: self.owned("layer"),
            tags: self.owned("tags"),
            create: create_flag(self.get("create")),
        }
    }

    /// The parameters of `log_message`.
    pub(crate) fn log_message(&self) -> Result<LogMessage, WorldError> {
        Ok(LogMessage {
            message: self.owned("message"),
            appname: self.owned("appname"),
            hostname: self.owned("hostname"),
            username: self.owned("username"),
            layer: self.owned("layer"),
            time: self.instant("time")?,
        })
    }
}

/// The accepted keys, compared in constant time.
#[derive(Clone)]
pub(crate) struct Keys(Vec<Box<[u8]>>);

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys({} x ***)", self.0.len())
    }
}

impl Keys {
    /// The accepted keys.
    pub(crate) fn new(keys: &[String]) -> Keys {
        Keys(keys.iter().map(|k| k.as_bytes().into()).collect())
    }

    /// Whether `given` is one of the keys. Every key is compared, each in time that
    /// depends only on the lengths, so the answer time does not reveal a key's content.
    pub(crate) fn accepts(&self, given: &str) -> bool {
        let given = given.as_bytes();
        let mut ok = subtle::Choice::from(0u8);
        for key in &self.0 {
            ok |= key.as_ref().ct_eq(given);
        }
        bool::from(ok)
    }
}

/// An authorized request: the key was checked (and, with a rate limit, the key had a
/// token). Extract it **first** in a handler so a missing or wrong key is answered with
/// 403 (and a key over its rate with 429) before anything else is looked at.
#[derive(Debug, Clone)]
pub(crate) struct Authorized(pub(crate) Arc<Params>);

impl FromRequestParts<Sandbox> for Authorized {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Sandbox) -> Result<Self, Response> {
        let params = match parts.extensions.get::<Arc<Params>>() {
            Some(p) => Arc::clone(p),
            None => Arc::new(Params::parse(parts.uri.query(), None)),
        };
        match params.get(KEY) {
            None | Some("") => Err(envelope::error(
                403,
                "key is required: pass your access key as the key parameter",
            )),
            Some(k) if state.keys().accepts(k) => match state.rate_limit() {
                None => Ok(Authorized(params)),
                Some(limit) => match limit.take(k, std::time::Instant::now()) {
                    Ok(()) => Ok(Authorized(params)),
                    Err(wait) => Err(limit.refusal(wait)),
                },
            },
            Some(_) => Err(envelope::error(403, "key: invalid access key")),
        }
    }
}

/// The one path parameter of a route (`{app}` or `{host_id}`), percent-decoded (`%2F`
/// is a `/` inside the name, `+` stays a plus). A segment that is not UTF-8 once decoded
/// names nothing that exists: 404.
#[derive(Debug, Clone)]
pub(crate) struct Segment(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(s)) => Ok(Segment(s)),
            Err(_) => Err(envelope::error(
                404,
                "No app or host found with that name: the path segment is not valid UTF-8",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_wins_and_first_occurrence_wins() {
        let p = Params::parse(Some("a=q1&a=q2&b=q&key=k1"), Some(b"a=b1&a=b2&key=k2"));
        assert_eq!(p.get("a"), Some("b1"));
        assert_eq!(p.get("b"), Some("q"));
        assert_eq!(p.get(KEY), Some("k2"));
        assert_eq!(p.get("c"), None);
        let mut rest: Vec<_> = p.without_key().collect();
        rest.sort_unstable();
        assert_eq!(rest.len(), 5);
    }

    #[test]
    fn decoding_is_lossy_never_failing() {
        let p = Params::parse(Some("m=a+b%20c&x=%FF&%zz=1&&=&y"), None);
        assert_eq!(p.get("m"), Some("a b c"));
        assert_eq!(p.get("x"), Some("\u{fffd}"));
        assert_eq!(p.get("y"), Some(""));
    }

    #[test]
    fn typed_parameters_are_exact() {
        let p = Params::parse(Some("time_window=week&time_end=1704283200"), None);
        let q = p.series_query().unwrap();
        assert_eq!(
            (q.window, q.time_end),
            (TimeWindow::Week, Some(1_704_283_200))
        );
        for bad in ["time_window=", "time_window=Week", "time_window=%20day"] {
            let err = Params::parse(Some(bad), None).series_query().unwrap_err();
            assert!(err.message().starts_with("time_window"), "{bad}: {err}");
        }
        let err = Params::parse(Some("time_end="), None)
            .series_query()
            .unwrap_err();
        assert!(err.message().starts_with("time_end"), "{err}");
        let err = Params::parse(Some("since_time=%20"), None)
            .since_time()
            .unwrap_err();
        assert!(err.message().starts_with("since_time"), "{err}");
        assert_eq!(Params::parse(None, None).since_time(), Ok(None));
    }

    #[test]
    fn keys_compare_every_key() {
        let keys = Keys::new(&["sandbox".to_owned(), "other-key".to_owned()]);
        assert!(keys.accepts("sandbox") && keys.accepts("other-key"));
        assert!(!keys.accepts("sandbo") && !keys.accepts("") && !keys.accepts("sandboxx"));
        assert_eq!(format!("{keys:?}"), "Keys(2 x ***)");
    }
}
