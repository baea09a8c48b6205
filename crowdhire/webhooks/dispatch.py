"""Fan-out from the outbox to deliveries, safe to run on every instance at once.

One transaction moves the dispatch mark from the position it read to the last event of the
batch, inserts that batch's deliveries and queues their first attempts. Two instances that read
the same mark conflict on it and only one commits, so every (endpoint, event) pair gets exactly
one delivery; a crash before the commit leaves nothing behind and the next pass does the batch
again. Positions become visible in commit order (see `EventSequence`), so an event can never
appear behind the mark after it moved.
"""

from __future__ import annotations

from bson import ObjectId
from prometheus_client import Counter
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError, OperationFailure

from crowdhire.auth.viewer import ADMIN_PERMISSION, Viewer
from crowdhire.models.common import utcnow
from crowdhire.models.companies import MemberRole
from crowdhire.models.events import OutboxEvent
from crowdhire.models.webhooks import (
    DispatchMark,
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from crowdhire.resolvers.events import may_see
from crowdhire.resolvers.webhook_deliveries import enqueue_attempt

DISPATCH_MARK_ID = "webhooks"
DELIVERIES_CREATED = Counter(
    "crowdhire_webhook_deliveries_created_total", "Deliveries the outbox fan-out created"
)


def owner_viewer(endpoint: WebhookEndpoint) -> Viewer:
    """Whom the endpoint hears as: its company as a whole, or an admin for admin endpoints."""
    sub = f"webhook-endpoint:{endpoint.id}"
    if endpoint.company_id is None:
        return Viewer(sub=sub, permissions=frozenset({ADMIN_PERMISSION}))
    return Viewer(sub=sub, company_roles={endpoint.company_id: MemberRole.OWNER})


async def _current_mark() -> int:
    found = await DispatchMark.get_pymongo_collection().find_one({"_id": DISPATCH_MARK_ID})
    return int(found["position"]) if found else 0


async def _events_after(position: int, limit: int) -> list[OutboxEvent]:
    cursor = OutboxEvent.get_pymongo_collection().find({"position": {"$gt": position}})
    raw = await cursor.sort("position", 1).limit(limit).to_list()
    return [OutboxEvent.model_validate(doc) for doc in raw]


async def _listening_endpoints(events: list[OutboxEvent]) -> list[WebhookEndpoint]:
    types = sorted({event.type.value for event in events})
    query = {"status": EndpointStatus.ACTIVE.value, "event_types": {"$in": types}}
    raw = await WebhookEndpoint.get_pymongo_collection().find(query).to_list()
    return [WebhookEndpoint.model_validate(doc) for doc in raw]


def plan_deliveries(
    events: list[OutboxEvent], endpoints: list[WebhookEndpoint]
) -> list[WebhookDelivery]:
    """One delivery per event and endpoint that subscribed to its type and may see it."""
    viewers = [(endpoint, owner_viewer(endpoint)) for endpoint in endpoints]
    planned: list[WebhookDelivery] = []
    for event in events:
        for endpoint, viewer in viewers:
            if (
                event.type in endpoint.event_types
                and event.position > endpoint.after_position
                and may_see(viewer, event)
            ):
                assert endpoint.id is not None and event.id is not None
                planned.append(
                    WebhookDelivery(
                        id=ObjectId(),
                        endpoint_id=endpoint.id,
                        event_id=event.id,
                        event_position=event.position,
                        event_type=event.type,
                    )
                )
    return planned


async def dispatch_once(batch_size: int) -> int | None:
    """Fan out the next batch; deliveries created, or None when there was nothing new."""
    mark = await _current_mark()
    events = await _events_after(mark, batch_size)
    if not events:
        return None
    planned = plan_deliveries(events, await _listening_endpoints(events))
    client = OutboxEvent.get_pymongo_collection().database.client

    async def commit(session: AsyncClientSession) -> None:
        # Upsert as compare-and-set: a mark moved by someone else fails on the unique _id.
        await DispatchMark.get_pymongo_collection().update_one(
            {"_id": DISPATCH_MARK_ID, "position": mark},
            {"$set": {"position": events[-1].position, "updated_at": utcnow()}},
            upsert=True,
            session=session,
        )
        if planned:
            # Upserts, not inserts: a mark reset by hand must replay, not wedge on duplicates.
            writes = [
                UpdateOne(
                    {"endpoint_id": d.endpoint_id, "event_id": d.event_id},
                    {"$setOnInsert": d.model_dump(by_alias=True, mode="python")},
                    upsert=True,
                )
                for d in planned
            ]
            await WebhookDelivery.get_pymongo_collection().bulk_write(writes, session=session)
        for delivery in planned:
            assert delivery.id is not None
            await enqueue_attempt(delivery.id, 1, session)

    try:
        # One try, not with_transaction's retries: a pass that loses is simply redone by the
        # next one, and a retry loop would outlive a shutdown while MongoDB is away.
        async with client.start_session() as session, await session.start_transaction():
            await commit(session)
    except DuplicateKeyError:
        return 0  # another instance fanned this batch out first
    except OperationFailure as conflict:
        if conflict.has_error_label("TransientTransactionError"):
            return 0  # a concurrent pass moved the mark; the next pass reads it afresh
        raise
    DELIVERIES_CREATED.inc(len(planned))
    return len(planned)
