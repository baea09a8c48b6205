"""The changes feed: outbox events the viewer may see, as created/updated/deleted records.

A partner keeps a copy in step by applying each change in order (upsert the record as it is
now, or delete it) and polling again from `endCursor`. One event can change two records (a hire
updates the submission and creates the placement), so a change's cursor is the event's position
plus the change's index within it; an event position cursor (`DomainEvent.position`) is accepted
as `after` too and means "after every change of that event".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from bson import ObjectId

from crowdhire.context import Context
from crowdhire.errors import BadUserInputError, CrowdhireError, InvalidCursorError
from crowdhire.events.outbox import OUTBOX_SEQUENCE
from crowdhire.loaders.cursor_seal import seal, unseal
from crowdhire.models.events import EventSequence, EventType, OutboxEvent
from crowdhire.resolvers.access import require_signed_in
from crowdhire.resolvers.argument_rules import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from crowdhire.resolvers.events import decode_position, encode_position, may_see, subject_id

_CHANGE_TAG = b"outbox-change:"
_ALL = 1 << 30  # the index of "every change of the event"
_SCAN_BATCH = 200


class Operation(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


class RecordType(Enum):
    SUBMISSION = "Submission"
    JOB = "Job"
    PLACEMENT = "Placement"
    CANDIDATE = "Candidate"
    RECRUITER = "Recruiter"


# Each event's changes: (operation, record type, the subject role holding the record's id).
_CHANGES: dict[EventType, tuple[tuple[Operation, RecordType, str], ...]] = {
    EventType.SUBMISSION_CREATED: ((Operation.CREATED, RecordType.SUBMISSION, "submission"),),
    EventType.SUBMISSION_MOVED: ((Operation.UPDATED, RecordType.SUBMISSION, "submission"),),
    EventType.SUBMISSION_WITHDRAWN: ((Operation.UPDATED, RecordType.SUBMISSION, "submission"),),
    EventType.SUBMISSION_HIRED: (
        (Operation.UPDATED, RecordType.SUBMISSION, "submission"),
        (Operation.CREATED, RecordType.PLACEMENT, "placement"),
    ),
    EventType.JOB_PUBLISHED: ((Operation.UPDATED, RecordType.JOB, "job"),),
    EventType.JOB_PAUSED: ((Operation.UPDATED, RecordType.JOB, "job"),),
    EventType.JOB_CLOSED: ((Operation.UPDATED, RecordType.JOB, "job"),),
    EventType.JOB_FILLED: ((Operation.UPDATED, RecordType.JOB, "job"),),
    EventType.PLACEMENT_PAYMENT_STATUS_CHANGED: (
        (Operation.UPDATED, RecordType.PLACEMENT, "placement"),
    ),
    EventType.PLACEMENT_REFUND_RECORDED: ((Operation.UPDATED, RecordType.PLACEMENT, "placement"),),
    EventType.CANDIDATE_CONSENT_CHANGED: ((Operation.UPDATED, RecordType.CANDIDATE, "candidate"),),
    EventType.CANDIDATE_ERASED: ((Operation.DELETED, RecordType.CANDIDATE, "candidate"),),
    EventType.RECRUITER_REGISTERED: ((Operation.CREATED, RecordType.RECRUITER, "recruiter"),),
}


class CursorExpiredError(CrowdhireError):
    """The events after a cursor are no longer kept; the partner must copy afresh."""

    code = "CURSOR_EXPIRED"

    def __init__(self, oldest_cursor: str) -> None:
        super().__init__(
            "`after` points before the oldest change still kept: copy the records afresh, then"
            " poll from `oldestCursor` (or from the start)",
            argument="after",
            oldestCursor=oldest_cursor,
        )


@dataclass(frozen=True)
class Change:
    """One record created, updated or deleted by one event."""

    position: int
    index: int
    operation: Operation
    record_type: RecordType
    record_id: ObjectId
    changed_fields: Sequence[str]
    occurred_at: datetime

    @property
    def cursor(self) -> str:
        """Opaque place of this change in the feed."""
        return encode_change_cursor(self.position, self.index)


@dataclass(frozen=True)
class ChangePage:
    """A page of changes and where to poll from next (always set)."""

    changes: list[Change]
    end_cursor: str
    has_next_page: bool


def encode_change_cursor(position: int, index: int) -> str:
    """The cursor of the `index`-th change of the event at `position`."""
    return seal(_CHANGE_TAG + f"{position}:{index}".encode())


def decode_after(cursor: str) -> tuple[int, int]:
    """(position, index) a cursor resumes behind; an event position cursor means all its changes."""
    payload = unseal(cursor) if len(cursor) <= 200 else None
    if payload is not None and payload.startswith(_CHANGE_TAG):
        position, _, index = payload[len(_CHANGE_TAG) :].partition(b":")
        if position.isdigit() and index.isdigit():
            return int(position), int(index)
        raise InvalidCursorError("`after` is not a changes cursor", argument="after")
    return decode_position(cursor, argument="after"), _ALL


def changes_of(event: OutboxEvent) -> list[Change]:
    """The record changes one event stands for (in their fixed order)."""
    found = []
    for index, (operation, record_type, role) in enumerate(_CHANGES.get(event.type, ())):
        record_id = subject_id(event, role)
        if record_id is not None:
            found.append(Change(event.position, index, operation, record_type, record_id,
                                tuple(event.changed_fields), event.occurred_at))  # fmt: skip
    return found


def _event_types(record_types: Sequence[RecordType]) -> list[str]:
    wanted = set(record_types)
    return [t.value for t, rows in _CHANGES.items() if any(r in wanted for _, r, _ in rows)]


async def _head_position() -> int:
    counter = await EventSequence.get_pymongo_collection().find_one({"_id": OUTBOX_SEQUENCE})
    return int(counter["value"]) if counter is not None else 0


async def _ensure_kept(after: int) -> None:
    """CURSOR_EXPIRED when events right behind `after` were removed by the retention."""
    oldest = await OutboxEvent.find_all().sort("position").limit(1).to_list()
    kept_from = oldest[0].position if oldest else await _head_position() + 1
    if after < kept_from - 1:
        raise CursorExpiredError(encode_position(kept_from - 1))


def _scope(context: Context) -> dict[str, Any]:
    """A narrowing `may_see` then decides exactly: events naming the viewer or their companies."""
    viewer = context.viewer
    if viewer.is_admin:
        return {}
    ids = [str(i) for i in viewer.company_ids]
    if viewer.recruiter_id is not None:
        ids.append(str(viewer.recruiter_id))
    return {"subject_ids": {"$in": sorted(ids)}}


async def list_changes(
    context: Context, after: str | None, types: Sequence[RecordType] | None, first: int | None
) -> ChangePage:
    """The page of changes behind `after` that the viewer may see, in feed order."""
    require_signed_in(context.viewer, "changes")
    limit = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= limit <= MAX_PAGE_SIZE:
        message = f"`first` must be between 1 and {MAX_PAGE_SIZE}, got {limit}"
        raise BadUserInputError(message, argument="first")
    position, index = decode_after(after) if after is not None else (0, _ALL)
    head = await _head_position()  # read first: every event up to it has committed
    if after is not None:
        await _ensure_kept(position)
    match: dict[str, Any] = {"position": {"$gte": position, "$lte": head}, **_scope(context)}
    if types is not None:
        match["type"] = {"$in": _event_types(types)}
    found: list[Change] = []
    while len(found) <= limit:
        batch = await OutboxEvent.find(match).sort("position").limit(_SCAN_BATCH).to_list()
        for event in batch:
            if may_see(context.viewer, event):
                found += [c for c in changes_of(event) if _wanted(c, position, index, types)]
        if len(batch) < _SCAN_BATCH:
            break
        match["position"]["$gte"] = batch[-1].position + 1
    page, more = found[:limit], len(found) > limit
    if page:
        end = page[-1].cursor
    elif after is not None and head <= position:
        end = after
    else:
        end = encode_position(max(head, position))
    if page and not more and head > page[-1].position:
        end = encode_position(head)  # the rest up to head held nothing for this viewer
    return ChangePage(page, end, more)


def _wanted(change: Change, position: int, index: int, types: Sequence[RecordType] | None) -> bool:
    if change.position == position and change.index <= index:
        return False
    return types is None or change.record_type in types
