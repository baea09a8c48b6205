"""What bounds a subscriber: caps, the slow-consumer cut-off, heartbeats, one cursor per process."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.events.outbox import record_event
from crowdhire.models.events import EventType, OutboxEvent
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.subscription_support import (
    GraphQLSocket,
    SocketClosedError,
    change_stream_cursors,
    serve,
    write_event,
)

EVENTS = "subscription { events { position type } }"


async def test_operations_per_connection_are_capped(settings: Settings, issuer: Issuer) -> None:
    async with (
        serve(settings.model_copy(update={"subscriptions_per_connection": 2})) as (_, url),
        GraphQLSocket.signed_in(url, issuer.admin_token()) as socket,
    ):
        for operation_id in ("1", "2", "3"):
            await socket.subscribe(operation_id, EVENTS)
        refused = await socket.receive()
        assert refused["id"] == "3" and refused["type"] == "error"
        assert refused["payload"][0]["message"] == "Subscription limit reached"
        await write_event(EventType.JOB_PAUSED, {"job": ObjectId()})
        delivered = {(await socket.receive())["id"], (await socket.receive())["id"]}
        assert delivered == {"1", "2"}


async def test_connections_per_identity_are_capped(settings: Settings, issuer: Issuer) -> None:
    capped = settings.model_copy(update={"subscription_connections_per_identity": 2})
    token = issuer.token("auth0|many-tabs", ["admin:all"])
    async with serve(capped) as (_, url):
        async with (
            GraphQLSocket.signed_in(url, token),
            GraphQLSocket.signed_in(url, token),
            GraphQLSocket.signed_in(url, issuer.admin_token()),  # someone else: own allowance
        ):
            async with GraphQLSocket.open(url, {"Authorization": f"Bearer {token}"}) as third:
                closed = await third.closed()
            assert (closed.code, closed.reason) == (4429, "At most 2 connections per identity")
        # the slots come back when the sockets close
        async with GraphQLSocket.signed_in(url, token), GraphQLSocket.signed_in(url, token):
            pass


async def _burst(count: int) -> None:
    """`count` events in one transaction: the change stream hands them over back to back."""
    client = OutboxEvent.get_pymongo_collection().database.client
    async with client.start_session() as session:

        async def body(session: AsyncClientSession) -> None:
            for _ in range(count):
                await record_event(session, EventType.JOB_PAUSED, "auth0|w", {"job": ObjectId()})

        await session.with_transaction(body)


async def test_a_consumer_a_buffer_behind_is_closed_with_4008(
    settings: Settings, issuer: Issuer
) -> None:
    async with (
        serve(settings.model_copy(update={"subscription_queue_size": 3})) as (_, url),
        GraphQLSocket.signed_in(url, issuer.admin_token()) as socket,
    ):
        await socket.subscribe("1", EVENTS)
        await asyncio.sleep(0.3)
        await _burst(50)
        received: list[dict[str, Any]] = []
        while True:
            try:
                received.append(await socket.receive())
            except SocketClosedError as closed:
                code, reason = closed.code, closed.reason
                break
    assert code == 4008
    assert reason == "Slow consumer: too many undelivered events, resume with `after`"
    assert len(received) <= 3 + 1  # the buffer, and the one being sent when it overflowed
    assert all(m["type"] == "next" for m in received)  # never a `complete`: the client resumes


async def test_a_consumer_within_its_buffer_gets_every_event(
    settings: Settings, issuer: Issuer
) -> None:
    async with (
        serve(settings.model_copy(update={"subscription_queue_size": 64})) as (_, url),
        GraphQLSocket.signed_in(url, issuer.admin_token()) as socket,
    ):
        await socket.subscribe("1", EVENTS)
        await asyncio.sleep(0.3)
        await _burst(50)
        got = [(await socket.next_data("1"))["events"]["type"] for _ in range(50)]
        assert got == ["JOB_PAUSED"] * 50


async def test_heartbeats_keep_answering_clients_and_drop_silent_ones(
    settings: Settings, issuer: Issuer
) -> None:
    beating = settings.model_copy(update={"subscription_heartbeat_seconds": 0.3})
    async with serve(beating) as (_, url):
        async with GraphQLSocket.signed_in(url, issuer.admin_token()) as alive:
            assert await alive.silent(1.5)  # pings answered meanwhile
            assert alive.pings >= 3
        async with GraphQLSocket.open(
            url, {"Authorization": f"Bearer {issuer.admin_token()}"}, answer_pings=False
        ) as silent:
            assert (await silent.receive())["type"] == "connection_ack"
            closed = await silent.closed()
            assert (closed.code, closed.reason) == (4504, "No pong since the last ping")


async def test_queries_and_mutations_are_refused_over_the_socket(
    settings: Settings, issuer: Issuer
) -> None:
    async with (
        serve(settings) as (_, url),
        GraphQLSocket.signed_in(url, issuer.admin_token()) as socket,
    ):
        await socket.subscribe("q", "{ jobs(first: 1) { totalCount } }")
        refused = await socket.receive()
        await socket.subscribe("m", "mutation { __typename }")
        refused_mutation = await socket.receive()
    for message, operation_id in ((refused, "q"), (refused_mutation, "m")):
        assert message["id"] == operation_id and message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "OPERATION_NOT_SUPPORTED"


async def test_many_subscribers_share_one_change_stream(settings: Settings, issuer: Issuer) -> None:
    async with serve(settings) as (_, url), AsyncExitStack() as stack:
        assert await change_stream_cursors(settings) == set()  # none before a subscriber
        sockets = []
        for n in range(10):
            token = issuer.token(f"auth0|admin-{n}", ["admin:all"])
            socket = await stack.enter_async_context(GraphQLSocket.signed_in(url, token))
            for operation_id in range(10):
                await socket.subscribe(str(operation_id), EVENTS)
            sockets.append(socket)
        await asyncio.sleep(0.5)
        await write_event(EventType.JOB_PAUSED, {"job": ObjectId()})
        for socket in sockets:
            ids = {(await socket.receive())["id"] for _ in range(10)}
            assert ids == {str(n) for n in range(10)}
        cursors = await change_stream_cursors(settings)
    assert len(cursors) == 1  # 100 subscriptions, one cursor
