//! Error rates, total requests and latency: the timeseries endpoints.

use futures::StreamExt;
use serde::de::DeserializeOwned;
use tv_api::types::{ErrorEnvelope, LayerTimeseriesListEnvelope};
use tv_api::{ByteStream, ResponseValue};

use super::TraceView;
use super::call::{ApiResult, Kind, decode_error};
use crate::decode::{Decoded, SeriesAnswer, read_answer};
use crate::error::Error;
use crate::filter::{ClientFilter, RequestsFilter, ServerFilter};
use crate::model::{LatencySummary, RequestsSummary};
use crate::points::{ErrorRatePoint, LatencyPoint, Point, RequestsPoint};
use crate::series::{LayerSeries, Series};
use crate::window::TimeWindow;

/// The macros that apply a typed filter to a generated request builder, from tv-api's
/// one table of filter parameters ([`tv_api::filter_table!`]); `$d` is a `$` passed in,
/// for the inner macros' own variables.
macro_rules! filter_appliers {
    (($d:tt)
     scope: [$(($s:ident, $sdoc:literal)),* $(,)?],
     server: [$(($v:ident, $vget:ident, $vdoc:literal)),* $(,)?],
     client: [$(($c:ident, $cget:ident, $cdoc:literal)),* $(,)?] $(,)?) => {
        /// Applies a filter's scope (window, end and the scope's filters) to a generated
        /// request builder; every builder of a timeseries endpoint has these setters.
        macro_rules! scoped {
            ($d request:expr, $d scope:expr) => {{
                let scope = $d scope;
                let mut request = $d request.time_window(scope.window);
                if let Some(end) = scope.end_param() {
                    request = request.time_end(end);
                }
                $(if let Some(value) = &scope.$s {
                    request = request.$s(value.clone());
                })*
                request
            }};
        }

        /// A server-side request with all of a [`ServerFilter`]'s filters applied.
        macro_rules! server_filtered {
            ($d request:expr, $d filter:expr) => {{
                let filter: &ServerFilter = $d filter;
                let mut request = scoped!($d request, filter.scope());
                $(if let Some(value) = filter.$vget() {
                    request = request.$v(value.to_owned());
                })*
                request
            }};
        }

        /// A client-side (RUM) request with all of a [`ClientFilter`]'s filters applied.
        macro_rules! client_filtered {
            ($d request:expr, $d filter:expr) => {{
                let filter: &ClientFilter = $d filter;
                let mut request = scoped!($d request, filter.scope());
                $(if let Some(value) = filter.$vget() {
                    request = request.$v(value.to_owned());
                })*
                $(if let Some(value) = filter.$cget() {
                    request = request.$c(value.to_owned());
                })*
                request
            }};
        }
    };
}

tv_api::filter_table!(filter_appliers! { ($) });

/// A series operation's answer read from the bytes of its body: `direct` (rows straight
/// into typed points) or, when it says no, the generated envelope `W`. This is the
/// generated client's `from_response` with the typed layer in the middle: the same body
/// errors (`ResponseBodyError`, the size limit's), and a body that is not `W` is the
/// same `InvalidResponsePayload`, so retries and error messages do not change.
async fn read_body<T, W: DeserializeOwned>(
    sent: Result<ResponseValue<ByteStream>, tv_api::Error<ErrorEnvelope>>,
    direct: impl FnOnce(&[u8]) -> Option<T>,
) -> ApiResult<Decoded<T, W>> {
    let answer = sent?;
    let (status, headers) = (answer.status(), answer.headers().clone());
    let capacity = answer_length(&headers);
    let mut stream = answer.into_inner_stream();
    let mut body = Vec::with_capacity(capacity);
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk.map_err(tv_api::Error::ResponseBodyError)?);
    }
    match read_answer(&body, direct) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        Err(e) => Err(tv_api::Error::InvalidResponsePayload(body.into(), e)),
    }
}

/// The declared length of a body, as a capacity (bounded: the declaration is the
/// server's word, and the size limit applies while reading).
fn answer_length(headers: &reqwest::header::HeaderMap) -> usize {
    const MAX_RESERVED: usize = 1 << 20;
    headers
        .get(reqwest::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(0, |n| n.min(MAX_RESERVED))
}

/// The error of a body that is not the envelope `W`, as the client reports it for a
/// `200` (for [`Series::from_body`] and [`LayerSeries::from_body`], which have no key to hide).
pub(crate) fn body_error<W: DeserializeOwned>(body: &[u8], error: &serde_json::Error) -> Error {
    decode_error::<W>(body, error, "")
}

/// A series answer, typed: by the direct path, or the generated envelope converted.
fn series<P: Point + SeriesAnswer>(
    answer: Decoded<Series<P>, P::Envelope>,
    window: TimeWindow,
) -> Result<Series<P>, Error> {
    let series = match answer {
        Decoded::Typed(series) => series,
        Decoded::Wire(envelope) => Series::from_wire(&envelope)?,
    };
    Ok(series.with_window(window))
}

/// Reads the answer of a `send_bytes` future for a series over `window`.
async fn series_body<P: Point + SeriesAnswer>(
    sent: impl Future<Output = Result<ResponseValue<ByteStream>, tv_api::Error<ErrorEnvelope>>>,
    window: TimeWindow,
) -> ApiResult<Decoded<Series<P>, P::Envelope>> {
    let capacity = window.points() as usize;
    read_body(sent.await, |b| Series::direct(b, capacity)).await
}

/// Error rates. Get one with [`TraceView::errors`].
#[derive(Debug, Clone, Copy)]
pub struct Errors<'a>(pub(super) &'a TraceView);

impl Errors<'_> {
    /// Per slice, the share of traces with at least one error.
    pub async fn rate(
        self,
        app: &str,
        filter: &ServerFilter,
    ) -> Result<Series<ErrorRatePoint>, Error> {
        let segment = super::call::app_segment(app)?;
        let window = filter.scope().window;
        let answer = self
            .0
            .call("get_error_rate", Kind::Idempotent, |api| {
                series_body(
                    server_filtered!(api.get_error_rate().app(segment.clone()), filter)
                        .send_bytes(),
                    window,
                )
            })
            .await?;
        series(answer, window)
    }
}

/// Total requests. Get one with [`TraceView::requests`].
#[derive(Debug, Clone, Copy)]
pub struct Requests<'a>(pub(super) &'a TraceView);

impl Requests<'_> {
    /// Per slice, the number of all requests (traced or not).
    pub async fn series(
        self,
        app: &str,
        filter: &RequestsFilter,
    ) -> Result<Series<RequestsPoint>, Error> {
        let segment = super::call::app_segment(app)?;
        let window = filter.scope().window;
        let answer = self
            .0
            .call("get_total_requests_series", Kind::Idempotent, |api| {
                series_body(
                    scoped!(
                        api.get_total_requests_series().app(segment.clone()),
                        filter.scope()
                    )
                    .send_bytes(),
                    window,
                )
            })
            .await?;
        series(answer, window)
    }

    /// All requests over the window and the server's average rate.
    pub async fn summary(
        self,
        app: &str,
        filter: &RequestsFilter,
    ) -> Result<RequestsSummary, Error> {
        let segment = super::call::app_segment(app)?;
        let envelope = self
            .0
            .call("get_total_requests_summary", Kind::Idempotent, |api| {
                scoped!(
                    api.get_total_requests_summary().app(segment.clone()),
                    filter.scope()
                )
                .send()
            })
            .await?;
        RequestsSummary::from_wire(envelope.data)
    }
}

/// Server and client latency. Get one with [`TraceView::latency`].
#[derive(Debug, Clone, Copy)]
pub struct Latency<'a>(pub(super) &'a TraceView);

impl Latency<'_> {
    /// Per slice, server-side traces and their average latency.
    pub async fn server_series(
        self,
        app: &str,
        filter: &ServerFilter,
    ) -> Result<Series<LatencyPoint>, Error> {
        let segment = super::call::app_segment(app)?;
        let window = filter.scope().window;
        let answer = self
            .0
            .call("get_server_latency_series", Kind::Idempotent, |api| {
                series_body(
                    server_filtered!(api.get_server_latency_series().app(segment.clone()), filter)
                        .send_bytes(),
                    window,
                )
            })
            .await?;
        series(answer, window)
    }

    /// Server-side traces over the window, their average and latest latency.
    pub async fn server_summary(
        self,
        app: &str,
        filter: &ServerFilter,
    ) -> Result<LatencySummary, Error> {
        let segment = super::call::app_segment(app)?;
        let envelope = self
            .0
            .call("get_server_latency_summary", Kind::Idempotent, |api| {
                server_filtered!(
                    api.get_server_latency_summary().app(segment.clone()),
                    filter
                )
                .send()
            })
            .await?;
        LatencySummary::from_wire(envelope.data)
    }

    /// One series per layer: calls into the layer and total time spent in it.
    pub async fn by_layer(
        self,
        app: &str,
        filter: &ServerFilter,
    ) -> Result<Vec<LayerSeries>, Error> {
        let segment = super::call::app_segment(app)?;
        let window = filter.scope().window;
        let capacity = window.points() as usize;
        let answer = self
            .0
            .call("get_server_latency_by_layer", Kind::Idempotent, |api| {
                let sent = server_filtered!(
                    api.get_server_latency_by_layer().app(segment.clone()),
                    filter
                )
                .send_bytes();
                async move {
                    read_body::<_, LayerTimeseriesListEnvelope>(sent.await, |b| {
                        LayerSeries::direct_all(b, capacity)
                    })
                    .await
                }
            })
            .await?;
        let layers = match answer {
            Decoded::Typed(layers) => layers,
            Decoded::Wire(envelope) => LayerSeries::from_wire_all(&envelope)?,
        };
        Ok(layers.into_iter().map(|l| l.with_window(window)).collect())
    }

    /// Per slice, page views measured in browsers and their average latency.
    pub async fn client_series(
        self,
        app: &str,
        filter: &ClientFilter,
    ) -> Result<Series<LatencyPoint>, Error> {
        let segment = super::call::app_segment(app)?;
        let window = filter.scope().window;
        let answer = self
            .0
            .call("get_client_latency_series", Kind::Idempotent, |api| {
                series_body(
                    client_filtered!(api.get_client_latency_series().app(segment.clone()), filter)
                        .send_bytes(),
                    window,
                )
            })
            .await?;
        series(answer, window)
    }

    /// Page views over the window, their average and latest latency.
    pub async fn client_summary(
        self,
        app: &str,
        filter: &ClientFilter,
    ) -> Result<LatencySummary, Error> {
        let segment = super::call::app_segment(app)?;
        let envelope = self
            .0
            .call("get_client_latency_summary", Kind::Idempotent, |api| {
                client_filtered!(
                    api.get_client_latency_summary().app(segment.clone()),
                    filter
                )
                .send()
            })
            .await?;
        LatencySummary::from_wire(envelope.data)
    }
}
