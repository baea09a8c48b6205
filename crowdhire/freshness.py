"""Collection generations: what a request read and wrote, and when cached responses go stale.

Every MongoDB command is seen by `FootprintListener` (PyMongo command monitoring), so a
request's footprint lists each collection it read or wrote, whatever code path issued the
command; the loaders add the collections they served from the object cache. Each collection
has a generation token in the shared cache. A write replaces the tokens of the collections it
touched after the data is committed and before its response leaves (`FreshnessMiddleware`), so
an entry that recorded the tokens it was computed under is served only while none of them moved.
Tokens are random, so an evicted token can never come back with an old value.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crowdhire.cache import ObjectCache, cache_key

READ_COMMANDS = frozenset({"find", "aggregate", "count", "distinct", "getMore"})
WRITE_COMMANDS = frozenset({"insert", "update", "delete", "findAndModify"})


@dataclass
class Footprint:
    """The collections one request read and wrote (writes not yet announced)."""

    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)


_current: ContextVar[Footprint | None] = ContextVar("crowdhire_footprint", default=None)
# Writes made outside any request (start-up seeding, tests' fixtures), and bumps the cache
# did not take, by database: announced before this process's next lookup in that database.
_unannounced: defaultdict[str, set[str]] = defaultdict(set)


def current_footprint() -> Footprint | None:
    """The footprint of the request being served, if any."""
    return _current.get()


def note_read(collection: str) -> None:
    """Record that the current request's answer depends on `collection`."""
    footprint = _current.get()
    if footprint is not None:
        footprint.reads.add(collection)


def note_write(database: str, collection: str) -> None:
    """Record that `collection` changed (announced when the request answers)."""
    footprint = _current.get()
    (footprint.writes if footprint is not None else _unannounced[database]).add(collection)


def _collection_of(event: CommandStartedEvent) -> str | None:
    name = event.command_name
    target = event.command.get("collection" if name == "getMore" else name)
    return target if isinstance(target, str) else None


def joined_collections(pipeline: Any) -> set[str]:
    """Collections an aggregation pipeline reads besides its own ($lookup, $unionWith…)."""
    found: set[str] = set()
    for stage in pipeline if isinstance(pipeline, list) else ():
        for operator in ("$lookup", "$graphLookup", "$unionWith"):
            spec = stage.get(operator) if isinstance(stage, dict) else None
            if isinstance(spec, str):
                found.add(spec)
            elif isinstance(spec, dict):
                target = spec.get("from", spec.get("coll"))
                if isinstance(target, str):
                    found.add(target)
                found |= joined_collections(spec.get("pipeline"))
    return found


class FootprintListener(CommandListener):
    """Feeds every command's collection into the current request's footprint."""

    def started(self, event: CommandStartedEvent) -> None:
        """Note reads and writes as they are issued."""
        collection = _collection_of(event)
        if collection is None:
            return
        if event.command_name in READ_COMMANDS:
            note_read(collection)
            for joined in joined_collections(event.command.get("pipeline")):
                note_read(joined)
        elif event.command_name in WRITE_COMMANDS:
            note_write(event.database_name, collection)

    def succeeded(self, event: CommandSucceededEvent) -> None:
        """Nothing to do."""

    def failed(self, event: CommandFailedEvent) -> None:
        """Nothing to do (a failed write was noted anyway: announcing it is harmless)."""


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
    written = _unannounced.pop(database, set())
    if footprint is not None:
        written |= footprint.writes
        footprint.writes.clear()
    if not written or await Generations(cache).bump(written):
        return True
    _unannounced[database] |= written
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
        footprint = Footprint()
        token = _current.set(footprint)
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
            _current.reset(token)


def entry_is_fresh(recorded: Mapping[str, str], current: Mapping[str, str | None]) -> bool:
    """True when every generation an entry recorded is still the current one."""
    return all(current.get(name) == token for name, token in recorded.items())
