"""Enqueue, claim, finish and retry background tasks with single atomic MongoDB updates."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bson import ObjectId
from prometheus_client import Counter
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.models.common import utcnow
from crowdhire.models.tasks import BackgroundTask, TaskStatus

TASK_OUTCOMES = Counter(
    "crowdhire_background_tasks_total",
    "Background tasks finished (done), put back for a later attempt (retried) or given up (dead)",
    ["kind", "outcome"],
)
MAX_ERROR_CHARS = 300
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 3600.0


def _collection() -> Any:
    return BackgroundTask.get_pymongo_collection()


async def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    session: AsyncClientSession | None = None,
    dedupe_key: str | None = None,
    delay_seconds: float = 0,
    max_attempts: int = 8,
) -> None:
    """Queue a task; with a `dedupe_key`, a pending task with the same key absorbs this one.

    The upsert (rather than insert + duplicate-key error) matters inside a transaction: a
    duplicate-key error would abort the caller's whole transaction.
    """
    now = utcnow()
    document = BackgroundTask(
        kind=kind,
        payload=payload or {},
        dedupe_key=dedupe_key,
        max_attempts=max_attempts,
        run_after=now + timedelta(seconds=delay_seconds),
        created_at=now,
    ).model_dump(by_alias=True, exclude={"id"}, mode="python")
    if dedupe_key is None:
        await _collection().insert_one(document, session=session)
        return
    await _collection().update_one(
        {"dedupe_key": dedupe_key, "status": TaskStatus.PENDING.value},
        {"$setOnInsert": document},
        upsert=True,
        session=session,
    )


async def claim(
    kinds: Sequence[str], worker_id: str, lease_seconds: float
) -> BackgroundTask | None:
    """Lease the oldest runnable task of these kinds, or None; also retakes expired leases."""
    now = utcnow()
    raw = await _collection().find_one_and_update(
        {
            "kind": {"$in": list(kinds)},
            "$or": [
                {"status": TaskStatus.PENDING.value, "run_after": {"$lte": now}},
                {"status": TaskStatus.RUNNING.value, "lease_until": {"$lte": now}},
            ],
        },
        {
            "$set": {
                "status": TaskStatus.RUNNING.value,
                "lease_until": now + timedelta(seconds=lease_seconds),
                "claimed_by": worker_id,
            },
            "$inc": {"attempts": 1},
        },
        sort=[("run_after", 1)],
        return_document=ReturnDocument.AFTER,
    )
    return None if raw is None else BackgroundTask.model_validate(raw)


def _owned(task: BackgroundTask) -> dict[str, Any]:
    # A worker whose lease ran out must not overwrite the state another worker now owns.
    return {"_id": task.id, "status": TaskStatus.RUNNING.value, "claimed_by": task.claimed_by}


async def complete(task: BackgroundTask) -> None:
    """Mark a leased task done."""
    await _collection().update_one(
        _owned(task),
        {"$set": {"status": TaskStatus.DONE.value, "finished_at": utcnow(), "lease_until": None}},
    )
    TASK_OUTCOMES.labels(task.kind, "done").inc()


def backoff_seconds(attempts: int) -> float:
    """Exponential with full jitter around the step, so failed tasks don't retry in lockstep."""
    step = min(BACKOFF_BASE_SECONDS * 2.0 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    jitter: float = random.uniform(0.5, 1.5)
    return step * jitter


async def fail(task: BackgroundTask, error: BaseException) -> TaskStatus:
    """Put a failed task back with backoff, or give it up after its last attempt."""
    # The exception's type and a bounded message: enough to debug, too little to leak a payload.
    message = f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]
    now = utcnow()
    if task.attempts >= task.max_attempts:
        update: dict[str, Any] = {"status": TaskStatus.DEAD.value, "finished_at": now}
        outcome = TaskStatus.DEAD
    else:
        retry_at = now + timedelta(seconds=backoff_seconds(task.attempts))
        update = {"status": TaskStatus.PENDING.value, "run_after": retry_at}
        outcome = TaskStatus.PENDING
    update |= {"last_error": message, "lease_until": None}
    await _collection().update_one(_owned(task), {"$set": update})
    TASK_OUTCOMES.labels(task.kind, "dead" if outcome is TaskStatus.DEAD else "retried").inc()
    return outcome


async def pending_counts() -> dict[str, int]:
    """Tasks waiting or running, per kind (one aggregation, for the metrics gauge)."""
    cursor = await _collection().aggregate(
        [
            {"$match": {"status": {"$in": [TaskStatus.PENDING.value, TaskStatus.RUNNING.value]}}},
            {"$group": {"_id": "$kind", "n": {"$sum": 1}}},
        ]
    )
    return {row["_id"]: row["n"] async for row in cursor}


async def find(task_id: ObjectId) -> BackgroundTask | None:
    """One task by id (tests and admin tooling)."""
    return await BackgroundTask.get(task_id)
