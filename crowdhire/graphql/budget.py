"""The per-identity query cost budget: points per window, counted in memcached by all replicas.

memcached `incr` is atomic across replicas; a key that does not exist yet is created with `add`
(which also carries the TTL). Requests are charged against this process's ledger
(budget_ledger), which memcached reconciles in the background: a slow or absent memcached never
delays a request, nor switches the budget off.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import aiomcache

from crowdhire.cache import SafeMemcacheClient, cache_key, parse_memcached_url
from crowdhire.graphql.budget_ledger import Ledger
from crowdhire.observability.stats import observed_call
from crowdhire.settings import Settings

log = logging.getLogger("crowdhire.graphql.budget")


class Counters(Protocol):
    """Atomic counters with a TTL, shared by every replica."""

    async def incr(self, key: str, delta: int, ttl: int) -> int | None:
        """Add delta and return the new value; None when the store is unavailable."""

    async def decr(self, key: str, delta: int) -> None:
        """Subtract delta (refunds); never raises."""

    async def close(self) -> None:
        """Release connections."""


async def _incr(client: aiomcache.Client, key: bytes, delta: int) -> int | None:
    """memcached incr; None when the key does not exist (aiomcache raises for NOT_FOUND)."""
    try:
        value: int | None = await client.incr(key, delta)
    except aiomcache.exceptions.ClientException as error:
        if "NOT_FOUND" in str(error):
            return None
        raise
    return value


class MemcachedCounters:
    """Counters in memcached through aiomcache, with a timeout and a cool-down after failures."""

    def __init__(self, host: str, port: int, *, timeout: float, retry_seconds: float) -> None:
        self._address = (host, port)
        self._client = SafeMemcacheClient(host, port, pool_size=2)
        self._timeout = timeout
        self._retry_seconds = retry_seconds
        self._skip_until = 0.0
        self._down = False

    async def _run(self, operation: Callable[[aiomcache.Client], Awaitable[Any]]) -> Any:
        if self._skip_until and time.monotonic() < self._skip_until:
            raise ConnectionError("counters cooling down")
        try:
            with observed_call("memcached"):  # metrics and the request's log line
                async with asyncio.timeout(self._timeout):
                    result = await operation(self._client)
        except Exception as error:
            self._skip_until = time.monotonic() + self._retry_seconds
            if not self._down:
                self._down = True
                log.warning(
                    "budget counters not reachable (%s); charging each process's own ledger",
                    type(error).__name__,
                )
            # A cancelled call can leave a reply unread on its socket: start a fresh pool.
            stale, self._client = self._client, SafeMemcacheClient(*self._address, pool_size=2)
            task = asyncio.get_running_loop().create_task(_close_quietly(stale))
            _closing.add(task)
            task.add_done_callback(_closing.discard)
            raise ConnectionError("counters unavailable") from error
        if self._down:
            self._down = False
            log.warning("budget counters answer again; replicas share the budget again")
        self._skip_until = 0.0
        return result

    async def incr(self, key: str, delta: int, ttl: int) -> int | None:
        """Atomic add across replicas; None (fail open) when memcached does not answer."""
        raw = key.encode()

        async def add_or_create(client: aiomcache.Client) -> int:
            value = await _incr(client, raw, delta)
            if value is not None:
                return value
            if await client.add(raw, str(delta).encode(), exptime=ttl):
                return delta
            value = await _incr(client, raw, delta)  # another replica created it meanwhile
            return value if value is not None else delta

        try:
            result: int = await self._run(add_or_create)
        except ConnectionError:
            return None
        return result

    async def decr(self, key: str, delta: int) -> None:
        """Subtract delta; an outage is swallowed."""
        with contextlib.suppress(ConnectionError):
            await self._run(lambda client: _decr(client, key.encode(), delta))

    async def close(self) -> None:
        """Close the connection pool."""
        await _close_quietly(self._client)


async def _decr(client: aiomcache.Client, key: bytes, delta: int) -> None:
    with contextlib.suppress(aiomcache.exceptions.ClientException):  # gone: nothing to refund
        await client.decr(key, delta)


class MemoryCounters:
    """Counters in this process (no MEMCACHED_URL): per replica only."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[int, float]] = {}

    async def incr(self, key: str, delta: int, ttl: int) -> int | None:
        """Add delta; expired keys start again from zero."""
        now = time.monotonic()
        value, expires = self._values.get(key, (0, now + ttl))
        if expires <= now:
            value, expires = 0, now + ttl
        self._values[key] = (value + delta, expires)
        if len(self._values) > 10_000:
            self._values = {k: v for k, v in self._values.items() if v[1] > now}
        return value + delta

    async def decr(self, key: str, delta: int) -> None:
        """Subtract delta (never below zero)."""
        if key in self._values:
            value, expires = self._values[key]
            self._values[key] = (max(0, value - delta), expires)

    async def close(self) -> None:
        """Nothing to release."""


async def _close_quietly(client: aiomcache.Client) -> None:
    try:
        async with asyncio.timeout(1):
            await client.close()
    except Exception:
        log.debug("closing a stale counters client failed", exc_info=True)


_closing: set[asyncio.Task[None]] = set()


def build_counters(settings: Settings) -> Counters:
    """Budget counters: memcached when configured (shared by replicas), else in-process."""
    if settings.memcached_url:
        host, port = parse_memcached_url(settings.memcached_url)
        return MemcachedCounters(
            host,
            port,
            timeout=settings.cache_timeout_ms / 1000,
            retry_seconds=settings.cache_retry_seconds,
        )
    return MemoryCounters()


Clock = Callable[[], float]
"""Seconds since the epoch; injected so tests control budget windows."""


@dataclass(frozen=True)
class CostReport:
    """What one request cost and what is left: the `extensions.cost` of every response."""

    requested: int
    limit: int
    remaining: int | None
    reset_at: datetime
    retry_after: int = 0
    exhausted: bool = False
    ledger_key: str = ""  # where `remaining` can be read again later in the request

    def as_extension(self) -> dict[str, Any]:
        """The JSON form clients see."""
        return {
            "requested": self.requested,
            "limit": self.limit,
            "remaining": self.remaining,
            "resetAt": self.reset_at.isoformat().replace("+00:00", "Z"),
        }


class Budget:
    """Fixed windows of `points` per identity; a request that does not fit is refused, uncharged."""

    def __init__(
        self,
        counters: Counters,
        *,
        points: int,
        window_seconds: int,
        namespace: str,
        clock: Clock = time.time,
        unconfirmed_share: float = 0.5,
    ) -> None:
        self.counters = counters
        self.points = points
        self.window_seconds = window_seconds
        self.namespace = namespace
        self.clock = clock
        self.ledger = Ledger(counters, points=points, unconfirmed_share=unconfirmed_share)

    def _key(self, identity: str, window: int) -> str:
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        return cache_key("budget", f"{self.namespace}:{digest}:{window}")

    async def charge(self, identity: str, cost: int) -> CostReport:
        """Spend `cost` points of this identity's window; exhausted when they do not fit."""
        now = self.clock()
        window = int(now // self.window_seconds)
        reset = (window + 1) * self.window_seconds
        reset_at = datetime.fromtimestamp(reset, UTC)
        key = self._key(identity, window)
        decision = self.ledger.charge(key, window, cost, self.window_seconds + 5)
        remaining = max(0, self.points - decision.used)
        if decision.refused:
            # over the unconfirmed share: free again as soon as memcached confirms the totals
            wait = 1 if decision.unconfirmed_limit else max(1, math.ceil(reset - now))
            return CostReport(cost, self.points, remaining, reset_at, wait, True, key)
        return CostReport(cost, self.points, remaining, reset_at, ledger_key=key)

    def refreshed(self, report: CostReport) -> CostReport:
        """The report with `remaining` as known now (background syncs may have landed)."""
        if report.exhausted or not report.ledger_key:
            return report
        remaining = max(0, self.points - self.ledger.used(report.ledger_key))
        return CostReport(report.requested, report.limit, remaining, report.reset_at,
                          ledger_key=report.ledger_key)  # fmt: skip

    async def close(self) -> None:
        """Stop the background syncs."""
        await self.ledger.close()


def build_budget(settings: Settings, counters: Counters, clock: Clock = time.time) -> Budget:
    """The budget the settings describe; replicas of one deployment share its counters."""
    return Budget(
        counters,
        points=settings.cost_budget_points,
        window_seconds=settings.cost_budget_window_seconds,
        namespace=settings.mongodb_db,
        clock=clock,
        unconfirmed_share=settings.cost_budget_unconfirmed_share,
    )
