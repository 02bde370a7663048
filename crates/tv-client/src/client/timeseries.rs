//! Error rates, total requests and latency: the timeseries endpoints.

use super::TraceView;
use super::call::Kind;
use crate::error::Error;
use crate::filter::{ClientFilter, RequestsFilter, ServerFilter};
use crate::model::{LatencySummary, RequestsSummary};
use crate::points::{ErrorRatePoint, LatencyPoint, RequestsPoint};
use crate::series::{LayerSeries, Series};
use crate::window::TimeWindow;

fn wire_window(window: TimeWindow) -> tv_api::types::TimeWindow {
    match window {
        TimeWindow::Hour => tv_api::types::TimeWindow::Hour,
        TimeWindow::Day => tv_api::types::TimeWindow::Day,
        TimeWindow::Week => tv_api::types::TimeWindow::Week,
    }
}

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
                let mut request = $d request.time_window(wire_window(scope.window));
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

/// Decodes a series answer's header and rows (the spec fixes both per operation; the
/// decoder still locates columns by name and checks every cell).
fn series<P: crate::points::Point, R: AsRef<[Option<f64>]>>(
    fields: impl std::fmt::Display,
    items: &[R],
    window: TimeWindow,
) -> Result<Series<P>, Error> {
    Ok(Series::decode_at("data", &fields.to_string(), items)?.with_window(window))
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
        let envelope = self
            .0
            .call("get_error_rate", Kind::Idempotent, |api| {
                server_filtered!(api.get_error_rate().app(app), filter).send()
            })
            .await?;
        series(
            envelope.data.fields,
            &envelope.data.items,
            filter.scope().window,
        )
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
        let envelope = self
            .0
            .call("get_total_requests_series", Kind::Idempotent, |api| {
                scoped!(api.get_total_requests_series().app(app), filter.scope()).send()
            })
            .await?;
        series(
            envelope.data.fields,
            &envelope.data.items,
            filter.scope().window,
        )
    }

    /// All requests over the window and the server's average rate.
    pub async fn summary(
        self,
        app: &str,
        filter: &RequestsFilter,
    ) -> Result<RequestsSummary, Error> {
        let envelope = self
            .0
            .call("get_total_requests_summary", Kind::Idempotent, |api| {
                scoped!(api.get_total_requests_summary().app(app), filter.scope()).send()
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
        let envelope = self
            .0
            .call("get_server_latency_series", Kind::Idempotent, |api| {
                server_filtered!(api.get_server_latency_series().app(app), filter).send()
            })
            .await?;
        series(
            envelope.data.fields,
            &envelope.data.items,
            filter.scope().window,
        )
    }

    /// Server-side traces over the window, their average and latest latency.
    pub async fn server_summary(
        self,
        app: &str,
        filter: &ServerFilter,
    ) -> Result<LatencySummary, Error> {
        let envelope = self
            .0
            .call("get_server_latency_summary", Kind::Idempotent, |api| {
                server_filtered!(api.get_server_latency_summary().app(app), filter).send()
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
        let envelope = self
            .0
            .call("get_server_latency_by_layer", Kind::Idempotent, |api| {
                server_filtered!(api.get_server_latency_by_layer().app(app), filter).send()
            })
            .await?;
        let window = filter.scope().window;
        let header = tv_api::types::LatencySeriesFields::TimestampVolumeAvgLatency.to_string();
        let layers = LayerSeries::decode_all(envelope.data.iter().map(|l| {
            let tv_api::types::LatencySeriesFields::TimestampVolumeAvgLatency = l.timeseries.fields;
            (
                l.layer.as_str(),
                header.as_str(),
                l.timeseries.items.as_slice(),
            )
        }))?;
        Ok(layers.into_iter().map(|l| l.with_window(window)).collect())
    }

    /// Per slice, page views measured in browsers and their average latency.
    pub async fn client_series(
        self,
        app: &str,
        filter: &ClientFilter,
    ) -> Result<Series<LatencyPoint>, Error> {
        let envelope = self
            .0
            .call("get_client_latency_series", Kind::Idempotent, |api| {
                client_filtered!(api.get_client_latency_series().app(app), filter).send()
            })
            .await?;
        series(
            envelope.data.fields,
            &envelope.data.items,
            filter.scope().window,
        )
    }

    /// Page views over the window, their average and latest latency.
    pub async fn client_summary(
        self,
        app: &str,
        filter: &ClientFilter,
    ) -> Result<LatencySummary, Error> {
        let envelope = self
            .0
            .call("get_client_latency_summary", Kind::Idempotent, |api| {
                client_filtered!(api.get_client_latency_summary().app(app), filter).send()
            })
            .await?;
        LatencySummary::from_wire(envelope.data)
    }
}
