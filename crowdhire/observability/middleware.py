"""The request middleware: request id, in-flight gauge, latency metrics, one JSON log line.

A pure ASGI middleware (no BaseHTTPMiddleware: it would buffer and re-task the request), put
outermost so that rejections by later middleware (auth, limits) are timed and logged too.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crowdhire.observability.logs import ACCESS_LOGGER
from crowdhire.observability.stats import (
    EXTERNAL_TARGETS,
    GRAPHQL_ERRORS,
    IN_FLIGHT,
    REQUEST_SECONDS,
    RESPONSE_CACHE,
    RequestStats,
    end_request,
    error_code_label,
    start_request,
)

log = logging.getLogger(ACCESS_LOGGER)

REQUEST_ID_HEADER = "x-request-id"
# An incoming id is kept only if it is short and plain, so it cannot forge log structure.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_PLAIN_PATHS = {"/healthz", "/readyz", "/metrics"}
_SECRET_PATH_PREFIX = "/consent/"


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            candidate: str = value.decode("latin-1")
            if _VALID_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def loggable_path(path: str) -> str:
    """The path as logged: a consent link's token is a credential and never reaches a log."""
    if path.startswith(_SECRET_PATH_PREFIX):
        return f"{_SECRET_PATH_PREFIX}…"
    return path[:200]


def _outcome(status: int, stats: RequestStats) -> str:
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "client_error"
    return "error" if stats.error_codes else "ok"


def _operation(path: str, stats: RequestStats) -> str:
    if stats.operation is not None:
        return stats.operation
    if path == "/graphql":
        return "not_executed"  # refused before the schema saw it (auth, limits, bad HTTP)
    return path if path in _PLAIN_PATHS else "other"


class ObservabilityMiddleware:
    """Times, counts and logs every HTTP request, and returns its X-Request-ID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request inside its own counters."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        stats, token = start_request(request_id)
        status = 500  # unless a response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        IN_FLIGHT.inc()
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            status = 500
            raise
        finally:
            IN_FLIGHT.dec()
            _finish(scope, stats, status, time.perf_counter() - started)
            end_request(token)


def _finish(scope: Scope, stats: RequestStats, status: int, seconds: float) -> None:
    operation = _operation(scope.get("path", ""), stats)
    outcome = _outcome(status, stats)
    REQUEST_SECONDS.labels(operation, outcome).observe(seconds)
    for code in stats.error_codes:
        GRAPHQL_ERRORS.labels(error_code_label(code)).inc()
    if stats.response_cache is not None:
        RESPONSE_CACHE.labels(stats.response_cache).inc()
    calls = {target: stats.calls.get(target, 0) for target in EXTERNAL_TARGETS}
    calls.update(stats.calls)
    fields: dict[str, Any] = {
        "request_id": stats.request_id,
        "method": scope.get("method"),
        "path": loggable_path(str(scope.get("path", ""))),
        "operation": operation,
        "status": status,
        "outcome": outcome,
        "duration_ms": round(seconds * 1000, 2),
        "calls": calls,
        "cache": {"hits": stats.cache_hits, "misses": stats.cache_misses},
        "response_cache": stats.response_cache,
        "error_codes": stats.error_codes,
        "viewer": stats.viewer,
    }
    log.info(
        "%s %s %s %s %.1fms",
        scope.get("method"),
        fields["path"],
        operation,
        status,
        seconds * 1000,
        extra={"fields": fields},
    )


async def metrics(_: Request) -> Response:
    """Prometheus exposition of this process's metrics."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
