"""Stopping background loops is bounded: one that swallows its cancellation (as a driver call
retrying through it can) is left behind after the limit instead of holding shutdown forever."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from crowdhire.observability.lifecycle import cancel_and_wait


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
