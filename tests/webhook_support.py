"""A real HTTP receiver on loopback for webhook tests, and helpers to drive deliveries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crowdhire.events.outbox import record_event
from crowdhire.models.events import EventType, OutboxEvent
from tests.uvicorn_support import started


@dataclass
class Received:
    """One request as the receiver saw it."""

    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers with the scripted status codes in turn (then `then`), and records every request.

    `hold` makes the first `hold` requests wait until `release` is set (a slow receiver).
    `redirect_to` answers every request with a 302 to that location.
    """

    script: list[int] = field(default_factory=list)
    then: int = 200
    hold: int = 0
    redirect_to: str | None = None
    answer_body: bytes = b"ok"
    received: list[Received] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def endpoint(self, request: Request) -> Response:
        """The receiving route."""
        self.received.append(Received(dict(request.headers), await request.body()))
        self.arrived.set()
        if len(self.received) <= self.hold:
            await self.release.wait()
        if self.redirect_to is not None:
            return Response(status_code=302, headers={"location": self.redirect_to})
        index = len(self.received) - 1
        status = self.script[index] if index < len(self.script) else self.then
        return Response(self.answer_body, status_code=status)


@asynccontextmanager
async def running_receiver(receiver: Receiver) -> AsyncIterator[Receiver]:
    """Serve `receiver` with uvicorn on a free loopback port until the block ends."""
    app = Starlette(routes=[Route("/hooks", receiver.endpoint, methods=["POST"])])
    async with started(app) as url:
        receiver.url = f"{url}/hooks"
        try:
            yield receiver
        finally:
            receiver.release.set()


async def write_event(
    event_type: EventType,
    subjects: Mapping[str, ObjectId | None],
    changed: tuple[str, ...] = (),
) -> OutboxEvent:
    """Commit one outbox event in its own transaction, as a mutation would."""
    client = OutboxEvent.get_pymongo_collection().database.client
    async with client.start_session() as session:

        async def body(session: AsyncClientSession) -> OutboxEvent:
            return await record_event(session, event_type, "auth0|actor", subjects, changed)

        event: OutboxEvent = await session.with_transaction(body)
        return event
