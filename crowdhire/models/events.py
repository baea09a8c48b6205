"""OutboxEvent: one domain event, written in the transaction of the change that caused it.

Subscriptions, webhooks and the changes feed all read this one collection, so they agree on
what happened and in which order. An event names the objects it concerns and the fields that
changed, never their values: receivers select what they want through GraphQL, and an erased
candidate's events hold nothing but ids.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field
from pymongo import ASCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow


class EventType(StrEnum):
    """The event catalogue; values are the dotted names webhook bodies carry."""

    SUBMISSION_CREATED = "submission.created"
    SUBMISSION_MOVED = "submission.moved"
    SUBMISSION_WITHDRAWN = "submission.withdrawn"
    SUBMISSION_HIRED = "submission.hired"
    JOB_PUBLISHED = "job.published"
    JOB_PAUSED = "job.paused"
    JOB_CLOSED = "job.closed"
    JOB_FILLED = "job.filled"
    PLACEMENT_PAYMENT_STATUS_CHANGED = "placement.payment_status_changed"
    PLACEMENT_REFUND_RECORDED = "placement.refund_recorded"
    CANDIDATE_CONSENT_CHANGED = "candidate.consent_changed"
    CANDIDATE_ERASED = "candidate.erased"
    RECRUITER_REGISTERED = "recruiter.registered"


class OutboxEvent(StoredDocument):
    """A domain event at its position in the one total order of events.

    `subjects` maps a role (submission, job, company, recruiter, candidate, placement) to the
    id of the object in that role, so access rules can be applied per receiver without reading
    the objects themselves; `subject_ids` is the same ids as a list, for an index.
    """

    position: int
    type: EventType
    occurred_at: UtcDatetime = Field(default_factory=utcnow)
    actor_sub: str
    subjects: dict[str, str] = Field(default_factory=dict)
    subject_ids: list[str] = Field(default_factory=list)
    changed_fields: list[str] = Field(default_factory=list)

    class Settings:
        name = "outbox_events"
        use_cache = False
        indexes = [
            IndexModel([("position", ASCENDING)], unique=True),
            IndexModel([("subject_ids", ASCENDING), ("position", ASCENDING)]),
            IndexModel([("type", ASCENDING), ("position", ASCENDING)]),
        ]


class EventSequence(StoredDocument):
    """The counter events take their positions from, one document per sequence.

    Incremented inside the writing transaction: two transactions that both write events
    conflict on it, so the later one retries and positions become visible in commit order. A
    reader that has seen position N never later finds an event below N appear.
    """

    id: str  # type: ignore[assignment]
    value: int = 0

    class Settings:
        name = "event_sequences"
        use_cache = False
