"""The event outbox on a real replica set: positions in commit order, aborted changes leave none."""

from __future__ import annotations

import asyncio

import pytest
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from starlette.applications import Starlette

from crowdhire.events.outbox import record_event
from crowdhire.models.events import EventType, OutboxEvent


async def _write_event(subject: ObjectId, fail: bool = False) -> None:
    client = OutboxEvent.get_pymongo_collection().database.client
    async with client.start_session() as session:

        async def body(session: AsyncClientSession) -> None:
            await record_event(session, EventType.JOB_PUBLISHED, "auth0|u", {"job": subject})
            if fail:
                raise RuntimeError("the change itself failed")

        await session.with_transaction(body)


async def test_concurrent_writers_get_distinct_increasing_positions(app: Starlette) -> None:
    subjects = [ObjectId() for _ in range(20)]
    await asyncio.gather(*(_write_event(s) for s in subjects))

    events = await OutboxEvent.find_all().sort("position").to_list()
    assert [e.position for e in events] == list(range(1, 21))
    assert {e.subjects["job"] for e in events} == {str(s) for s in subjects}
    assert all(e.subject_ids == [e.subjects["job"]] for e in events)


async def test_an_aborted_change_leaves_no_event(app: Starlette) -> None:
    with pytest.raises(RuntimeError):
        await _write_event(ObjectId(), fail=True)
    await _write_event(ObjectId())

    events = await OutboxEvent.find_all().to_list()
    assert [e.position for e in events] == [1]  # the aborted change took no position either
