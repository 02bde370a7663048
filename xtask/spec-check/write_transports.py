"""Schemathesis check for the two writes, `assign_app` and `log_message`.

Their parameters travel in a form body or in the query string, and when both carry a
name the body's value wins (openapi/traceview-v2.yaml, the operations' descriptions).
OpenAPI 3.0 cannot say "required in one transport or the other", so the spec declares
the body and every query parameter optional, and Schemathesis' own
positive_data_acceptance / negative_data_rejection would judge each transport alone.
This check replaces those two for these operations only (schemathesis.toml disables
them there) and is stricter: it rebuilds the parameters exactly as the server reads
them from the request that was sent (body over query, first occurrence wins, an empty
or whitespace-only string is absent, an empty `time` is not), validates them against the operation's form
schema from the spec, and then requires

- 403 exactly when the key the server reads (the body's, else the query's) is not the
  sandbox's (`TV_FUZZ_API_KEY`): the key is checked before anything else;
- a valid request: 200, or 404 (an `appname` that does not exist), or for `assign_app` the two cross-field rules the spec states
  in prose: 400 naming `appname` for `Default`, 400 naming `layer` when `layer` is
  absent (creating an app, or an app without layers);
- an invalid request: 400 whose message names one of the invalid parameters.
"""

import json
import os
import math
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import jsonschema_rs
import schemathesis
import yaml

# The operations, their form schema in the spec and their required parameters.
WRITES = {
    "assign_app": "AssignAppForm",
    "log_message": "LogMessageForm",
}

FORM = "application/x-www-form-urlencoded"

# Parameters with a type other than a free string: present means present, even empty.
TYPED = {"time"}

# Rust's `char::is_whitespace` (Unicode White_Space), which the server trims with.
WHITESPACE = "\t\n\u000b\f\r \u0085\u00a0\u1680" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
) + "\u2028\u2029\u202f\u205f\u3000"

# What Rust's `f64::from_str` accepts (the server's number parser).
RUST_FLOAT = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)", re.IGNORECASE
)

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "traceview-v2.yaml"
_COMPONENTS = yaml.safe_load(SPEC.read_text(encoding="utf-8"))["components"]
_VALIDATORS = {
    operation: jsonschema_rs.Draft4Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": _COMPONENTS}
    )
    for operation, schema in WRITES.items()
}


def _pairs(text):
    return parse_qsl(text, keep_blank_values=True, errors="replace")


def _as_sent(request):
    """The parameters the server reads: body first, then query; first occurrence wins."""
    query = _pairs(urlsplit(request.url).query)
    body = request.body or b""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    merged = {}
    for name, value in _pairs(body) + query:
        merged.setdefault(name, value)
    key = merged.pop("key", None)
    # An empty or whitespace-only name counts as absent; a time must parse when present.
    kept = {k: v for k, v in merged.items() if k in TYPED or v.strip(WHITESPACE)}
    return kept, key


def _typed(operation, params):
    """Form values as the schema types them (`time` is a number)."""
    typed = dict(params)
    if operation == "log_message" and "time" in typed:
        text = typed["time"].strip(WHITESPACE)
        if RUST_FLOAT.fullmatch(text):
            number = float(text)
            typed["time"] = number if math.isfinite(number) else text
    return typed


def _invalid_names(operation, params):
    errors = list(_VALIDATORS[operation].iter_errors(_typed(operation, params)))
    names = set()
    for error in errors:
        path = list(error.instance_path)
        if path:
            names.add(str(path[0]))
        else:
            # A missing required property: the message names it.
            names.update(n for n in re.findall(r'"(\w+)"', error.message))
    return names


def _message(response):
    try:
        return str(json.loads(response.content).get("data", ""))
    except (ValueError, AttributeError):
        return response.text


@schemathesis.check
def write_transports(ctx, response, case):
    operation = case.operation.definition.raw.get("operationId")
    if operation not in WRITES or response.request.method != "POST":
        # Other methods are the `unsupported_method` check's (405).
        return None
    status = response.status_code
    message = _message(response)
    request = response.request
    content_type = request.headers.get("Content-Type", FORM).split(";")[0].strip().lower()
    if request.body and content_type != FORM:
        # A body must be a form (no content type counts as one): 400 before anything.
        if status != 400:
            raise AssertionError(f"a {content_type} body should be a 400; got {status} {message!r}")
        return True
    params, key = _as_sent(request)
    invalid = _invalid_names(operation, params)
    shown = f"{status} {message!r} for parameters {params!r}"
    if key != os.environ["TV_FUZZ_API_KEY"]:
        # The key is checked before anything else (the body's wins over the query's).
        if status != 403:
            raise AssertionError(f"a request without the right key should be a 403; got {shown}")
        return True
    if invalid:
        named = any(re.match(rf"{re.escape(n)}\b", message) for n in invalid)
        if status != 400 or not named:
            raise AssertionError(
                f"invalid parameters {sorted(invalid)} should be refused with 400 naming one of them; got {shown}"
            )
        return True
    if status in (200, 404):
        return True
    if operation == "assign_app" and status == 400:
        if params.get("appname") == "Default" and message.startswith("appname"):
            return True
        if "layer" not in params and message.startswith("layer is required"):
            return True
    raise AssertionError(f"valid parameters should be accepted; got {shown}")
