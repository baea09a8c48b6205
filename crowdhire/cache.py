"""The object cache: memcached through aiocache/aiomcache, failing open to MongoDB.

Values are bytes (JSON the loaders wrote). Every operation gives up after a short timeout;
after a failure memcached is skipped for `cache_retry_seconds`, the connection pool is
replaced (a cancelled aiomcache call can leave a reply unread on its socket), and the
failure is logged once until the cache answers again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import aiomcache
from aiocache import SimpleMemoryCache
from aiocache.backends.memcached import MemcachedCache
from aiocache.serializers import BaseSerializer

from crowdhire.observability.stats import observed_call, record_cache_lookup
from crowdhire.settings import Settings

log = logging.getLogger("crowdhire.cache")

KEY_PREFIX = "crowdhire:v1"
MAX_KEY_LENGTH = 250
# A multi-get's reply is parsed in Python; allow one timeout's worth of time per this many keys.
KEYS_PER_ROUND_TRIP = 50
# Keys are stored under "<database>:" (≤ 64 bytes, MongoDB's limit), so deployments or test
# databases sharing one memcached never read each other's objects; the rest must fit the remainder.
MAX_UNPREFIXED_KEY_LENGTH = MAX_KEY_LENGTH - 65


def key_namespace(settings: Settings) -> str:
    """The per-database prefix every key is stored under."""
    return f"{settings.mongodb_db}:"


def cache_key(kind: str, key: str) -> str:
    """A versioned memcached key, hashed when it would pass memcached's 250-byte limit."""
    raw = f"{KEY_PREFIX}:{kind}:{key}"
    if len(raw) <= MAX_UNPREFIXED_KEY_LENGTH and raw.isascii() and " " not in raw:
        return raw
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"{KEY_PREFIX}:{kind}:h:{digest}"


@dataclass
class CacheStats:
    """Operation counters, for benchmarks, logs and metrics."""

    gets: int = 0
    hits: int = 0
    misses: int = 0
    sets: int = 0
    deletes: int = 0
    errors: int = 0


class ObjectCache(Protocol):
    """What loaders and write paths need from a cache."""

    stats: CacheStats
    stores: bool
    """False when values given to it are dropped: callers need not encode them."""

    async def get_many(self, keys: Sequence[str], *, tally: bool = True) -> list[bytes | None]:
        """Values in key order; None for a miss or when the cache is unavailable.

        `tally=False` keeps the lookups out of the object-cache hit/miss counts (metrics,
        request log, stats): for the response cache's entries and generation tokens.
        """

    async def set_many(self, items: Mapping[str, bytes], ttl: int | None = None) -> bool:
        """Store values with `ttl` (default: the configured TTL); False if they may not be
        stored (never raises)."""

    async def delete_many(self, keys: Sequence[str]) -> None:
        """Forget keys; never raises."""

    async def add(self, key: str, value: bytes, ttl: int | None = None) -> bool:
        """Store only if the key is absent (atomic); False if present or unavailable."""

    async def close(self) -> None:
        """Release connections."""

    async def ping(self) -> bool:
        """True when the cache answers right now (readiness)."""


@runtime_checkable
class CountingCache(Protocol):
    """A cache with atomic counters."""

    async def incr(self, key: str) -> int | None:
        """Add one atomically and return the new value (a missing key starts at 1); None when
        the cache cannot count."""


class SafeMemcacheClient(aiomcache.Client):
    """aiomcache's client, minus a busy loop: when memcached closes a connection mid-reply,
    aiomcache's simple commands (set, delete, incr, add…) spin on `readline() == b""` forever
    without yielding, so no timeout can fire. This version raises instead."""

    async def _execute_simple_command(self, conn: Any, raw_command: bytes) -> bytes:
        response, line = bytearray(), b""
        conn.writer.write(raw_command)
        await conn.writer.drain()
        while not line.endswith(b"\r\n"):
            line = await conn.reader.readline()
            if not line:
                raise ConnectionResetError("memcached closed the connection")
            response.extend(line)
        return bytes(response[:-2])


class _SafeMemcachedCache(MemcachedCache):  # type: ignore[misc]  # aiocache is untyped
    """aiocache's memcached backend on the EOF-safe client."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = SafeMemcacheClient(self.endpoint, self.port, pool_size=self.pool_size)


class _BytesSerializer(BaseSerializer):  # type: ignore[misc]  # aiocache is untyped
    DEFAULT_ENCODING = None

    def dumps(self, value: bytes) -> bytes:
        return value

    def loads(self, value: bytes | None) -> bytes | None:
        return value


class NullCache:
    """The cache switched off: every get misses, writes do nothing."""

    stores = False

    def __init__(self) -> None:
        self.stats = CacheStats()

    async def get_many(self, keys: Sequence[str], *, tally: bool = True) -> list[bytes | None]:
        """Always misses."""
        if tally:
            self.stats.misses += len(keys)
        return [None] * len(keys)

    async def set_many(self, items: Mapping[str, bytes], ttl: int | None = None) -> bool:
        """Stores nothing, so nothing can go stale: True."""
        return True

    async def delete_many(self, keys: Sequence[str]) -> None:
        """Does nothing."""

    async def add(self, key: str, value: bytes, ttl: int | None = None) -> bool:
        """Stores nothing: False."""
        return False

    async def incr(self, key: str) -> int | None:
        """Counts nothing."""
        return None

    async def close(self) -> None:
        """Does nothing."""

    async def ping(self) -> bool:
        """Nothing to reach."""
        return True


class FailOpenCache:
    """An aiocache backend behind short timeouts, a cool-down and one log line per outage."""

    stores = True

    def __init__(
        self,
        backend_factory: Any,
        *,
        ttl: int,
        timeout: float,
        retry_seconds: float,
        name: str,
        parallelism: int = 1,
    ) -> None:
        self._factory = backend_factory
        self._parallelism = max(1, parallelism)
        self._backend: Any = backend_factory()
        self._ttl = ttl
        self._timeout = timeout
        self._retry_seconds = retry_seconds
        self._skip_until = 0.0
        self._down = False
        self._name = name
        self.stats = CacheStats()

    async def _call(self, operation: str, *args: Any, timeouts: int = 1, **kwargs: Any) -> Any:
        if self._skip_until and time.monotonic() < self._skip_until:
            raise ConnectionError("cache cooling down")
        # Big batches get several timeouts' worth (see get_many/set_many); one key gets one.
        timeout = self._timeout * max(1, timeouts)
        try:
            with observed_call(self._name):  # metrics and the request's log line
                async with asyncio.timeout(timeout):
                    result = await getattr(self._backend, operation)(*args, **kwargs)
        except asyncio.CancelledError:
            self._replace_backend()  # a reply may still be in flight on that socket
            raise
        except Exception as error:
            if operation == "add" and isinstance(error, ValueError):
                return False  # aiocache's answer to an `add` of a key that exists
            self._fail(error, operation, timeout)
            raise ConnectionError("cache unavailable") from error
        if self._down:
            self._down = False
            log.warning("cache %s answers again; caching resumed", self._name)
        self._skip_until = 0.0
        return result

    def _fail(self, error: BaseException, operation: str, timeout: float) -> None:
        self.stats.errors += 1
        self._skip_until = time.monotonic() + self._retry_seconds
        if not self._down:
            self._down = True
            log.warning(
                "cache %s unavailable (%s in %s, limit %.0f ms); serving from MongoDB",
                self._name,
                type(error).__name__,
                operation,
                timeout * 1000,
            )
        self._replace_backend()

    def _replace_backend(self) -> None:
        stale, self._backend = self._backend, self._factory()
        task = asyncio.get_running_loop().create_task(_close_quietly(stale))
        _background.add(task)
        task.add_done_callback(_background.discard)

    async def get_many(self, keys: Sequence[str], *, tally: bool = True) -> list[bytes | None]:
        """Values in key order; misses (and outages) are None."""
        if not keys:
            return []
        self.stats.gets += 1
        try:
            values: list[bytes | None] = await self._call(
                "multi_get", list(keys), timeouts=-(-len(keys) // KEYS_PER_ROUND_TRIP)
            )
        except ConnectionError:
            values = [None] * len(keys)
        if not tally:
            return values
        hits = sum(value is not None for value in values)
        record_cache_lookup(hits, len(keys) - hits)
        self.stats.hits += hits
        self.stats.misses += len(keys) - hits
        return values

    async def set_many(self, items: Mapping[str, bytes], ttl: int | None = None) -> bool:
        """Store values with `ttl` (default: the configured TTL); False after an outage."""
        if not items:
            return True
        self.stats.sets += 1
        pairs = list(items.items())
        # memcached has no multi-set: the sets share the pool's connections.
        # Write-backs also queue behind other requests' sets for a pool connection, so they
        # get at least four timeouts, and one more per round of parallel sets.
        rounds = -(-len(pairs) // self._parallelism)
        try:
            await self._call("multi_set", pairs, ttl=ttl or self._ttl, timeouts=max(4, rounds))
        except ConnectionError:
            return False
        return True

    async def delete_many(self, keys: Sequence[str]) -> None:
        """Forget keys; an outage is swallowed (the TTL bounds staleness)."""
        self.stats.deletes += len(keys)
        results = await asyncio.gather(
            *(self._call("delete", key) for key in keys), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, ConnectionError):
                raise result

    async def add(self, key: str, value: bytes, ttl: int | None = None) -> bool:
        """memcached `add`: True only for the caller that created the key."""
        try:
            added: bool = await self._call("add", key, value, ttl=ttl or self._ttl)
        except ConnectionError:
            return False
        return added

    async def incr(self, key: str) -> int | None:
        """memcached `incr` (aiocache creates a missing key at 1)."""
        try:
            value: int = await self._call("increment", key, 1)
        except ConnectionError:
            return None
        return int(value)

    async def close(self) -> None:
        """Close the connection pool, and finish closing the pools replaced after failures."""
        await _close_quietly(self._backend)
        await asyncio.gather(*list(_background), return_exceptions=True)

    async def ping(self) -> bool:
        """True when the backend answers now (False while cooling down after a failure)."""
        try:
            await self._call("exists", f"{KEY_PREFIX}:ping")
        except ConnectionError:
            return False
        return True


_background: set[asyncio.Task[None]] = set()


STALE_CLOSE_ROUNDS = 10
STALE_CLOSE_INTERVAL = 0.1


async def _close_quietly(backend: Any) -> None:
    # Commands that our timeouts cancelled hand their connections back to the replaced pool
    # only as their cancellation unwinds, after a first close may have run: close a few times.
    try:
        for _ in range(STALE_CLOSE_ROUNDS):
            async with asyncio.timeout(1):
                await backend.close()
            await asyncio.sleep(STALE_CLOSE_INTERVAL)
    except Exception:
        log.debug("closing a stale cache backend failed", exc_info=True)


def parse_memcached_url(url: str) -> tuple[str, int]:
    """Split `host:port` (or `memcached://host:port`) into its parts."""
    address = url.removeprefix("memcached://").rstrip("/")
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"MEMCACHED_URL must look like host:port, got {url!r}")
    return host, int(port)


def build_cache(settings: Settings) -> ObjectCache:
    """The cache the settings ask for: memcached, in-process, or none."""
    if not settings.cache_enabled:
        return NullCache()
    common: dict[str, Any] = {
        "ttl": settings.cache_ttl_seconds,
        "timeout": settings.cache_timeout_ms / 1000,
        "retry_seconds": settings.cache_retry_seconds,
    }
    if settings.memcached_url:
        host, port = parse_memcached_url(settings.memcached_url)

        def memcached() -> Any:
            return _SafeMemcachedCache(
                endpoint=host,
                port=port,
                pool_size=settings.cache_pool_size,
                serializer=_BytesSerializer(),
                timeout=None,
                namespace=key_namespace(settings),
            )

        return FailOpenCache(
            memcached, name="memcached", parallelism=settings.cache_pool_size, **common
        )

    def in_process() -> Any:
        return SimpleMemoryCache(
            serializer=_BytesSerializer(), timeout=None, namespace=key_namespace(settings)
        )

    return FailOpenCache(in_process, name="in-process", **common)
