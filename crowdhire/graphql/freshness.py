"""Collection generations: when cached responses go stale.

A request's footprint (crowdhire.footprints) lists each collection it read or wrote. Each
collection has a generation token in the shared cache. A write replaces the tokens of the
collections it touched after the data is committed and before its response leaves
(`FreshnessMiddleware`), so an entry that recorded the tokens it was computed under is served
only while none of them moved.
Tokens are random, so an evicted token can never come back with an old value.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crowdhire.cache import ObjectCache, cache_key
from crowdhire.footprints import (
    Footprint,
    begin_footprint,
    end_footprint,
    keep_unannounced,
    take_unannounced,
)


def generation_key(collection: str) -> str:
    """The cache key of a collection's generation token."""
    return cache_key("generation", collection)


class Generations:
    """Generation tokens in the shared cache."""

    def __init__(self, cache: ObjectCache) -> None:
        self.cache = cache

    async def complete(self, names: list[str], values: list[bytes | None]) -> dict[str, str]:
        """Tokens from a multi-get of `names`' keys, with new tokens for the missing ones."""
        tokens = {name: value.decode() for name, value in zip(names, values, strict=True) if value}
        fresh = {name: secrets.token_hex(8) for name in names if name not in tokens}
        await self.cache.set_many({generation_key(n): t.encode() for n, t in fresh.items()})
        return tokens | fresh

    async def bump(self, collections: Iterable[str]) -> bool:
        """New tokens: every entry computed under the old ones is stale from now on.

        False when the cache did not take them (an outage).
        """
        tokens = {generation_key(name): secrets.token_hex(8).encode() for name in collections}
        return await self.cache.set_many(tokens)


async def announce_writes(cache: ObjectCache, database: str, footprint: Footprint | None) -> bool:
    """Bump the generations of everything written to `database` so far (by this request, or
    outside one).

    What the cache could not take is kept and tried again before this process's next lookup;
    False until then.
    """
    written = take_unannounced(database)
    if footprint is not None:
        written |= footprint.writes
        footprint.writes.clear()
    if not written or await Generations(cache).bump(written):
        return True
    keep_unannounced(database, written)
    return False


class FreshnessMiddleware:
    """Tracks each HTTP request's footprint; announces its writes before the response starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request inside a fresh footprint."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        footprint, token = begin_footprint()
        services: Any = getattr(scope["app"].state, "services", None)
        cache: ObjectCache | None = services.cache if services is not None else None
        database: str = services.settings.mongodb_db if services is not None else ""

        async def announcing_send(message: Message) -> None:
            # Handlers commit before they answer: the new tokens land before the client can
            # send its next request.
            if message["type"] == "http.response.start" and cache and footprint.writes:
                await announce_writes(cache, database, footprint)
            await send(message)

        try:
            await self.app(scope, receive, announcing_send)
        finally:
            if cache is not None and footprint.writes:
                await announce_writes(cache, database, footprint)
            end_footprint(token)


def entry_is_fresh(recorded: Mapping[str, str], current: Mapping[str, str | None]) -> bool:
    """True when every generation an entry recorded is still the current one."""
    return all(current.get(name) == token for name, token in recorded.items())
