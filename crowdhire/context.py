"""The typed request context every resolver receives."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request

from crowdhire.auth import ANONYMOUS, Viewer
from crowdhire.cache import ObjectCache
from crowdhire.events.stream import EventStream
from crowdhire.loaders import Loaders, build_loaders
from crowdhire.matching.service import MatchingService
from crowdhire.settings import Settings

FieldNodes: TypeAlias = tuple[int, ...]
"""The identities of the field nodes (of the request's document) one field executes."""


@dataclass
class Context:
    """Per-request state: who asks, their loaders, and the shared services."""

    settings: Settings
    cache: ObjectCache
    loaders: Loaders
    viewer: Viewer = ANONYMOUS
    request: Request | None = None
    response: Any = None
    # the process's vector index (None outside a served app: scores then skip semantics)
    matching: MatchingService | None = None
    # per-request lookahead results, by what and the field nodes they look under (schema.relations)
    selections: dict[tuple[str, FieldNodes], frozenset[str]] = field(default_factory=dict)
    # the same for lookahead into a field of a connection's nodes (schema.lookahead.NodeField)
    node_fields: dict[tuple[str, FieldNodes], tuple[Any, ...]] = field(default_factory=dict)
    # WebSocket connections only: the process's outbox stream, the connection_init payload, and
    # how a subscription that must end its socket (a slow consumer) closes it
    events: EventStream | None = None
    connection_params: dict[str, object] | None = None
    close_socket: Callable[[int, str], Coroutine[Any, Any, None]] | None = None


def build_context(
    settings: Settings,
    cache: ObjectCache,
    *,
    viewer: Viewer = ANONYMOUS,
    request: Request | None = None,
    response: Any = None,
) -> Context:
    """A context with fresh loaders for one request."""
    return Context(
        settings=settings,
        cache=cache,
        loaders=build_loaders(cache),
        viewer=viewer,
        request=request,
        response=response,
    )


Info = strawberry.Info[Context, None]
"""What every resolver receives: `info.context` is a typed Context."""
