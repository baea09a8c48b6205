"""Webhook deliveries: queuing an attempt, reading an endpoint's deliveries, redelivery."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo import DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.loaders.children import ChildRelation
from crowdhire.loaders.pagination import ordering
from crowdhire.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from crowdhire.resolvers.transactions import Outcome, audit, refuse, run_mutation
from crowdhire.resolvers.webhooks import may_manage
from crowdhire.tasks import queue

DELIVER_TASK = "webhook.deliver"
# The handler schedules its own retries (the webhook schedule spans days); this only bounds
# retries of a handler that could not even record its attempt (MongoDB away).
DELIVER_TASK_ATTEMPTS = 20
DELIVERIES_BY_ENDPOINT_ID = ChildRelation(
    WebhookDelivery,
    "endpoint_id",
    ordering("webhook_deliveries.nested", ("created_at", DESCENDING)),
)


def deliver_task_payload(delivery_id: ObjectId, attempt: int) -> dict[str, Any]:
    """The payload of the task that makes attempt number `attempt` of a delivery."""
    return {"delivery_id": str(delivery_id), "attempt": attempt}


async def enqueue_attempt(
    delivery_id: ObjectId, attempt: int, session: AsyncClientSession, delay_seconds: float = 0
) -> None:
    """Queue one attempt of a delivery, in the caller's transaction (one pending per delivery)."""
    await queue.enqueue(
        DELIVER_TASK,
        deliver_task_payload(delivery_id, attempt),
        session=session,
        dedupe_key=f"{DELIVER_TASK}:{delivery_id}",
        delay_seconds=delay_seconds,
        max_attempts=DELIVER_TASK_ATTEMPTS,
    )


async def endpoints_of(
    context: Context, company_id: ObjectId | None
) -> list[WebhookEndpoint] | None:
    """A company's endpoints (None = the admins' own); None when the viewer may not see them."""
    if context.viewer.is_anonymous or not may_manage(context, company_id):
        return None
    return await WebhookEndpoint.find({"company_id": company_id}).sort("created_at").to_list()


async def redeliver(
    context: Context, delivery_id: ObjectId, client_mutation_id: str | None
) -> Outcome:
    """Send a delivery again (a new series of attempts), whatever its last outcome was."""

    async def again(session: AsyncClientSession) -> Outcome:
        if context.viewer.is_anonymous:
            raise refuse((), "UNAUTHENTICATED", "Sign in to manage webhook endpoints")
        delivery = await WebhookDelivery.find_one({"_id": delivery_id}, session=session)
        endpoint = None
        if delivery is not None:
            endpoint = await WebhookEndpoint.find_one(
                {"_id": delivery.endpoint_id}, session=session
            )
        if delivery is None or endpoint is None or not may_manage(context, endpoint.company_id):
            raise refuse(("deliveryId",), "NOT_FOUND", "No such webhook delivery")
        if delivery.status is DeliveryStatus.PENDING:
            raise refuse(("deliveryId",), "ALREADY_PENDING", "An attempt is already queued")
        await WebhookDelivery.get_pymongo_collection().update_one(
            {"_id": delivery_id},
            {"$set": {"status": DeliveryStatus.PENDING.value, "series_started_at": None}},
            session=session,
        )
        await enqueue_attempt(delivery_id, delivery.attempts + 1, session)
        await audit(context, session, "redeliverWebhook",
                    {"webhookDelivery": delivery_id, "webhookEndpoint": endpoint.id})  # fmt: skip
        return Outcome(ids={"webhookDelivery": str(delivery_id)})

    data = {"deliveryId": str(delivery_id)}
    return await run_mutation(context, "redeliverWebhook", data, again, client_mutation_id)
