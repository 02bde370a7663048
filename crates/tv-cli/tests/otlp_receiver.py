"""An OTLP/HTTP receiver that is not ours: decodes every POST to /v1/metrics and
/v1/logs with the official `opentelemetry-proto` package from PyPI and prints one JSON
line per request on stdout (the first line is the port it listens on).

Run by tests/otlp.rs (`cargo xtask integration`); needs `pip install opentelemetry-proto`.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2

MAX_BODY = 64 << 20


def attributes(items):
    return {kv.key: kv.value.string_value for kv in items}


def metric_points(body):
    request = metrics_service_pb2.ExportMetricsServiceRequest()
    request.ParseFromString(body)
    points = []
    for resource in request.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.gauge.data_points:
                    points.append(
                        [
                            metric.name,
                            metric.unit,
                            attributes(point.attributes).get("app"),
                            point.time_unix_nano,
                            # As text: a JSON number may not parse back to the same double.
                            repr(point.as_double),
                        ]
                    )
    return points


def log_records(body):
    request = logs_service_pb2.ExportLogsServiceRequest()
    request.ParseFromString(body)
    records = []
    for resource in request.resource_logs:
        for scope in resource.scope_logs:
            for record in scope.log_records:
                records.append([attributes(record.attributes), record.time_unix_nano])
    return records


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length)
        if self.headers.get("content-type") != "application/x-protobuf":
            self.send_error(415)
            return
        if self.path == "/v1/metrics":
            line = {"path": self.path, "points": metric_points(body)}
        elif self.path == "/v1/logs":
            line = {"path": self.path, "records": log_records(body)}
        else:
            self.send_error(404)
            return
        print(json.dumps(line), flush=True)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    server = HTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
