"""Start-up and shutdown, both bounded: wait for MongoDB (then fail with a message an operator can
act on), and stop background loops without waiting on one that will not stop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Iterable
from typing import Any

import pymongo
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

log = logging.getLogger("crowdhire.lifecycle")


class MongoUnreachableError(RuntimeError):
    """MongoDB did not answer within the start-up timeout."""


async def wait_for_mongodb(
    client: AsyncMongoClient[dict[str, Any]], within: float, attempt_seconds: float = 5.0
) -> None:
    """Ping until MongoDB answers; raise MongoUnreachableError after `within` seconds.

    Each ping is bounded by `attempt_seconds` (the server-selection timeout) through PyMongo's
    own `timeout()`: the client's operation timeout (timeoutMS) otherwise overrides server
    selection, and a MongoDB that came up within a second was noticed only 50 s later.
    """
    deadline = time.monotonic() + within
    attempts = 0
    while True:
        attempts += 1
        try:
            left = max(deadline - time.monotonic(), 0.1)
            with pymongo.timeout(min(attempt_seconds, left)):
                # asyncio's bound too: with PyMongo's alone, a refused connection attempt left
                # its socket unclosed (a ResourceWarning in tests/test_lifecycle_bounds.py)
                async with asyncio.timeout(left):
                    await client.admin.command("ping")
            return
        except (PyMongoError, TimeoutError) as error:
            if time.monotonic() >= deadline:
                message = (
                    f"MongoDB unreachable at start-up: no answer within {within:g} s "
                    f"({attempts} attempts, last error {type(error).__name__}); check MONGODB_URI "
                    "and that the replica set is up, or raise MONGODB_STARTUP_TIMEOUT_SECONDS"
                )
                log.critical(message)
                raise MongoUnreachableError(message) from None
            if attempts == 1:
                log.warning("waiting up to %g s for MongoDB to answer", within)
        await asyncio.sleep(min(0.5, max(deadline - time.monotonic(), 0)))


SHUTDOWN_WITHIN_SECONDS = 5.0


async def cancel_and_wait(
    tasks: Iterable[asyncio.Task[Any]], what: str, within: float = SHUTDOWN_WITHIN_SECONDS
) -> None:
    """Cancel background loops and wait for them, at most `within` seconds.

    Bounded because a loop inside a driver call that retries through its cancellation would
    otherwise hold shutdown, and with it a rolling deploy, forever. What it leaves behind is
    safe to abandon: claimed tasks are retaken when their lease expires, cursors time out.
    """
    pending = [task for task in tasks if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        _, stuck = await asyncio.wait(pending, timeout=within)
        if stuck:
            log.warning("%d %s task(s) still running %g s after cancel", len(stuck), what, within)
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved, so asyncio does not report it at garbage collection


async def close_within(
    closing: Awaitable[None], what: str, within: float = SHUTDOWN_WITHIN_SECONDS
) -> None:
    """Await a client's close, at most `within` seconds: PyMongo's close ends its sessions on
    the server, and with the primary frozen that waited 38 s, past a container's stop grace
    period. The process is exiting; the server reclaims what was not said goodbye to."""
    try:
        async with asyncio.timeout(within):
            await closing
    except TimeoutError:
        log.warning("%s did not close within %g s; left to the process exit", what, within)
