"""tv report's fan-out as a good asyncio engineer writes it: one aiohttp session, a
connection pool, at most CONCURRENCY apps at a time, each app's six calls at once."""
import asyncio, json, sys
from urllib.parse import quote

import aiohttp
from yarl import URL

base, key, window, end, previous, concurrency = sys.argv[1:7]
concurrency = int(concurrency)


async def get(session, path, **query):
    # The same query, in the same order, as tv's.
    params = "&".join(f"{k}={v}" for k, v in [*query.items(), ("key", quote(key, safe=""))])
    async with session.get(URL(f"{base}/{path}?{params}", encoded=True)) as answer:
        answer.raise_for_status()
        body = await answer.json()
    if body.get("response") != "ok":
        raise RuntimeError(f"{path}: {body.get('response')}")
    return body["data"]


def columns(series, *names):
    fields = series["fields"].split(",")
    index = [fields.index(n) for n in names]
    return [[item[i] for i in index] for item in series["items"]]


def row(app, summary, before, series, rates, totals, layers):
    average, previous_average = summary.get("average"), before.get("average")
    change = None
    if average is not None and previous_average:
        change = (average - previous_average) / previous_average
    points = columns(series, "timestamp", "volume", "avg_latency")
    volumes = {t: v or 0 for t, v, _ in points}
    errors = volume = 0
    weighted = 0.0
    for t, rate in columns(rates, "timestamp", "error_rate"):
        if rate is None or t not in volumes:
            continue
        v = int(volumes[t])
        errors += round(rate * v)
        volume += v
        weighted += rate * v
    # By layer, `avg_latency` is the layer's total time in the slice (null: none).
    shares = {}
    for layer in layers:
        shares[layer["layer"]] = sum(
            total or 0 for (total,) in columns(layer["timeseries"], "avg_latency")
        )
    everything = sum(shares.values())
    top = max(shares, key=shares.get) if shares and everything > 0 else None
    rate_text = totals.get("reqs_per_time_period") or ""
    try:
        per_second = float(rate_text.split("/")[0])
    except ValueError:
        per_second = None
    return {
        "app": app,
        "volume": int(summary.get("count") or 0),
        "average_us": average,
        "latest_us": summary.get("latest"),
        "previous_average_us": previous_average,
        "change_fraction": change,
        "error_rate": min(max(weighted / volume, 0.0), 1.0) if volume else None,
        "errors_approx": errors,
        "requests_per_second": per_second,
        "top_layer": top,
        "top_layer_share": shares[top] / everything if top else None,
        "trend_us": [latency for _, _, latency in points],
    }


async def app_row(session, limit, app):
    name = quote(app, safe="")
    now = dict(time_end=end, time_window=window)
    async with limit:
        answers = await asyncio.gather(
            get(session, f"latency/{name}/server/summary", **now),
            get(session, f"latency/{name}/server/summary", time_end=previous, time_window=window),
            get(session, f"latency/{name}/server/series", **now),
            get(session, f"errors/{name}/rate", **now),
            get(session, f"total_requests/{name}/summary", **now),
            get(session, f"latency/{name}/server/by-layer", **now),
        )
    return row(app, *answers)


async def main():
    limit = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=6 * concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        apps = await get(session, "apps")
        rows = await asyncio.gather(*(app_row(session, limit, app) for app in apps))
    rows.sort(key=lambda r: (-r["volume"], r["app"]))
    sys.stdout.write(json.dumps({"apps": rows, "failed": [], "requests": 1 + 6 * len(apps)}))


asyncio.run(main())
