"""Ready-to-serve query responses in the shared cache, valid while their collections are unchanged.

A query's `data` is stored as JSON bytes under a key made of the document, operation name,
variables, the viewer's identity and roles, and the schema; with it go the generation tokens
(crowdhire.freshness) of every collection the execution read. A later identical request is
answered from those bytes, without parsing or resolving anything, only if no token has moved
since. Responses with errors, mutations and requests outside the HTTP app are never stored.
Validation, the cost cap and the budget run before this, so cached answers are charged alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any, cast

import orjson
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from crowdhire.auth import Viewer
from crowdhire.cache import cache_key
from crowdhire.context import Context
from crowdhire.freshness import (
    Generations,
    announce_writes,
    current_footprint,
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
) -> str:
    """The cache key of one request's answer."""
    material = [schema_id, query, operation, variables or {}, viewer_scope(viewer)]
    digest = hashlib.sha256(orjson.dumps(material, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return cache_key("response", digest)


def encode_entry(tokens: dict[str, str], data: bytes) -> bytes:
    """An entry: the generation tokens on the first line, then the data's JSON."""
    return orjson.dumps(tokens) + b"\n" + data


def decode_entry(raw: bytes) -> tuple[dict[str, str], bytes] | None:
    """Tokens and data of an entry (None if it is not one)."""
    header, newline, data = raw.partition(b"\n")
    if not newline:
        return None
    try:
        tokens = orjson.loads(header)
    except orjson.JSONDecodeError:
        return None
    return (tokens, data) if isinstance(tokens, dict) else None


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
        if not await announce_writes(context.cache, None):
            yield  # writes this process could not announce yet: neither serve nor store
            return
        key = response_key(
            _schema_id(execution),
            execution.query,
            execution.operation_name,
            execution.variables,
            context.viewer,
        )
        entry_raw, *token_values = await context.cache.get_many(
            [key, *(generation_key(name) for name in COLLECTIONS)]
        )
        current = {
            name: value.decode() if value else None
            for name, value in zip(COLLECTIONS, token_values, strict=True)
        }
        entry = decode_entry(entry_raw) if entry_raw else None
        stats = current_stats()
        if entry is not None and entry_is_fresh(entry[0], current):
            execution.result = GraphQLExecutionResult(data=cast(Any, orjson.Fragment(entry[1])))
            if stats is not None:
                stats.response_cache = "hit"
            yield
            return
        if stats is not None:
            stats.response_cache = "miss"
        # Tokens are taken before anything is read: a write committed after this point moves
        # a token this entry records, so the entry is never served with older data.
        tokens = await Generations(context.cache).complete(COLLECTIONS, token_values)
        yield
        result = execution.result
        if not isinstance(result, GraphQLExecutionResult) or result.errors or result.data is None:
            return
        if not footprint.reads <= tokens.keys():
            return  # read something without a generation: cannot tell when it changes
        data = orjson.dumps(result.data)
        if len(data) > self.max_bytes:
            return
        recorded = {name: tokens[name] for name in sorted(footprint.reads)}
        await context.cache.set_many({key: encode_entry(recorded, data)}, ttl=self.ttl)
