"""Ready-to-serve query responses in the shared cache, valid while what they read is unchanged.

A query's `data` is stored as JSON bytes under a key made of the document, operation name,
variables, the viewer's identity and roles, and the schema; with it go the versions
(crowdhire.graphql.freshness) of every cache tag the execution read: the objects it read and the
list partitions it listed. A later identical request is answered from those bytes, without
parsing or resolving anything, only if no version has moved since. Responses with errors,
mutations and requests outside the HTTP app are never stored.
Validation, the cost cap and the budget run before this, so cached answers are charged alike.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

import orjson
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from crowdhire.auth import Viewer
from crowdhire.cache import cache_key
from crowdhire.context import Context
from crowdhire.footprints import announce_writes, current_footprint
from crowdhire.models import DOCUMENT_MODELS
from crowdhire.observability.stats import current_stats
from crowdhire.tags.versions import CLOCK_KEY, TagVersions

COLLECTIONS = frozenset(str(model.Settings.name) for model in DOCUMENT_MODELS)
_TAG_COLLECTION = re.compile(r"[:?!]")


def viewer_scope(viewer: Viewer) -> list[Any]:
    """Everything about the caller an answer can depend on: identity, permissions, roles."""
    roles = sorted((str(company), role.value) for company, role in viewer.company_roles.items())
    recruiter = str(viewer.recruiter_id) if viewer.recruiter_id else None
    return [viewer.sub, sorted(viewer.permissions), recruiter, roles]


def response_key(
    schema_id: str, query: str, operation: str | None, variables: Any, viewer: Viewer
) -> str | None:
    """The cache key of one request's answer (None for variables JSON cannot hold exactly,
    such as integers past 64 bits: execution refuses those with a typed error)."""
    material = [schema_id, query, operation, variables or {}, viewer_scope(viewer)]
    try:
        canonical = orjson.dumps(material, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None
    return cache_key("response", hashlib.sha256(canonical).hexdigest())


@dataclass(frozen=True)
class Entry:
    """A stored answer: the version of every tag it read (None: not known, during a cache
    outage; such an answer is only handed to identical requests in flight), and its JSON."""

    versions: dict[str, str] | None
    data: bytes

    def encode(self) -> bytes:
        """The versions on the first line, then the data."""
        return orjson.dumps(self.versions) + b"\n" + self.data


def decode_entry(raw: bytes) -> Entry | None:
    """An entry from its stored bytes (None if they are not one)."""
    header, newline, data = raw.partition(b"\n")
    if not newline:
        return None
    try:
        versions = orjson.loads(header)
    except orjson.JSONDecodeError:
        return None
    return Entry(versions, data) if isinstance(versions, dict) else None


async def is_fresh(entry: Entry, versions: TagVersions, *, in_flight: bool = False) -> bool:
    """True when no tag the entry read has moved since.

    An in-flight answer computed while the cache was unreachable is fresh for a request that
    cannot reach it either: no write can have been announced since, and this process's own
    unannounced writes were ruled out before the lookup.
    """
    if entry.versions is None:
        return in_flight and await versions.clock() is None
    current = await versions.current(entry.versions)
    return all(current[tag] == version for tag, version in entry.versions.items())


# Identical queries executing right now in this process, by key: later arrivals wait for the
# first one's answer instead of executing the same work in parallel (a thundering herd when
# a popular entry expires or a write invalidates it).
_in_flight: dict[str, asyncio.Future[Entry | None]] = {}


async def answer_in_flight(
    key: str, versions: TagVersions, leader: asyncio.Future[Entry | None] | None = None
) -> Entry | None:
    """The answer an identical request executing now produces, if still fresh for this one.

    `leader` is the one that was in flight when this request's lookup began: its answer is
    used even if it finished while the lookup waited on a slow cache.
    """
    leader = leader or _in_flight.get(key)
    if leader is None or leader.get_loop() is not asyncio.get_running_loop():
        return None
    entry = await asyncio.shield(leader)
    if entry is None or not await is_fresh(entry, versions, in_flight=True):
        return None
    return entry


def lead(key: str) -> asyncio.Future[Entry | None] | None:
    """Become the request others wait for (None if another identical one already is)."""
    if key in _in_flight:
        return None
    future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
    _in_flight[key] = future
    return future


def finish(key: str, future: asyncio.Future[Entry | None] | None, entry: Entry | None) -> None:
    """Hand the answer (or None) to whoever waits, and step down."""
    if future is None:
        return
    if _in_flight.get(key) is future:
        del _in_flight[key]
    if not future.done():
        future.set_result(entry)


def _schema_id(execution: Any) -> str:
    schema = execution.schema
    cached = getattr(schema, "_crowdhire_schema_id", None)
    if cached is None:
        cached = hashlib.sha256(schema.as_str().encode()).hexdigest()[:16]
        schema._crowdhire_schema_id = cached
    return cast(str, cached)


class ResponseCache(SchemaExtension):
    """Answers repeated queries from the shared cache; stores fresh, error-free answers."""

    def __init__(self, *, ttl: int, max_bytes: int) -> None:
        self.ttl = ttl
        self.max_bytes = max_bytes

    async def on_execute(self) -> AsyncIterator[None]:
        """Serve a fresh entry instead of executing, or execute and store the answer."""
        execution = self.execution_context
        context = execution.context
        footprint = current_footprint()
        if (
            not isinstance(context, Context)
            or footprint is None
            or execution.query is None
            or execution.operation_type is not OperationType.QUERY
        ):
            yield
            return
        if not await announce_writes(context.cache, context.settings.mongodb_db, None):
            yield  # writes this process could not announce yet: neither serve nor store
            return
        key = response_key(
            _schema_id(execution),
            execution.query,
            execution.operation_name,
            execution.variables,
            context.viewer,
        )
        if key is None:
            yield
            return
        # Lead before looking up: identical requests arriving during a slow lookup then wait
        # for this one instead of executing too (they still check its answer's versions).
        future, entry = lead(key), None
        leader = None if future is not None else _in_flight.get(key)
        versions = TagVersions(context.cache)
        try:
            entry_raw, clock_raw = await context.cache.get_many([key, CLOCK_KEY], tally=False)
            entry = decode_entry(entry_raw) if entry_raw else None
            if entry is not None and not await is_fresh(entry, versions):
                entry = None
            if entry is None and future is None:
                entry = await answer_in_flight(key, versions, leader)
            if entry is not None:
                execution.result = GraphQLExecutionResult(
                    data=cast(Any, orjson.Fragment(entry.data))
                )
                _record("hit")
                yield
                return
            _record("miss")
            # The clock is read before anything is: a write committed after this point is
            # logged under a later number, which storing checks.
            start = await versions.clock(clock_raw)
            footprint.forget_reads()
            yield
            wrote = bool(footprint.changes or footprint.written)
            tags = set() if wrote else footprint.read_tags()  # a read that writes (an audit)
            entry = await self._entry_of(execution.result, tags, start, versions, wrote)
            if (
                entry is not None
                and entry.versions is not None
                and len(entry.data) <= self.max_bytes
            ):
                await context.cache.set_many({key: entry.encode()}, ttl=self.ttl)
        finally:
            finish(key, future, entry)

    @staticmethod
    async def _entry_of(
        result: Any, tags: set[str], start: int | None, versions: TagVersions, wrote: bool
    ) -> Entry | None:
        """The entry for an executed answer (shared with waiting requests, stored if its
        versions are known), or None if it must not be reused: an answer whose execution
        wrote (it must happen on every request), or that read something other than our
        collections (such as the in-memory vector index), whose changes no tag follows."""
        if not isinstance(result, GraphQLExecutionResult) or result.errors or result.data is None:
            return None
        if wrote or not {_TAG_COLLECTION.split(tag, 1)[0] for tag in tags} <= COLLECTIONS:
            return None
        data = orjson.dumps(result.data)
        if start is None:
            return Entry(None, data)  # the cache is unreachable: for requests in flight only
        known = await versions.complete(tags)
        if known is None or not await versions.untouched_since(start, tags):
            return None
        return Entry(known, data)


def _record(outcome: str) -> None:
    stats = current_stats()
    if stats is not None:
        stats.response_cache = outcome
