"""Webhooks in one process: the delivery handler's HTTP client and the fan-out loop.

Every instance runs the loop; the dispatch transaction makes concurrent passes safe, so there
is no leader to elect and no instance whose loss stops webhooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from crowdhire.cache import ObjectCache
from crowdhire.observability.lifecycle import cancel_and_wait
from crowdhire.resolvers.webhook_deliveries import DELIVER_TASK
from crowdhire.settings import Settings
from crowdhire.tasks.worker import Handler, TaskWorker
from crowdhire.webhooks.delivery import DeliveryHandler
from crowdhire.webhooks.dispatch import dispatch_once

log = logging.getLogger("crowdhire.webhooks")


class WebhookService:
    """Owns the HTTP client of webhook attempts and runs the fan-out every few seconds."""

    def __init__(self, settings: Settings, cache: ObjectCache | None = None) -> None:
        self.settings = settings
        # trust_env off: an HTTP(S)_PROXY variable must not reroute calls the guard approved.
        self.http = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        self.deliver = DeliveryHandler(settings, self.http, cache)
        self._loop: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()

    def handlers(self) -> dict[str, Handler]:
        """The task kinds webhooks add to the worker."""
        return {DELIVER_TASK: self.deliver}

    async def dispatch(self) -> int:
        """Fan out every event waiting behind the mark; deliveries created."""
        created = 0
        while (count := await dispatch_once(self.settings.webhook_dispatch_batch)) is not None:
            created += count
        return created

    async def _run(self, worker: TaskWorker) -> None:
        while not self._stopped.is_set():
            try:
                if await self.dispatch():
                    worker.wake()
            except Exception:  # MongoDB away: try again at the next tick
                log.warning("webhook fan-out failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.webhook_dispatch_seconds):
                    await self._stopped.wait()

    def start(self, worker: TaskWorker) -> None:
        """Start the fan-out loop on the running event loop."""
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(worker))

    async def stop(self) -> None:
        """Cancel the loop and close the HTTP client.

        Cancelled, not awaited to its end: with MongoDB away a dispatch transaction retries for
        minutes, and a fan-out cut off mid-way commits nothing (the next pass redoes it).
        """
        self._stopped.set()
        if self._loop is not None:
            await cancel_and_wait([self._loop], "webhook fan-out")
            self._loop = None
        await self.http.aclose()
