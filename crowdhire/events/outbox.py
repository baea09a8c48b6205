"""Writing domain events into the outbox, inside the transaction of the change itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.models.events import EventSequence, EventType, OutboxEvent

OUTBOX_SEQUENCE = "outbox"


async def next_position(session: AsyncClientSession) -> int:
    """The next outbox position, taken in `session`'s transaction (see `EventSequence`)."""
    counter = await EventSequence.get_pymongo_collection().find_one_and_update(
        {"_id": OUTBOX_SEQUENCE},
        {"$inc": {"value": 1}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    if counter is None:  # upsert with ReturnDocument.AFTER always returns the document
        raise RuntimeError("event sequence upsert returned nothing")
    return int(counter["value"])


async def record_event(
    session: AsyncClientSession,
    event_type: EventType,
    actor_sub: str,
    subjects: Mapping[str, ObjectId | str | None],
    changed_fields: Sequence[str] = (),
) -> OutboxEvent:
    """Append one event; it commits or aborts with the change that caused it."""
    ids = {role: str(value) for role, value in subjects.items() if value is not None}
    event = OutboxEvent(
        position=await next_position(session),
        type=event_type,
        actor_sub=actor_sub,
        subjects=ids,
        subject_ids=sorted(set(ids.values())),
        changed_fields=sorted(changed_fields),
    )
    raw = event.model_dump(by_alias=True, exclude={"id"}, mode="python")
    result = await OutboxEvent.get_pymongo_collection().insert_one(raw, session=session)
    event.id = result.inserted_id
    return event
