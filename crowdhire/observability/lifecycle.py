"""Start-up: wait (bounded) for MongoDB, then fail with a message an operator can act on."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

log = logging.getLogger("crowdhire.lifecycle")


class MongoUnreachableError(RuntimeError):
    """MongoDB did not answer within the start-up timeout."""


async def wait_for_mongodb(client: AsyncMongoClient[dict[str, Any]], within: float) -> None:
    """Ping until MongoDB answers; raise MongoUnreachableError after `within` seconds."""
    deadline = time.monotonic() + within
    attempts = 0
    while True:
        attempts += 1
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0.1)):
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
