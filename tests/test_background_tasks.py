"""The durable task queue on a real mongod: claims, retries, leases, dedupe and metrics."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from crowdhire.models.common import utcnow
from crowdhire.models.tasks import BackgroundTask, TaskStatus
from crowdhire.tasks import queue
from crowdhire.tasks.worker import TaskWorker


class Recorder:
    """A handler that records payloads and fails its first `failures` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.failures = failures

    async def __call__(self, payload: dict[str, Any]) -> None:
        self.calls.append(payload)
        if len(self.calls) <= self.failures:
            raise RuntimeError("receiver answered 500")


async def test_an_enqueued_task_runs_once_and_is_marked_done(app: Starlette) -> None:
    recorder = Recorder()
    worker = TaskWorker({"greet": recorder})
    await queue.enqueue("greet", {"to": "ada"})

    assert await worker.drain() == 1
    assert recorder.calls == [{"to": "ada"}]
    (task,) = await BackgroundTask.find_all().to_list()
    assert task.status is TaskStatus.DONE and task.attempts == 1
    assert await worker.drain() == 0


async def test_a_failing_task_is_retried_later_then_given_up(app: Starlette) -> None:
    recorder = Recorder(failures=10)
    worker = TaskWorker({"flaky": recorder})
    await queue.enqueue("flaky", {}, max_attempts=2)

    await worker.run_once()
    (task,) = await BackgroundTask.find_all().to_list()
    assert task.status is TaskStatus.PENDING
    assert task.last_error == "RuntimeError: receiver answered 500"
    assert task.run_after > utcnow()  # backoff: not runnable right away
    assert await worker.run_once() is None

    await BackgroundTask.find_all().update({"$set": {"run_after": utcnow()}})
    await worker.run_once()
    (task,) = await BackgroundTask.find_all().to_list()
    assert task.status is TaskStatus.DEAD and task.attempts == 2
    assert len(recorder.calls) == 2


async def test_a_pending_task_with_the_same_key_absorbs_the_next(app: Starlette) -> None:
    for _ in range(3):
        await queue.enqueue("embed", {"id": "job-1"}, dedupe_key="embed:job-1")
    await queue.enqueue("embed", {"id": "job-2"}, dedupe_key="embed:job-2")

    assert await BackgroundTask.find_all().count() == 2


async def test_two_workers_share_the_queue_without_running_a_task_twice(app: Starlette) -> None:
    seen: list[int] = []

    async def handler(payload: dict[str, Any]) -> None:
        await asyncio.sleep(0.005)
        seen.append(payload["n"])

    for n in range(30):
        await queue.enqueue("count", {"n": n})
    first, second = TaskWorker({"count": handler}), TaskWorker({"count": handler})

    ran = await asyncio.gather(first.drain(), second.drain())

    assert sorted(seen) == list(range(30))
    assert sum(ran) == 30 and min(ran) > 0


async def test_an_expired_lease_is_retaken_and_the_old_owner_cannot_finish_it(
    app: Starlette,
) -> None:
    await queue.enqueue("slow", {})
    crashed = await queue.claim(["slow"], "worker-that-died", lease_seconds=60)
    assert crashed is not None
    assert await queue.claim(["slow"], "other", lease_seconds=60) is None  # still leased
    await BackgroundTask.find_all().update({"$set": {"lease_until": utcnow() - timedelta(1)}})

    recorder = Recorder()
    assert await TaskWorker({"slow": recorder}).run_once() is not None
    await queue.complete(crashed)  # the late original owner; must not count as its finish

    (task,) = await BackgroundTask.find_all().to_list()
    assert task.status is TaskStatus.DONE and task.attempts == 2
    assert task.claimed_by != "worker-that-died"


async def test_the_started_worker_runs_tasks_in_the_background(app: Starlette) -> None:
    done = asyncio.Event()

    async def handler(payload: dict[str, Any]) -> None:
        done.set()

    worker = TaskWorker({"ping": handler}, poll_seconds=0.05)
    worker.start()
    try:
        await queue.enqueue("ping", {})
        await asyncio.wait_for(done.wait(), timeout=10)
    finally:
        await worker.stop()


async def test_outcomes_show_in_metrics(
    app: Starlette, anonymous_client: httpx.AsyncClient
) -> None:
    await queue.enqueue("metered", {})
    await TaskWorker({"metered": Recorder()}).drain()

    body = (await anonymous_client.get("/metrics")).text

    assert 'crowdhire_background_tasks_total{kind="metered",outcome="done"}' in body
