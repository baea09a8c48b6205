"""GraphQL over HTTP's two response media types, and the status codes that go with each.

`application/json` keeps the legacy behaviour the spec allows: a well-formed request that fails to
parse, validate or coerce its variables answers 200 with `"data": null`. A client that accepts
`application/graphql-response+json` gets the spec's statuses instead: such *request errors* answer
400 without a `data` entry, while execution errors (whose errors carry a `path`) stay 200.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def accepted_qualities(accept: str) -> dict[str, float]:
    """Media range → quality from an Accept header (the highest when a range repeats)."""
    qualities: dict[str, float] = {}
    for item in accept.split(","):
        media_range, *parameters = item.split(";")
        media_range = media_range.strip().lower()
        if media_range:
            qualities[media_range] = max(qualities.get(media_range, 0.0), _quality(parameters))
    return qualities


def wants_graphql_response_json(accept: str | None) -> bool:
    """Whether to answer `application/graphql-response+json`: accepted at least as much as JSON.

    No Accept header, `*/*` or `application/json` alone keep `application/json`, so older
    clients see no change.
    """
    if not accept:
        return False
    qualities = accepted_qualities(accept)
    preferred = qualities.get(GRAPHQL_RESPONSE_JSON, 0.0)
    json = qualities.get(JSON, qualities.get("application/*", qualities.get("*/*", 0.0)))
    return preferred > 0 and preferred >= json


def is_request_error(body: dict[str, Any]) -> bool:
    """True when execution never started: `data` is null and no error has a field path."""
    errors = body.get("errors")
    if body.get("data") is not None or not isinstance(errors, list) or not errors:
        return False
    return all(isinstance(error, dict) and not error.get("path") for error in errors)


def negotiate(request: Request, response: Response) -> Response:
    """Turn a finished JSON GraphQL response into `application/graphql-response+json` if asked."""
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    if media_type != JSON or not wants_graphql_response_json(request.headers.get("accept")):
        return response
    body = orjson.loads(bytes(response.body))
    if isinstance(body, dict):
        if response.status_code == 200 and is_request_error(body):
            response.status_code = 400
        if response.status_code >= 400 and body.get("data") is None:
            body.pop("data", None)  # no data entry: the request was not executed
            response.body = orjson.dumps(body)
            response.headers["content-length"] = str(len(response.body))
    response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    return response
