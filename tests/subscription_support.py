"""A real uvicorn per app and a graphql-transport-ws client on the `websockets` library."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from crowdhire.events.outbox import record_event
from crowdhire.models.events import EventType, OutboxEvent
from crowdhire.schema.ids import encode_global_id
from crowdhire.server import create_app
from crowdhire.settings import Settings
from tests.uvicorn_support import started

PROTOCOL = "graphql-transport-ws"


@asynccontextmanager
async def serve(
    settings: Settings, *, drop: bool = True, listeners: Sequence[CommandListener] = ()
) -> AsyncIterator[tuple[Starlette, str]]:
    """The app under uvicorn on a free loopback port; yields it and its base URL (http://)."""
    app = create_app(settings, mongo_listeners=listeners)
    async with started(app) as url:
        try:
            yield app, url
        finally:
            if drop:
                await app.state.services.mongo.drop_database(settings.mongodb_db)


async def write_event(
    event_type: EventType,
    subjects: Mapping[str, ObjectId | str | None],
    actor: str = "auth0|writer",
) -> OutboxEvent:
    """One outbox event committed in its own transaction, as a mutation would write it."""
    client = OutboxEvent.get_pymongo_collection().database.client
    written: list[OutboxEvent] = []
    async with client.start_session() as session:

        async def body(session: AsyncClientSession) -> None:
            written[:] = [await record_event(session, event_type, actor, dict(subjects))]

        await session.with_transaction(body)
    return written[0]


async def change_stream_cursors(settings: Settings) -> set[int]:
    """Ids of the change-stream cursors open on the outbox, as mongod reports them."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri)
    try:
        change_streams = {
            "ns": f"{settings.mongodb_db}.outbox_events",
            "cursor.originatingCommand.pipeline.0.$changeStream": {"$exists": True},
        }
        operations = await client.admin.aggregate(
            [{"$currentOp": {"allUsers": True, "idleCursors": True}}, {"$match": change_streams}]
        )
        return {operation["cursor"]["cursorId"] async for operation in operations}
    finally:
        await client.close()


def event_ids(events: list[OutboxEvent]) -> list[str]:
    """The GraphQL ids of outbox events, in order."""
    return [encode_global_id("DomainEvent", e.id) for e in events if e.id is not None]


class SocketClosedError(Exception):
    """The server closed the socket; `code` and `reason` are what it sent."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code}: {reason}")
        self.code = code
        self.reason = reason


class GraphQLSocket:
    """One graphql-transport-ws client connection; answers the server's pings unless told not to."""

    def __init__(self, ws: ClientConnection, *, answer_pings: bool = True) -> None:
        self.ws = ws
        self.answer_pings = answer_pings
        self.pings = 0

    @classmethod
    @asynccontextmanager
    async def open(
        cls, base_url: str, payload: dict[str, Any] | None, *, answer_pings: bool = True
    ) -> AsyncIterator[GraphQLSocket]:
        """A socket that has sent connection_init with `payload` (not yet awaited the ack)."""
        url = base_url.replace("http://", "ws://") + "/graphql"
        async with connect(url, subprotocols=[PROTOCOL], open_timeout=10) as ws:  # type: ignore[list-item]
            socket = cls(ws, answer_pings=answer_pings)
            await socket.send({"type": "connection_init", "payload": payload or {}})
            yield socket

    @classmethod
    @asynccontextmanager
    async def signed_in(cls, base_url: str, token: str) -> AsyncIterator[GraphQLSocket]:
        """An acknowledged socket authenticated with `token`."""
        async with cls.open(base_url, {"Authorization": f"Bearer {token}"}) as socket:
            ack = await socket.receive()
            assert ack["type"] == "connection_ack", ack
            yield socket

    async def send(self, message: dict[str, Any]) -> None:
        """Send one protocol message."""
        await self.ws.send(json.dumps(message))

    async def receive(self, within: float = 10) -> dict[str, Any]:
        """The next message other than a ping; SocketClosedError once the server closed."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            left = deadline - asyncio.get_running_loop().time()
            try:
                raw = await asyncio.wait_for(self.ws.recv(), max(left, 0))
            except ConnectionClosed as closed:
                frame = closed.rcvd
                code, reason = (frame.code, frame.reason) if frame else (None, "")
                raise SocketClosedError(code, reason) from None
            message: dict[str, Any] = json.loads(raw)
            if message["type"] == "ping":
                self.pings += 1
                if self.answer_pings:
                    await self.send({"type": "pong"})
                continue
            return message

    async def closed(self, within: float = 10) -> SocketClosedError:
        """Wait for the server to close the socket; fails if a message arrives instead."""
        try:
            message = await self.receive(within)
        except SocketClosedError as closed:
            return closed
        raise AssertionError(f"expected the socket to close, got {message}")

    async def subscribe(
        self, operation_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        """Start an operation."""
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})

    async def next_data(self, operation_id: str, within: float = 10) -> dict[str, Any]:
        """The `data` of the operation's next result (errors fail the test)."""
        message = await self.receive(within)
        assert message.get("id") == operation_id and message["type"] == "next", message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def silent(self, seconds: float) -> bool:
        """True when nothing but pings arrives within `seconds`."""
        try:
            message = await self.receive(seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"expected silence, got {message}")
