"""Tag versions and the shared write clock (in memcached, shared by every instance).

An answer records the version of every cache tag (crowdhire.tags) it read and is served only
while each is unchanged. A write gives the tags it changed new versions after the data is
committed. Versions never repeat (the write's clock reading plus random bits), so an evicted
tag cannot come back with an old value.

An answer is computed under the versions it reads after executing, so a write committed while
it executed must not have been missed: every write first takes a number from a shared clock
(memcached `incr`), logs the tags it bumps under that number, then bumps them. An answer is
stored only if no write logged between the clock readings before and after it touched one of
its tags (`TagVersions.untouched_since`). A cache whose tags are known before it reads (the
ranking cache) reads their versions first instead: a write bumped later makes it stale.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterable

from crowdhire.cache import CountingCache, ObjectCache, cache_key
from crowdhire.tags.reads import unanalysed_tag

CLOCK_KEY = cache_key("freshness", "clock")
LOG_TTL_SECONDS = 600
# Answers whose execution overlapped more writes than this are not stored (too many logs to read).
MAX_LOGS_PER_ANSWER = 200


def tag_key(tag: str) -> str:
    """The cache key of a tag's version."""
    return cache_key("tag", tag)


def generation_key(collection: str) -> str:
    """The cache key of the version every answer that read `collection` depends on."""
    return tag_key(unanalysed_tag(collection))


def _log_key(number: int) -> str:
    return cache_key("writelog", str(number))


def _parse_clock(raw: bytes | int | None) -> int | None:
    if isinstance(raw, int):  # the in-process cache keeps counters as numbers
        return raw
    return int(raw) if raw is not None and raw.isdigit() else None


class TagVersions:
    """Tag versions and the write clock in the shared cache."""

    def __init__(self, cache: ObjectCache) -> None:
        self.cache = cache

    async def current(self, tags: Iterable[str]) -> dict[str, str | None]:
        """Each tag's version now (None: missing or unreadable)."""
        names = list(tags)
        values = await self.cache.get_many([tag_key(t) for t in names], tally=False)
        return {t: v.decode() if v else None for t, v in zip(names, values, strict=True)}

    async def complete(self, tags: Iterable[str]) -> dict[str, str] | None:
        """Each tag's version, creating the missing ones (None when some cannot be had)."""
        versions = await self.current(tags)
        missing = [t for t, v in versions.items() if v is None]
        fresh = {tag: f"0.{secrets.token_hex(8)}" for tag in missing}
        added = await asyncio.gather(
            *(self.cache.add(tag_key(tag), value.encode()) for tag, value in fresh.items())
        )
        versions |= {tag: fresh[tag] for tag, ok in zip(missing, added, strict=True) if ok}
        if any(versions[t] is None for t in missing):
            versions |= await self.current(t for t in missing if versions[t] is None)
        if any(v is None for v in versions.values()):
            return None
        return {t: v for t, v in versions.items() if v is not None}

    async def clock(self, raw: bytes | None = None) -> int | None:
        """The write clock's reading (`raw`: one already fetched), started if missing; None
        when the cache cannot be read."""
        if raw is None:
            (raw,) = await self.cache.get_many([CLOCK_KEY], tally=False)
        if raw is None:
            await self.start_clock()
            (raw,) = await self.cache.get_many([CLOCK_KEY], tally=False)
        return _parse_clock(raw)

    async def start_clock(self) -> None:
        """Start a missing clock past any number it gave before it was lost: microseconds since
        the epoch outrun one write per microsecond."""
        await self.cache.add(CLOCK_KEY, str(time.time_ns() // 1000).encode())

    async def untouched_since(self, start: int, tags: set[str]) -> bool:
        """True when no write numbered after `start` bumped one of `tags` (or may have)."""
        end = await self.clock()
        if end is None or end < start or end - start > MAX_LOGS_PER_ANSWER:
            return False
        if end == start:
            return True
        logs = await self.cache.get_many([_log_key(n) for n in range(start + 1, end + 1)])
        if any(log is None for log in logs):
            return False  # a write between its number and its log, or a log evicted
        return not any(tags.intersection(log.decode().split("\n")) for log in logs if log)

    async def bump(self, tags: set[str]) -> bool:
        """New versions for `tags`: every answer that read them is stale from now on.

        False when the cache did not take them (an outage).
        """
        if not isinstance(self.cache, CountingCache):
            return False
        await self.start_clock()
        number = await self.cache.incr(CLOCK_KEY)
        if number is None:
            return False
        log = "\n".join(sorted(tags)).encode()
        if not await self.cache.set_many({_log_key(number): log}, ttl=LOG_TTL_SECONDS):
            return False
        version = f"{number}.{secrets.token_hex(4)}".encode()
        return await self.cache.set_many({tag_key(tag): version for tag in tags})
