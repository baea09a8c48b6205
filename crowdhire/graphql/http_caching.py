"""HTTP caching headers for GraphQL answers, so browsers, nginx and CDNs may keep public ones.

Only an anonymous GET (a persisted query: GET runs nothing else) that answered 200 without errors
is public: anonymous viewers see only public data (the job board), the same for everyone. Such an
answer carries no per-identity data: its `extensions.cost` is removed and no `X-RateLimit-*`
header is sent, so a shared cache can never hand one caller's budget to another. Everything else
is `private, no-store` and carries the caller's budget in `X-RateLimit-*` headers; every answer
says `Vary: Authorization, Accept`: the same URL answers differently per token and media type.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from crowdhire.settings import Settings

PRIVATE = "private, no-store"


def public_cache_control(settings: Settings) -> str:
    """`Cache-Control` of a public answer."""
    return (
        f"public, max-age={settings.public_cache_max_age_seconds}, "
        f"stale-while-revalidate={settings.public_cache_stale_seconds}"
    )


def rate_limit_headers(cost: dict[str, Any]) -> dict[str, str]:
    """`X-RateLimit-*` from the budget report (`Reset`: Unix time the window ends)."""
    headers = {"X-RateLimit-Limit": str(cost.get("limit", ""))}
    if cost.get("remaining") is not None:
        headers["X-RateLimit-Remaining"] = str(cost["remaining"])
    reset_at = cost.get("resetAt")
    if isinstance(reset_at, str):
        reset = datetime.fromisoformat(reset_at.replace("Z", "+00:00"))
        headers["X-RateLimit-Reset"] = str(int(reset.timestamp()))
    return headers


def entity_tag(body: bytes) -> str:
    """A strong ETag of the exact bytes served."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in candidates or "*" in candidates


def _is_public(request: Request, response: Response, body: dict[str, Any]) -> bool:
    anonymous = "authorization" not in request.headers
    answered = response.status_code == 200 and not body.get("errors") and "data" in body
    return request.method == "GET" and anonymous and answered


def apply_http_caching(
    request: Request, response: Response, settings: Settings, answer: object = None
) -> Response:
    """Cache headers, rate-limit headers and conditional GETs for one finished GraphQL answer.

    `answer` is the dict the body was encoded from, when the view still has it: parsing a
    200 KB page back only to read its `errors` and `extensions.cost` took 2 % of its time.
    """
    if "json" not in response.headers.get("content-type", ""):
        return response
    response.headers.append("Vary", "Authorization, Accept")
    body: object = answer
    if body is None:
        try:
            body = orjson.loads(bytes(response.body))
        except orjson.JSONDecodeError:
            body = None
    if not isinstance(body, dict):
        response.headers["Cache-Control"] = PRIVATE
        return response
    extensions = body.get("extensions")
    cost = extensions.get("cost") if isinstance(extensions, dict) else None
    if not _is_public(request, response, body):
        response.headers["Cache-Control"] = PRIVATE
        if isinstance(cost, dict):
            response.headers.update(rate_limit_headers(cost))
        return response
    if isinstance(extensions, dict):
        extensions.pop("cost", None)
        if not extensions:
            body.pop("extensions")
        response.body = orjson.dumps(body)
    etag = entity_tag(bytes(response.body))
    headers = {"Cache-Control": public_cache_control(settings), "ETag": etag}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={**headers, "Vary": "Authorization, Accept"})
    response.headers["content-length"] = str(len(response.body))
    response.headers.update(headers)
    return response
