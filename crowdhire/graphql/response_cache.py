"""Ready-to-serve query responses in the shared cache, valid while their collections are unchanged.

A query's `data` is stored as JSON bytes under a key made of the document, operation name,
variables, the viewer's identity and roles, and the schema; with it go the generation tokens
(crowdhire.graphql.freshness) of every collection the execution read. A later identical request is
answered from those bytes, without parsing or resolving anything, only if no token has moved
since. Responses with errors, mutations and requests outside the HTTP app are never stored.
Validation, the cost cap and the budget run before this, so cached answers are charged alike.
"""

from __future__ import annotations

import asyncio
import hashlib
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
from crowdhire.footprints import current_footprint
from crowdhire.graphql.freshness import (
    Generations,
    announce_writes,
    entry_is_fresh,
    generation_key,
)
from crowdhire.models import DOCUMENT_MODELS
from crowdhire.observability.stats import current_stats

COLLECTIONS = sorted(str(model.Settings.name) for model in DOCUMENT_MODELS)


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
    """A stored answer: the generation tokens it was computed under, and its data's JSON."""

    tokens: dict[str, str]
    data: bytes

    def encode(self) -> bytes:
        """The tokens on the first line, then the data."""
        return orjson.dumps(self.tokens) + b"\n" + self.data


def decode_entry(raw: bytes) -> Entry | None:
    """An entry from its stored bytes (None if they are not one)."""
    header, newline, data = raw.partition(b"\n")
    if not newline:
        return None
    try:
        tokens = orjson.loads(header)
    except orjson.JSONDecodeError:
        return None
    return Entry(tokens, data) if isinstance(tokens, dict) else None


# Identical queries executing right now in this process, by key: later arrivals wait for the
# first one's answer instead of executing the same work in parallel (a thundering herd when
# a popular entry expires or a write invalidates it).
_in_flight: dict[str, asyncio.Future[Entry | None]] = {}


async def answer_in_flight(
    key: str,
    current: dict[str, str | None],
    leader: asyncio.Future[Entry | None] | None = None,
) -> Entry | None:
    """The answer an identical request executing now produces, if still fresh for this one.

    `leader` is the one that was in flight when this request's lookup began: its answer is
    used even if it finished while the lookup waited on a slow cache.
    """
    leader = leader or _in_flight.get(key)
    if leader is None or leader.get_loop() is not asyncio.get_running_loop():
        return None
    entry = await asyncio.shield(leader)
    if entry is None:
        return None
    # Fresh only if no write moved a token between its start and this request's lookup. A
    # token this lookup could not read (the cache is unreachable) cannot have been moved by
    # anyone since the leader read it; this process's own unannounced writes were ruled out
    # before the lookup, so the leader's answer is the best there is.
    moved = any(current.get(name) not in (token, None) for name, token in entry.tokens.items())
    return None if moved else entry


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
        # for this one instead of executing too (they still check its answer against their
        # own tokens).
        future, entry = lead(key), None
        leader = None if future is not None else _in_flight.get(key)
        try:
            entry_raw, *token_values = await context.cache.get_many(
                [key, *(generation_key(name) for name in COLLECTIONS)], tally=False
            )
            current = {
                name: value.decode() if value else None
                for name, value in zip(COLLECTIONS, token_values, strict=True)
            }
            entry = decode_entry(entry_raw) if entry_raw else None
            if entry is None or not entry_is_fresh(entry.tokens, current):
                entry = None if future is not None else await answer_in_flight(key, current, leader)
            if entry is not None:
                execution.result = GraphQLExecutionResult(
                    data=cast(Any, orjson.Fragment(entry.data))
                )
                _record("hit")
                yield
                return
            _record("miss")
            # Tokens are taken before anything is read: a write committed after this point
            # moves a token this entry records, so the entry is never served with older data.
            tokens = await Generations(context.cache).complete(COLLECTIONS, token_values)
            yield
            entry = self._entry_of(execution.result, footprint.reads, tokens)
            if entry is not None and len(entry.data) <= self.max_bytes:
                await context.cache.set_many({key: entry.encode()}, ttl=self.ttl)
        finally:
            finish(key, future, entry)

    @staticmethod
    def _entry_of(result: Any, reads: set[str], tokens: dict[str, str]) -> Entry | None:
        """The entry for an executed answer (shared with waiting requests, stored if small
        enough), or None if it must not be reused."""
        if not isinstance(result, GraphQLExecutionResult) or result.errors or result.data is None:
            return None
        if not reads <= tokens.keys():
            return None  # read something without a generation: cannot tell when it changes
        return Entry({name: tokens[name] for name in sorted(reads)}, orjson.dumps(result.data))


def _record(outcome: str) -> None:
    stats = current_stats()
    if stats is not None:
        stats.response_cache = outcome
