"""Relations resolved at once when a parent prefetched them, and lookahead into a connection.

A list of 500 submissions each showing its candidate costs the executor one awaitable (and a
task) per relation when every resolver is async. A connection resolver that loads its page
can instead prefetch the relations its nodes select (one batch per relation, as before); the
relation resolvers then answer synchronously from the loaders, and fall back to an awaitable
only when nothing was prefetched (a single node, another path).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TypeAlias, TypeVar

from bson import ObjectId
from strawberry.types.nodes import SelectedField, Selection

from crowdhire.context import Info
from crowdhire.loaders.base import Pending

C = TypeVar("C")
K = TypeVar("K")
M = TypeVar("M")
T = TypeVar("T")

MaybeLater: TypeAlias = T | Awaitable[T]
"""A resolver's value now, or an awaitable of it (graphql-core awaits what needs awaiting)."""


def now_or_later(
    now: M | Pending | None,
    later: Callable[[], Awaitable[M | None]],
    convert: Callable[[M], T],
) -> MaybeLater[T | None]:
    """`convert(now)` when known without I/O; otherwise an awaitable that loads it."""
    if not isinstance(now, Pending):
        return convert(now) if now is not None else None

    async def load() -> T | None:
        found = await later()
        return convert(found) if found is not None else None

    return load()


def distinct_ids(ids: Iterable[ObjectId]) -> list[ObjectId]:
    """Each id once, in first-seen order (what a prefetch asks its loader for)."""
    return list(dict.fromkeys(ids))


def related(
    context: C,
    key: K,
    now: Callable[[C, K], M | Pending | None],
    by_id: Callable[[C, K], Awaitable[M | None]],
    convert: Callable[[M], T],
) -> MaybeLater[T | None]:
    """A relation field's answer: `now(context, key)` when a parent prefetched it, else an
    awaitable of `by_id(context, key)`, either way through `convert`."""
    return now_or_later(now(context, key), lambda: by_id(context, key), convert)


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:  # inline fragments and fragment spreads
            yield from _fields(selection.selections)


def selected_node_fields(info: Info) -> frozenset[str]:
    """Names of the fields this connection's nodes select, via `nodes` or `edges { node }`."""
    return _remembered(info, "nodes", lambda: {field.name for field in _node_selections(info)})


def selected_node_subfields(info: Info, name: str) -> frozenset[str]:
    """Names of the fields selected under the nodes' `name` field (any alias of it)."""
    return _remembered(
        info,
        f"nodes.{name}",
        lambda: {
            sub.name
            for field in _node_selections(info)
            if field.name == name
            for sub in _fields(field.selections)
        },
    )


def selected_subfields(info: Info) -> frozenset[str]:
    """Names of the fields selected under this (object) field."""
    return _remembered(
        info,
        "fields",
        lambda: {sub.name for field in info.selected_fields for sub in _fields(field.selections)},
    )


def _remembered(info: Info, what: str, work_out: Callable[[], set[str]]) -> frozenset[str]:
    """Lookahead is worked out once per selection in the request (the 50 jobs of a page
    share it). A selection is known by the identities of the field nodes being executed: the
    answer depends on them only (the document and its variables are the request's), where a
    position in the response would not do: under `nodes(ids:)` the same path can lead through
    a Job or a Recruiter and select different fields there."""
    key = (what, tuple(map(id, info._raw_info.field_nodes)))  # Strawberry has no accessor
    known = info.context.selections.get(key)
    if known is None:
        known = info.context.selections[key] = frozenset(work_out())
    return known


def _node_selections(info: Info) -> Iterator[SelectedField]:
    for connection in info.selected_fields:
        for field in _fields(connection.selections):
            if field.name == "nodes":
                yield from _fields(field.selections)
            elif field.name == "edges":
                for edge_field in _fields(field.selections):
                    if edge_field.name == "node":
                        yield from _fields(edge_field.selections)
