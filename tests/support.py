"""Helpers the tests share: a GraphQL caller and a MongoDB command counter."""

from __future__ import annotations

from typing import Any

import httpx
from beanie import Document
from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)
from starlette.applications import Starlette

from crowdhire.schema.ids import encode_global_id

# Handshakes, heartbeats and session bookkeeping are not queries the API issued.
_INFRASTRUCTURE = {"hello", "ismaster", "isMaster", "ping", "endSessions", "buildInfo", "saslStart"}


class CommandCounter(CommandListener):
    """Counts the MongoDB commands the app sends (PyMongo command monitoring)."""

    def __init__(self) -> None:
        self.targets: list[tuple[str, str]] = []  # (command, collection), in order
        self.pipelines: list[list[dict[str, Any]]] = []  # of the aggregate commands, in order
        self.projections: list[tuple[str, dict[str, Any]]] = []  # (collection, find projection)

    def started(self, event: CommandStartedEvent) -> None:
        """Record one command by name and collection."""
        if event.command_name not in _INFRASTRUCTURE:
            field = "collection" if event.command_name == "getMore" else event.command_name
            target = event.command.get(field)
            self.targets.append((event.command_name, target if isinstance(target, str) else ""))
            if event.command_name == "aggregate":
                self.pipelines.append(list(event.command.get("pipeline", [])))
            if event.command_name == "find":
                projection = dict(event.command.get("projection") or {})
                self.projections.append((self.targets[-1][1], projection))

    @property
    def names(self) -> list[str]:
        """The commands' names, in order."""
        return [name for name, _ in self.targets]

    def succeeded(self, event: CommandSucceededEvent) -> None:
        """Nothing to record."""

    def failed(self, event: CommandFailedEvent) -> None:
        """Nothing to record."""

    def reset(self) -> None:
        """Start counting from zero."""
        self.targets.clear()
        self.pipelines.clear()
        self.projections.clear()

    @property
    def count(self) -> int:
        """Commands seen since the last reset."""
        return len(self.targets)


async def post_graphql(
    client: httpx.AsyncClient,
    document: str,
    variables: dict[str, Any] | None = None,
    *,
    as_: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """The raw HTTP answer to a GraphQL POST (for tests of status codes and headers).

    `as_` is a bearer token; without it the client's own headers decide who asks.
    """
    sent = dict(headers or {})
    if as_ is not None:
        sent["Authorization"] = f"Bearer {as_}"
    payload = {"query": document, "variables": variables or {}}
    return await client.post("/graphql", json=payload, headers=sent)


async def gql(
    client: httpx.AsyncClient,
    document: str,
    variables: dict[str, Any] | None = None,
    *,
    as_: str | None = None,
    expect_errors: bool = False,
) -> dict[str, Any]:
    """POST a GraphQL document as a viewer; the JSON body (HTTP 200 asserted, and no
    top-level errors unless `expect_errors`)."""
    response = await post_graphql(client, document, variables, as_=as_)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    if not expect_errors:
        assert "errors" not in body, body.get("errors")
    return body


def error_codes(body: dict[str, Any]) -> list[str]:
    """The `extensions.code` of each error in a response."""
    return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]


def global_id(type_name: str, document: Document) -> str:
    """The opaque API id of a saved document."""
    assert document.id is not None
    return encode_global_id(type_name, document.id)


def codes(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    """A mutation payload's user errors as (field, code) pairs."""
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def drain_tasks(app: Starlette) -> int:
    """Run every queued background task with the app's own worker (its loops are off in tests),
    so each runs inside the footprint that announces its writes."""
    ran: int = await app.state.services.worker.drain()
    return ran
