"""Every call of python-traceview 0.7.0, as its users write them, against BASE.

Run by `cargo xtask proxy-check` with BASE = Prism's validating proxy in front of the
sandbox, so each request and each answer is checked against the spec on the way. The
writes go the library's way: every parameter in the query string, an empty body.
Prints one JSON line per call ({"call", "ok", "error"}) and exits 1 if any failed.
"""

import json
import sys
import time

import traceview

base, key = sys.argv[1:3]
traceview.api.Api.AUTHORITY = base.rsplit("/api-v2", 1)[0]
tv = traceview.TraceView(key)
app = "web-shop"
day = dict(time_window="day", time_end="1704283200")

calls = [
    ("apps", lambda: tv.apps()),
    ("layers", lambda: tv.layers(app)),
    ("layers since_time", lambda: tv.layers(app, since_time=time.time() - 3600)),
    ("actions", lambda: tv.actions()),
    ("browsers", lambda: tv.browsers()),
    ("controllers", lambda: tv.controllers()),
    ("domains", lambda: tv.domains()),
    ("metrics", lambda: tv.metrics()),
    ("regions", lambda: tv.regions()),
    ("hosts", lambda: tv.hosts()),
    ("hosts of an app", lambda: tv.hosts(appname=app)),
    ("instrumentation", lambda: tv.instrumentation(tv.hosts()[0]["id"])),
    ("annotations", lambda: tv.annotations()),
    ("annotations of an app", lambda: tv.annotations(appname=app)),
    ("organization", lambda: tv.organization()),
    ("users", lambda: tv.users()),
    ("licenses", lambda: tv.licenses()),
    ("error_rates", lambda: tv.error_rates(app)),
    ("total_requests.series", lambda: tv.total_requests.series(app, **day)),
    ("total_requests.summary", lambda: tv.total_requests.summary(app, **day)),
    ("server.latency_series", lambda: tv.server.latency_series(app, **day)),
    ("server.latency_summary", lambda: tv.server.latency_summary(app, **day)),
    ("server.latency_by_layer", lambda: tv.server.latency_by_layer(app, **day)),
    ("client.latency_series", lambda: tv.client.latency_series(app, **day)),
    ("client.latency_summary", lambda: tv.client.latency_summary(app, **day)),
    ("annotation (query string)", lambda: tv.annotation("Code deployed", appname=app, username="dan")),
    ("annotation with time", lambda: tv.annotation("Deploy 2", hostname="web-1", time=1704280000)),
    ("assign with create", lambda: tv.assign(hostname="test.example.com", appname="TEST_APP_ABC123", create=True, layer="test")),
    ("assign to an existing app", lambda: tv.assign(hostname="web-app-1234", appname=app)),
    ("delete_app", lambda: tv.delete_app("TEST_APP_ABC123")),
    ("delete_host", lambda: tv.delete_host(tv.hosts()[-1]["id"])),
]

failed = 0
for name, call in calls:
    try:
        call()
        print(json.dumps({"call": name, "ok": True}))
    except Exception as error:  # any failure of the library or the proxy
        failed += 1
        print(json.dumps({"call": name, "ok": False, "error": str(error)[:300]}))
sys.exit(1 if failed else 0)
