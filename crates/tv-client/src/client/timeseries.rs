//! Error rates, total requests and latency: the timeseries endpoints.

use serde::de::DeserializeOwned;
use tv_api::filters::TimeseriesRequest;

use super::TraceView;
use super::call::{Kind, decode_error};
use crate::decode::SeriesAnswer;
use crate::error::Error;
use crate::filter::{ClientFilter, Filter, RequestsFilter, ServerFilter};
use crate::model::{LatencySummary, RequestsSummary};
use crate::points::{ErrorRatePoint, LatencyPoint, Point, RequestsPoint};
use crate::series::{LayerSeries, Series};
use crate::window::TimeWindow;

/// A generated request builder of a timeseries endpoint with all of `filter` applied:
/// the window, its end and the family's filters (the builder's family is its filter's,
/// so a filter an endpoint does not take cannot be passed).
fn filtered<R: TimeseriesRequest>(request: R, filter: &Filter<R::Params>) -> R {
    let scope = filter.scope();
    let mut request = request.with_window(scope.window);
    if let Some(end) = scope.end_param() {
        request = request.with_end(end);
    }
    request.with_filters(filter.params())
}

/// The error of a body that is not the envelope `W`, as the client reports it for a
/// `200` (for [`Series::from_body`] and [`LayerSeries::from_body`], which have no key to hide).
pub(crate) fn body_error<W: DeserializeOwned>(body: &[u8], error: &serde_json::Error) -> Error {
    decode_error::<W>(body, error, "")
}

/// A series answer (the generated envelope), typed, over `window`.
fn series<P: Point + SeriesAnswer>(
    envelope: &P::Envelope,
    window: TimeWindow,
) -> Result<Series<P>, Error> {
    Ok(Series::from_wire(envelope)?.with_window(window))
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
        let envelope = self
            .0
            .call("get_error_rate", Kind::Idempotent, |api| {
                filtered(api.get_error_rate().app(segment.clone()), filter).send()
            })
            .await?;
        series(&envelope, window)
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
        let envelope = self
            .0
            .call("get_total_requests_series", Kind::Idempotent, |api| {
                filtered(api.get_total_requests_series().app(segment.clone()), filter).send()
            })
            .await?;
        series(&envelope, window)
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
                filtered(
                    api.get_total_requests_summary().app(segment.clone()),
                    filter,
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
        let envelope = self
            .0
            .call("get_server_latency_series", Kind::Idempotent, |api| {
                filtered(api.get_server_latency_series().app(segment.clone()), filter).send()
            })
            .await?;
        series(&envelope, window)
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
                filtered(
                    api.get_server_latency_summary().app(segment.clone()),
                    filter,
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
        let envelope = self
            .0
            .call("get_server_latency_by_layer", Kind::Idempotent, |api| {
                filtered(
                    api.get_server_latency_by_layer().app(segment.clone()),
                    filter,
                )
                .send()
            })
            .await?;
        let layers = LayerSeries::from_wire_all(&envelope)?;
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
        let envelope = self
            .0
            .call("get_client_latency_series", Kind::Idempotent, |api| {
                filtered(api.get_client_latency_series().app(segment.clone()), filter).send()
            })
            .await?;
        series(&envelope, window)
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
                filtered(
                    api.get_client_latency_summary().app(segment.clone()),
                    filter,
                )
                .send()
            })
            .await?;
        LatencySummary::from_wire(envelope.data)
    }
}
