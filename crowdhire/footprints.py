"""Request footprints: the cache tags (crowdhire.tags) of what a request read and the write
commands it issued, whatever code issued them.

`FootprintListener` (PyMongo command monitoring) sees every command, and keeps the documents
finds return so that a later write knows which partitions they were in; the loaders add what
they served from the object cache. The response cache (crowdhire.graphql.freshness) turns
footprints into staleness; this module stays below the loaders, which must report reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)

from crowdhire.cache import ObjectCache
from crowdhire.tags.reads import (
    coarse_tags,
    ids_in,
    keeps_partitions,
    object_tag,
    pipeline_tags,
    read_tags,
    unanalysed_tag,
)
from crowdhire.tags.versions import TagVersions
from crowdhire.tags.writes import Change, Seen, change_tags

READ_COMMANDS = frozenset({"find", "aggregate", "count", "distinct", "getMore"})
WRITE_COMMANDS = frozenset({"insert", "update", "delete", "findAndModify"})
FILTER_FIELD = {"find": "filter", "count": "query", "distinct": "query"}


@dataclass
class Footprint:
    """What one request read (as cache tags) and wrote (commands not yet announced)."""

    tags: set[str] = field(default_factory=set)
    # Objects read by id, as (collection, id): tagged only when an answer is stored, so that
    # requests without the response cache never format ids.
    objects: set[tuple[str, Any]] = field(default_factory=set)
    changes: list[Change] = field(default_factory=list)
    written: set[str] = field(default_factory=set)
    seen: Seen = field(default_factory=Seen)
    # Commands awaiting their reply whose documents are kept as seen: collection by request.
    pending: dict[tuple[Any, int], str] = field(default_factory=dict)
    # The request answered: what still runs in its context (a timer, a connection it opened,
    # a task it started) must neither keep its documents alive nor write into it unannounced.
    ended: bool = False

    def end(self) -> None:
        """Mark the request answered and let go of what it read."""
        self.ended = True
        self.seen = Seen()
        self.tags.clear()
        self.objects.clear()
        self.changes.clear()
        self.written.clear()
        self.pending.clear()

    def read_tags(self) -> set[str]:
        """The tags of everything read so far."""
        return self.tags | {object_tag(collection, i) for collection, i in self.objects}

    def forget_reads(self) -> None:
        """Start collecting reads afresh (an answer's execution begins)."""
        self.tags.clear()
        self.objects.clear()

    def written_tags(self) -> set[str]:
        """The tags of everything written so far, handed over once."""
        tags = set(self.written)
        for change in self.changes:
            tags |= change_tags(change, self.seen)
        self.changes.clear()
        self.written.clear()
        return tags


_current: ContextVar[Footprint | None] = ContextVar("crowdhire_footprint", default=None)
# Tags of writes made outside any request (start-up seeding, tests' fixtures), and bumps the
# cache did not take, by database: announced before this process's next lookup in that database.
_unannounced: defaultdict[str, set[str]] = defaultdict(set)


def current_footprint() -> Footprint | None:
    """The footprint of the request being served, if any."""
    footprint = _current.get()
    return None if footprint is None or footprint.ended else footprint


def note_read(collection: str) -> None:
    """Record that the current request's answer depends on all of `collection`."""
    footprint = current_footprint()
    if footprint is not None:
        footprint.tags |= coarse_tags(collection)


def note_objects(collection: str, documents: Mapping[Any, Any | None]) -> None:
    """Record objects read by id (documents served from the object cache; None: not found)."""
    footprint = current_footprint()
    if footprint is None:
        return
    footprint.tags.add(unanalysed_tag(collection))
    for object_id, document in documents.items():
        footprint.objects.add((collection, object_id))
        if document is not None:
            footprint.seen.add(collection, object_id, document)


def note_partitions(collection: str, name: str, values: Iterable[Any]) -> None:
    """Record lists of `collection` read for each of `values` of partition field `name`."""
    footprint = current_footprint()
    if footprint is not None:
        footprint.tags |= read_tags(collection, {name: {"$in": list(values)}})


def note_write(database: str, collection: str) -> None:
    """Record that `collection` changed in ways unknown (announced when the request answers)."""
    footprint = current_footprint()
    tag = unanalysed_tag(collection)
    (footprint.written if footprint is not None else _unannounced[database]).add(tag)


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


def _read(footprint: Footprint, event: CommandStartedEvent, collection: str) -> None:
    command, name = event.command, event.command_name
    if name == "aggregate":
        footprint.tags |= pipeline_tags(collection, command.get("pipeline"))
        for joined in joined_collections(command.get("pipeline")):
            footprint.tags |= coarse_tags(joined)
    elif name in FILTER_FIELD:
        filter_ = command.get(FILTER_FIELD[name])
        ids = ids_in(filter_)
        if ids is None:
            footprint.tags |= read_tags(collection, filter_)
        else:
            footprint.tags.add(unanalysed_tag(collection))
            footprint.objects.update((collection, object_id) for object_id in ids)
        if name == "find" and keeps_partitions(collection, command.get("projection")):
            footprint.pending[(event.connection_id, event.request_id)] = collection
    else:
        footprint.tags.add(unanalysed_tag(collection))


class FootprintListener(CommandListener):
    """Feeds every command into the current request's footprint."""

    def started(self, event: CommandStartedEvent) -> None:
        """Note reads and writes as they are issued."""
        collection = _collection_of(event)
        if collection is None:
            return
        footprint = current_footprint()
        if event.command_name in READ_COMMANDS:
            if footprint is not None:
                _read(footprint, event, collection)
        elif event.command_name in WRITE_COMMANDS:
            if footprint is None:
                _unannounced[event.database_name].add(unanalysed_tag(collection))
                return
            seq = footprint.seen.tick()
            footprint.changes.append(Change(collection, event.command_name, event.command, seq))
            if event.command_name == "findAndModify" and keeps_partitions(
                collection, event.command.get("fields")
            ):
                footprint.pending[(event.connection_id, event.request_id)] = collection

    def succeeded(self, event: CommandSucceededEvent) -> None:
        """Keep the full documents a find or findAndModify returned, as seen."""
        footprint = current_footprint()
        if footprint is None:
            return
        collection = footprint.pending.pop((event.connection_id, event.request_id), None)
        if collection is None:
            return
        reply = event.reply
        cursor = reply.get("cursor")
        documents = cursor.get("firstBatch", ()) if isinstance(cursor, dict) else ()
        if isinstance(reply.get("value"), dict):
            documents = [reply["value"]]
        for document in documents:
            if isinstance(document, dict) and "_id" in document:
                footprint.seen.add(collection, document["_id"], document)

    def failed(self, event: CommandFailedEvent) -> None:
        """Forget the command (a failed write was noted anyway: announcing it is harmless)."""
        footprint = current_footprint()
        if footprint is not None:
            footprint.pending.pop((event.connection_id, event.request_id), None)


def begin_footprint() -> tuple[Footprint, Token[Footprint | None]]:
    """A fresh footprint for the request starting now; pass the token to `end_footprint`."""
    footprint = Footprint()
    return footprint, _current.set(footprint)


def end_footprint(footprint: Footprint, token: Token[Footprint | None]) -> None:
    """Leave the request's footprint, and end it: connections opened and timers set during the
    request keep its context, and with it the footprint, long after it answered."""
    _current.reset(token)
    footprint.end()


def take_unannounced(database: str) -> set[str]:
    """Tags of writes to `database` made outside requests (or not yet announced), handed over
    once."""
    return _unannounced.pop(database, set())


def keep_unannounced(database: str, tags: set[str]) -> None:
    """Tags whose announcement failed: handed over again by the next `take_unannounced`."""
    _unannounced[database] |= tags


async def announce_writes(cache: ObjectCache, database: str, footprint: Footprint | None) -> bool:
    """Bump the tags of everything written to `database` so far (by this request, or outside
    one).

    What the cache could not take is kept and tried again before this process's next lookup;
    False until then.
    """
    written = take_unannounced(database)
    if footprint is not None:
        written |= footprint.written_tags()
    if not written or await TagVersions(cache).bump(written):
        return True
    keep_unannounced(database, written)
    return False


@asynccontextmanager
async def task_footprint(cache: ObjectCache, database: str) -> AsyncIterator[None]:
    """A footprint around one background task: its writes are analysed like a request's and
    announced when it ends (also when it fails: it may have written first).

    Outside a footprint a write is known only by its collection, and announcing it makes every
    cached answer that read that collection stale: one consent email sent invalidated every
    answer showing any candidate. A task that wrote nothing announces nothing of its own.
    """
    footprint, token = begin_footprint()
    try:
        yield
    finally:
        try:
            if footprint.changes or footprint.written:
                await announce_writes(cache, database, footprint)
        finally:
            end_footprint(footprint, token)
