"""The object cache: memcached through aiocache/aiomcache, failing open to MongoDB.

Values are bytes (JSON the loaders wrote). Every operation gives up after a short timeout;
after a failure memcached is skipped for `cache_retry_seconds`, the connection pool is
replaced (a cancelled aiomcache call can leave a reply unread on its socket), and the
failure is logged once until the cache answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiocache import SimpleMemoryCache
from aiocache.backends.memcached import MemcachedCache
from aiocache.serializers import BaseSerializer

from crowdhire.settings import Settings

log = logging.getLogger("crowdhire.cache")

KEY_PREFIX = "crowdhire:v1"
MAX_KEY_LENGTH = 250


def cache_key(kind: str, key: str) -> str:
    """A versioned memcached key, hashed when it would pass memcached's 250-byte limit."""
    raw = f"{KEY_PREFIX}:{kind}:{key}"
    if len(raw) <= MAX_KEY_LENGTH and raw.isascii() and " " not in raw:
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

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Values in key order; None for a miss or when the cache is unavailable."""

    async def set_many(self, items: Mapping[str, bytes]) -> None:
        """Store values with the configured TTL; never raises."""

    async def delete_many(self, keys: Sequence[str]) -> None:
        """Forget keys; never raises."""

    async def close(self) -> None:
        """Release connections."""


class _BytesSerializer(BaseSerializer):  # type: ignore[misc]  # aiocache is untyped
    DEFAULT_ENCODING = None

    def dumps(self, value: bytes) -> bytes:
        return value

    def loads(self, value: bytes | None) -> bytes | None:
        return value


class NullCache:
    """The cache switched off: every get misses, writes do nothing."""

    def __init__(self) -> None:
        self.stats = CacheStats()

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Always misses."""
        self.stats.misses += len(keys)
        return [None] * len(keys)

    async def set_many(self, items: Mapping[str, bytes]) -> None:
        """Does nothing."""

    async def delete_many(self, keys: Sequence[str]) -> None:
        """Does nothing."""

    async def close(self) -> None:
        """Does nothing."""


class FailOpenCache:
    """An aiocache backend behind short timeouts, a cool-down and one log line per outage."""

    def __init__(
        self, backend_factory: Any, *, ttl: int, timeout: float, retry_seconds: float, name: str
    ) -> None:
        self._factory = backend_factory
        self._backend: Any = backend_factory()
        self._ttl = ttl
        self._timeout = timeout
        self._retry_seconds = retry_seconds
        self._skip_until = 0.0
        self._down = False
        self._name = name
        self.stats = CacheStats()

    async def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if self._skip_until and time.monotonic() < self._skip_until:
            raise ConnectionError("cache cooling down")
        try:
            async with asyncio.timeout(self._timeout):
                result = await getattr(self._backend, operation)(*args, **kwargs)
        except asyncio.CancelledError:
            self._replace_backend()  # a reply may still be in flight on that socket
            raise
        except Exception as error:
            self._fail(error)
            raise ConnectionError("cache unavailable") from error
        if self._down:
            self._down = False
            log.warning("cache %s answers again; caching resumed", self._name)
        self._skip_until = 0.0
        return result

    def _fail(self, error: BaseException) -> None:
        self.stats.errors += 1
        self._skip_until = time.monotonic() + self._retry_seconds
        if not self._down:
            self._down = True
            log.warning(
                "cache %s unavailable (%s); serving from MongoDB",
                self._name,
                type(error).__name__,
            )
        self._replace_backend()

    def _replace_backend(self) -> None:
        stale, self._backend = self._backend, self._factory()
        task = asyncio.get_running_loop().create_task(_close_quietly(stale))
        _background.add(task)
        task.add_done_callback(_background.discard)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Values in key order; misses (and outages) are None."""
        if not keys:
            return []
        self.stats.gets += 1
        try:
            values: list[bytes | None] = await self._call("multi_get", list(keys))
        except ConnectionError:
            values = [None] * len(keys)
        hits = sum(value is not None for value in values)
        self.stats.hits += hits
        self.stats.misses += len(keys) - hits
        return values

    async def set_many(self, items: Mapping[str, bytes]) -> None:
        """Store values with the TTL; an outage is swallowed."""
        if not items:
            return
        self.stats.sets += 1
        with contextlib.suppress(ConnectionError):
            await self._call("multi_set", list(items.items()), ttl=self._ttl)

    async def delete_many(self, keys: Sequence[str]) -> None:
        """Forget keys; an outage is swallowed (the TTL bounds staleness)."""
        self.stats.deletes += len(keys)
        results = await asyncio.gather(
            *(self._call("delete", key) for key in keys), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, ConnectionError):
                raise result

    async def close(self) -> None:
        """Close the connection pool."""
        await _close_quietly(self._backend)


_background: set[asyncio.Task[None]] = set()


async def _close_quietly(backend: Any) -> None:
    try:
        async with asyncio.timeout(1):
            await backend.close()
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
            return MemcachedCache(
                endpoint=host,
                port=port,
                pool_size=settings.cache_pool_size,
                serializer=_BytesSerializer(),
                timeout=None,
            )

        return FailOpenCache(memcached, name="memcached", **common)

    def in_process() -> Any:
        return SimpleMemoryCache(serializer=_BytesSerializer(), timeout=None)

    return FailOpenCache(in_process, name="in-process", **common)
