"""BackgroundTask: one unit of background work, kept in MongoDB so a restart loses nothing."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field
from pymongo import ASCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow


class TaskStatus(StrEnum):
    """PENDING waits for its run time; RUNNING is leased; DEAD gave up after its last attempt."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"


class BackgroundTask(StoredDocument):
    """A queued call of a named handler with a JSON payload.

    A claim leases the task until `lease_until`; a worker that dies mid-task leaves the lease
    to expire, and the next claim takes the task again (at least once: handlers are idempotent).
    """

    kind: str
    payload: dict[str, Any] = Field(default_factory=dict)
    status: TaskStatus = TaskStatus.PENDING
    attempts: int = 0
    max_attempts: int = 8
    run_after: UtcDatetime = Field(default_factory=utcnow)
    lease_until: UtcDatetime | None = None
    claimed_by: str | None = None
    last_error: str | None = None
    # Equal keys collapse into one pending task: "embed job X" queued twice runs once.
    dedupe_key: str | None = None
    created_at: UtcDatetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None

    class Settings:
        name = "background_tasks"
        use_cache = False
        indexes = [
            IndexModel([("status", ASCENDING), ("run_after", ASCENDING)]),
            IndexModel([("kind", ASCENDING), ("status", ASCENDING)]),
            IndexModel(
                [("dedupe_key", ASCENDING)],
                unique=True,
                partialFilterExpression={
                    "status": TaskStatus.PENDING.value,
                    "dedupe_key": {"$type": "string"},
                },
            ),
            # Finished tasks are history only; a week of it is enough to debug with.
            IndexModel([("finished_at", ASCENDING)], expireAfterSeconds=7 * 24 * 3600),
        ]
