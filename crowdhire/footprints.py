"""Request footprints: which collections a request read and wrote, whatever code issued the
commands.

`FootprintListener` (PyMongo command monitoring) sees every command; the loaders add the
collections they served from the object cache. The response cache (crowdhire.graphql.freshness)
turns footprints into staleness; this module stays below the loaders, which must report reads.
"""

from __future__ import annotations

from collections import defaultdict
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)

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


def begin_footprint() -> tuple[Footprint, Token[Footprint | None]]:
    """A fresh footprint for the request starting now; pass the token to `end_footprint`."""
    footprint = Footprint()
    return footprint, _current.set(footprint)


def end_footprint(token: Token[Footprint | None]) -> None:
    """Leave the request's footprint."""
    _current.reset(token)


def take_unannounced(database: str) -> set[str]:
    """Writes to `database` made outside requests (or not yet announced), handed over once."""
    return _unannounced.pop(database, set())


def keep_unannounced(database: str, collections: set[str]) -> None:
    """Writes whose announcement failed: handed over again by the next `take_unannounced`."""
    _unannounced[database] |= collections
