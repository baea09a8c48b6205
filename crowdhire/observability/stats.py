"""Per-request counters in a contextvar, and the process's Prometheus metrics.

Any layer reports an external call with `observed_call("stripe")` (or `record_external_call`)
and a cache lookup with `record_cache_lookup`; both update the metrics and, inside a request,
that request's counters for its log line. No crowdhire imports here, so nothing is layered.
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from prometheus_client import Counter, Gauge, Histogram

EXTERNAL_TARGETS = ("mongodb", "memcached", "stripe", "jwks")
OTHER = "other"
MAX_OPERATION_LABELS = 100
MAX_ERROR_CODE_LABELS = 50

REQUEST_SECONDS = Histogram(
    "crowdhire_request_duration_seconds",
    "HTTP request latency (its _count is the request count) by GraphQL operation and outcome",
    ["operation", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
IN_FLIGHT = Gauge("crowdhire_requests_in_flight", "HTTP requests being served right now")
GRAPHQL_ERRORS = Counter("crowdhire_graphql_errors_total", "GraphQL errors by code", ["code"])
EXTERNAL_SECONDS = Histogram(
    "crowdhire_external_call_duration_seconds",
    "Calls to MongoDB, memcached, Stripe and the JWKS endpoint (count and latency) by target",
    ["target"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
EXTERNAL_ERRORS = Counter(
    "crowdhire_external_call_errors_total", "Failed external calls by target", ["target"]
)
RESPONSE_CACHE = Counter(
    "crowdhire_response_cache_total",
    "Queries the response cache answered (hit) or left to execution (miss)",
    ["result"],
)
RANKING_CACHE = Counter(
    "crowdhire_ranking_cache_total",
    "Rankings served from the ranking cache (hit) or computed (miss: none stored yet, or a tag"
    " or vector it was computed from has moved since)",
    ["result"],
)
CACHE_LOOKUPS = Counter("crowdhire_cache_lookups_total", "Object cache keys looked up", ["result"])
CACHE_HIT_RATIO = Gauge(
    "crowdhire_cache_hit_ratio", "Object cache hits / lookups since the process started"
)
SOCKETS_OPEN = Gauge("crowdhire_websockets_open", "GraphQL WebSocket connections open right now")
SOCKET_CLOSES = Counter(
    "crowdhire_websocket_closes_total",
    "WebSocket connections the server closed, by close code (4008 slow consumer, 4403 auth)",
    ["code"],
)
EVENT_SUBSCRIBERS = Gauge(
    "crowdhire_event_subscribers", "Subscriptions attached to this process's outbox stream"
)
EVENT_STREAM_REOPENS = Counter(
    "crowdhire_event_stream_reopens_total", "Times the outbox change stream was reopened"
)

for _target in EXTERNAL_TARGETS:  # series exist (at zero) before the first call
    EXTERNAL_SECONDS.labels(_target)
    EXTERNAL_ERRORS.labels(_target)
for _result in ("hit", "miss"):
    CACHE_LOOKUPS.labels(_result)


_lookups = Tally[str]()


def _hit_ratio() -> float:
    total = _lookups["hit"] + _lookups["miss"]
    return _lookups["hit"] / total if total else 0.0


CACHE_HIT_RATIO.set_function(_hit_ratio)


class LabelCap:
    """Admits at most `limit` distinct label values; later newcomers become "other"."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: set[str] = set()

    def __call__(self, value: str) -> str:
        """The value itself if admitted, else "other"."""
        if value in self._seen:
            return value
        if len(self._seen) >= self._limit:
            return OTHER
        self._seen.add(value)
        return value


operation_label = LabelCap(MAX_OPERATION_LABELS)
error_code_label = LabelCap(MAX_ERROR_CODE_LABELS)


@dataclass
class RequestStats:
    """What one request did, for its log line; lives in a contextvar for the request."""

    request_id: str
    operation: str | None = None
    calls: Tally[str] = field(default_factory=Tally)
    cache_hits: int = 0
    cache_misses: int = 0
    error_codes: list[str] = field(default_factory=list)
    viewer: str | None = None
    response_cache: str | None = None  # "hit" or "miss" when the response cache was consulted


_current: ContextVar[RequestStats | None] = ContextVar("crowdhire_request_stats", default=None)


def current_stats() -> RequestStats | None:
    """The counters of the request being served, if any."""
    return _current.get()


def start_request(request_id: str) -> tuple[RequestStats, object]:
    """Fresh counters for a request; pass the token to `end_request`."""
    stats = RequestStats(request_id=request_id)
    return stats, _current.set(stats)


def end_request(token: object) -> None:
    """Forget the request's counters."""
    _current.reset(token)  # type: ignore[arg-type]


def record_external_call(target: str, seconds: float, *, ok: bool = True) -> None:
    """One call to an external service: metrics, and the current request's count."""
    EXTERNAL_SECONDS.labels(target).observe(seconds)
    if not ok:
        EXTERNAL_ERRORS.labels(target).inc()
    stats = _current.get()
    if stats is not None:
        stats.calls[target] += 1


@contextmanager
def observed_call(target: str) -> Iterator[None]:
    """Time the enclosed call to `target` (works around `await` too); an exception is an error."""
    started = time.perf_counter()
    ok = False
    try:
        yield
        ok = True
    finally:
        record_external_call(target, time.perf_counter() - started, ok=ok)


def record_cache_lookup(hits: int, misses: int) -> None:
    """Keys found and not found in the object cache."""
    CACHE_LOOKUPS.labels("hit").inc(hits)
    CACHE_LOOKUPS.labels("miss").inc(misses)
    _lookups["hit"] += hits
    _lookups["miss"] += misses
    stats = _current.get()
    if stats is not None:
        stats.cache_hits += hits
        stats.cache_misses += misses
