"""The in-process worker: claims tasks the handlers know, runs them, records the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from prometheus_client import Gauge

from crowdhire.models.tasks import BackgroundTask
from crowdhire.observability.lifecycle import cancel_and_wait
from crowdhire.tasks import queue

log = logging.getLogger("crowdhire.tasks")

Handler = Callable[[dict[str, Any]], Awaitable[None]]
"""Does one task's work from its payload; must be idempotent (delivery is at least once)."""

TASKS_WAITING = Gauge(
    "crowdhire_background_tasks_waiting", "Background tasks pending or running, by kind", ["kind"]
)
GAUGE_REFRESH_SECONDS = 15.0


def worker_identity() -> str:
    """Host, pid and a random part: unique per process, readable in `claimed_by`."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class TaskWorker:
    """Runs `concurrency` claim loops; each sleeps `poll_seconds` when nothing is runnable."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        *,
        poll_seconds: float = 1.0,
        lease_seconds: float = 60.0,
        concurrency: int = 1,
        around: Callable[[], AbstractAsyncContextManager[object]] | None = None,
    ) -> None:
        self.handlers = dict(handlers)
        # What each task runs inside: the server's worker announces the task's writes to the
        # response cache, analysed per object (crowdhire.footprints.task_footprint); a worker
        # built without it (tests of the queue itself) runs the handlers bare.
        self._around = around
        self.worker_id = worker_identity()
        self._poll = poll_seconds
        self._lease = lease_seconds
        self._concurrency = concurrency
        self._loops: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Look for work now instead of at the next poll (after enqueueing in this process)."""
        self._wake.set()

    async def run_once(self) -> BackgroundTask | None:
        """Claim and run one task; None when nothing was runnable."""
        task = await queue.claim(list(self.handlers), self.worker_id, self._lease)
        if task is None:
            return None
        try:
            # The lease is the promise to others that this worker still owns the task.
            async with asyncio.timeout(self._lease):
                async with self._around() if self._around else nullcontext():
                    await self.handlers[task.kind](task.payload)
        except Exception as error:  # noqa: BLE001 - any handler failure is a retry, not a crash
            outcome = await queue.fail(task, error)
            log.warning(
                "background task failed",
                extra={"task_kind": task.kind, "attempts": task.attempts, "outcome": outcome},
            )
        else:
            await queue.complete(task)
        return task

    async def drain(self) -> int:
        """Run tasks until none is runnable; how many ran (tests and CLI one-shots)."""
        ran = 0
        while await self.run_once() is not None:
            ran += 1
        return ran

    async def _loop(self) -> None:
        # A flag as well as cancel(): PyMongo may turn a cancellation into an error of its own.
        while not self._stopping:
            try:
                task = await self.run_once()
            except Exception:
                log.warning("background worker could not reach MongoDB", exc_info=True)
                task = None
            if task is None:
                self._wake.clear()
                try:
                    async with asyncio.timeout(self._poll):
                        await self._wake.wait()
                except TimeoutError:
                    pass

    async def _refresh_gauge(self) -> None:
        # The flag and the stop event, not only cancel(): a cancellation that PyMongo turned into
        # an error of its own was caught below, and a bare sleep then kept stop() waiting.
        while not self._stopping:
            try:
                counts = await queue.pending_counts()
            except Exception:  # noqa: BLE001 - metrics wait for MongoDB to come back
                counts = None
            if counts is not None:
                for kind in self.handlers:
                    TASKS_WAITING.labels(kind).set(counts.get(kind, 0))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(GAUGE_REFRESH_SECONDS):
                    await self._stopped.wait()

    def start(self) -> None:
        """Start the claim loops and the metrics refresher on the running event loop."""
        if not self.handlers or self._loops:
            return
        self._loops = [asyncio.create_task(self._loop()) for _ in range(self._concurrency)]
        self._loops.append(asyncio.create_task(self._refresh_gauge()))

    async def stop(self) -> None:
        """Cancel the loops; a task cut off mid-run is retaken when its lease expires."""
        self._stopping = True
        self._wake.set()
        self._stopped.set()
        await cancel_and_wait(self._loops, "task worker")
        self._loops = []
