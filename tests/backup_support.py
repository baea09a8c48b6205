"""Helpers of the backup tests: a follower running beside the test, raw dumps of a database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pymongo
from pymongo import AsyncMongoClient

from crowdhire.backup.archive import Archive
from crowdhire.backup.cluster_time import majority_point
from crowdhire.backup.service import Schedule, follow
from crowdhire.backup.snapshot import RAW

FAST = Schedule(poll_seconds=0.1, segment_seconds=0.3, snapshot_hours=24.0, keep_days=7.0)


async def caught_up(client: AsyncMongoClient[Any], archive: Archive) -> None:
    """Wait until the archive holds everything the majority has committed right now."""
    target, _ = await majority_point(client)
    timeout = 20.0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        position = archive.position()
        if position is not None and position.covered >= target:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the follower did not reach {target} within {timeout} s")


@asynccontextmanager
async def following(
    client: AsyncMongoClient[Any], database: str, archive: Archive, key: bytes | None = None,
    schedule: Schedule = FAST,
) -> AsyncIterator[asyncio.Task[None]]:  # fmt: skip
    """`backup follow` as a task; on leaving, it catches up and stops."""
    stop = asyncio.Event()
    task = asyncio.create_task(follow(client, database, archive, key, schedule, stop))
    while archive.position() is None and not task.done():  # noqa: ASYNC110 - polls the archive
        await asyncio.sleep(0.05)
    try:
        yield task
        if not task.done():
            await caught_up(client, archive)
    finally:
        stop.set()
        await task


def raw_dump(uri: str, database: str) -> dict[str, list[bytes]]:
    """Every document of every non-empty collection, as its BSON bytes, sorted."""
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri)
    with client:
        db: Any = client.get_database(database, codec_options=RAW)
        found = {name: sorted(bytes(doc.raw) for doc in db[name].find())
                 for name in db.list_collection_names()}  # fmt: skip
    return {name: docs for name, docs in found.items() if docs}
