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

from crowdhire.schema.ids import encode_global_id

# Handshakes, heartbeats and session bookkeeping are not queries the API issued.
_INFRASTRUCTURE = {"hello", "ismaster", "isMaster", "ping", "endSessions", "buildInfo", "saslStart"}


class CommandCounter(CommandListener):
    """Counts the MongoDB commands the app sends (PyMongo command monitoring)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: CommandStartedEvent) -> None:
        """Record one command by name."""
        if event.command_name not in _INFRASTRUCTURE:
            self.names.append(event.command_name)

    def succeeded(self, event: CommandSucceededEvent) -> None:
        """Nothing to record."""

    def failed(self, event: CommandFailedEvent) -> None:
        """Nothing to record."""

    def reset(self) -> None:
        """Start counting from zero."""
        self.names.clear()

    @property
    def count(self) -> int:
        """Commands seen since the last reset."""
        return len(self.names)


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    expect_errors: bool = False,
) -> dict[str, Any]:
    """POST a GraphQL document; return the JSON body (asserting no errors unless expected)."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
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


async def post_as(
    client: httpx.AsyncClient, token: str | None, query: str, **variables: Any
) -> dict[str, Any]:
    """POST a document with an optional bearer token; the whole JSON body (HTTP 200 asserted)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def call(
    client: httpx.AsyncClient, token: str | None, query: str, **variables: Any
) -> dict[str, Any]:
    """POST a document with an optional bearer token; no top-level errors allowed; the data."""
    body = await post_as(client, token, query, **variables)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def codes(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    """A mutation payload's user errors as (field, code) pairs."""
    return [(error["field"], error["code"]) for error in payload["userErrors"]]
