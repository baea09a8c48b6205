"""Start-up and shutdown are bounded: stopping background loops leaves one that swallows its
cancellation (as a driver call retrying through it can) behind after the limit instead of
holding shutdown forever, and waiting for MongoDB pings again and again within its window
rather than once for the client's whole operation timeout."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from pymongo import AsyncMongoClient

from crowdhire.dev.servers import free_port
from crowdhire.observability.lifecycle import (
    MongoUnreachableError,
    cancel_and_wait,
    wait_for_mongodb,
)


async def _stubborn(release: asyncio.Event) -> None:
    while not release.is_set():
        try:
            await release.wait()
        except asyncio.CancelledError:
            continue  # swallowed: what a retrying driver call may do


async def _failing() -> None:
    raise RuntimeError("loop died earlier")


async def test_a_loop_that_will_not_stop_is_left_after_the_limit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = asyncio.Event()
    stubborn = asyncio.create_task(_stubborn(release))
    polite = asyncio.create_task(asyncio.sleep(60))
    await asyncio.sleep(0)
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="crowdhire.lifecycle"):
        await cancel_and_wait([stubborn, polite], "test", within=0.3)
    assert time.monotonic() - began < 5
    assert polite.cancelled()
    assert not stubborn.done()
    assert "1 test task(s) still running 0.3 s after cancel" in caplog.text
    release.set()
    await stubborn


async def test_loops_that_stop_are_awaited_and_their_errors_retrieved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failed = asyncio.create_task(_failing())
    polite = asyncio.create_task(asyncio.sleep(60))
    await asyncio.sleep(0.01)
    with caplog.at_level(logging.WARNING, logger="crowdhire.lifecycle"):
        await cancel_and_wait([failed, polite], "test", within=5)
    assert polite.cancelled() and failed.done()
    assert "still running" not in caplog.text


async def test_waiting_for_mongodb_pings_repeatedly_despite_a_long_operation_timeout() -> None:
    # timeoutMS (an operation's whole budget) would otherwise stretch each ping to 60 s
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        f"mongodb://127.0.0.1:{free_port()}/?replicaSet=rs0", timeoutMS=60_000
    )
    try:
        with pytest.raises(MongoUnreachableError) as refused:
            await wait_for_mongodb(client, within=3, attempt_seconds=0.2)
    finally:
        await client.close()
    attempts = int(str(refused.value).split("(")[1].split(" attempts")[0])
    assert attempts >= 2, str(refused.value)
