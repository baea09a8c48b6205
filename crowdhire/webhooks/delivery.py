"""The `webhook.deliver` task: one attempt of one delivery, and what follows from its outcome.

Each task carries the number of the attempt it makes. A worker that dies mid-attempt leaves
its lease to expire and the attempt runs again (at least once); a worker that dies after
recording the attempt finds the attempt already counted on retake and does nothing, so the
retry scheduled with the record is the only next attempt. The outcome, the next attempt and
any disabling of the endpoint commit in one transaction.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from bson import ObjectId
from prometheus_client import Counter, Histogram
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.cache import NullCache, ObjectCache
from crowdhire.models.common import utcnow
from crowdhire.models.events import OutboxEvent
from crowdhire.models.webhooks import (
    DeliveryStatus,
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from crowdhire.resolvers.webhook_deliveries import enqueue_attempt
from crowdhire.settings import Settings
from crowdhire.webhooks.attempt import AttemptResult, post_signed
from crowdhire.webhooks.body import event_body
from crowdhire.webhooks.selection import run_selection

D = TypeVar("D", WebhookDelivery, WebhookEndpoint, OutboxEvent)
ATTEMPTS = Counter(
    "crowdhire_webhook_attempts_total",
    "Webhook delivery attempts by outcome (succeeded, retried, failed: retries gave up)",
    ["outcome"],
)
ATTEMPT_SECONDS = Histogram(
    "crowdhire_webhook_attempt_seconds", "Time from sending a webhook to the receiver's answer"
)


def retry_delay_seconds(settings: Settings, attempts: int) -> float:
    """Exponential from the base, capped, with full jitter so retries don't arrive in lockstep."""
    step = settings.webhook_retry_base_seconds * 2.0 ** max(attempts - 1, 0)
    capped = min(step, settings.webhook_retry_cap_seconds)
    return capped * random.uniform(0.5, 1.5)


def valid_secrets(endpoint: WebhookEndpoint) -> list[str]:
    """The current secret and any replaced one still inside its overlap, newest first."""
    now = utcnow()
    live = [s for s in endpoint.secrets if s.expires_at is None or s.expires_at > now]
    return [s.value for s in sorted(live, key=lambda s: s.created_at, reverse=True)]


async def _by_id(model: type[D], object_id: ObjectId) -> D | None:
    # A plain find_one: Beanie's get() cost a third of each attempt in the benchmark.
    raw = await model.get_pymongo_collection().find_one({"_id": object_id})
    return None if raw is None else model.model_validate(raw)


class DeliveryHandler:
    """Runs `webhook.deliver` tasks with one shared HTTP client (closed with the service)."""

    def __init__(
        self, settings: Settings, http: httpx.AsyncClient, cache: ObjectCache | None = None
    ) -> None:
        self.settings = settings
        self.http = http
        # what an endpoint's selection reads through (none: straight from MongoDB)
        self.cache = cache if cache is not None else NullCache()

    async def __call__(self, payload: dict[str, Any]) -> None:
        delivery = await _by_id(WebhookDelivery, ObjectId(payload["delivery_id"]))
        attempt = int(payload["attempt"])
        if delivery is None or delivery.status is not DeliveryStatus.PENDING:
            return
        if delivery.attempts != attempt - 1:
            return  # this attempt was already made and recorded
        endpoint, event = await asyncio.gather(
            _by_id(WebhookEndpoint, delivery.endpoint_id), _by_id(OutboxEvent, delivery.event_id)
        )
        if endpoint is None or endpoint.status is EndpointStatus.DISABLED or event is None:
            await self._give_up(delivery, endpoint, event)
            return
        result = await post_signed(
            self.http,
            self.settings,
            endpoint.url,
            f"msg_{delivery.id}",
            event_body(event, await self._selected(endpoint, event)),
            valid_secrets(endpoint),
        )
        if result.latency_ms is not None:
            ATTEMPT_SECONDS.observe(result.latency_ms / 1000)
        await self._record(delivery, endpoint, result)

    async def _selected(
        self, endpoint: WebhookEndpoint, event: OutboxEvent
    ) -> dict[str, Any] | None:
        if endpoint.selection is None:
            return None
        return await run_selection(self.settings, self.cache, endpoint, event)

    async def _give_up(
        self,
        delivery: WebhookDelivery,
        endpoint: WebhookEndpoint | None,
        event: OutboxEvent | None,
    ) -> None:
        if endpoint is None:
            reason = "the endpoint was deleted"
        elif event is None:
            reason = "the event is no longer kept (outbox retention)"
        else:
            reason = f"the endpoint is disabled: {endpoint.disabled_reason}"
        await WebhookDelivery.get_pymongo_collection().update_one(
            {"_id": delivery.id, "attempts": delivery.attempts},
            {"$set": {"status": DeliveryStatus.FAILED.value, "last_error": reason,
                      "next_attempt_at": None}},
        )  # fmt: skip
        ATTEMPTS.labels("failed").inc()

    async def _record(
        self, delivery: WebhookDelivery, endpoint: WebhookEndpoint, result: AttemptResult
    ) -> None:
        if result.succeeded and endpoint.failing_since is None:
            # One document changes: a single update is atomic without a transaction's commit.
            ATTEMPTS.labels(await self._apply(None, delivery, endpoint, result)).inc()
            return
        client = WebhookDelivery.get_pymongo_collection().database.client
        # One try: if the record cannot commit the task fails, and its retry (or the lease
        # expiring) makes the attempt again; a retry loop here would outlive a shutdown.
        async with client.start_session() as session, await session.start_transaction():
            outcome = await self._apply(session, delivery, endpoint, result)
        ATTEMPTS.labels(outcome).inc()

    async def _apply(
        self,
        session: AsyncClientSession | None,
        delivery: WebhookDelivery,
        endpoint: WebhookEndpoint,
        result: AttemptResult,
    ) -> str:
        now = utcnow()
        attempts = delivery.attempts + 1
        series_start = delivery.series_started_at or now
        update: dict[str, Any] = {
            "attempts": attempts,
            "last_response_code": result.status_code,
            "last_latency_ms": result.latency_ms,
            "last_error": result.error,
            "last_attempt_at": now,
            "series_started_at": series_start,
            "next_attempt_at": None,
        }
        if result.succeeded:
            update |= {"status": DeliveryStatus.SUCCEEDED.value, "delivered_at": now}
            if endpoint.failing_since is not None:
                await WebhookEndpoint.get_pymongo_collection().update_one(
                    {"_id": endpoint.id}, {"$set": {"failing_since": None}}, session=session
                )
            outcome = "succeeded"
        else:
            assert session is not None, "a failure and its retry commit in one transaction"
            outcome = await self._after_failure(session, endpoint, result, now, series_start)
            if outcome == "retried":
                delay = retry_delay_seconds(self.settings, attempts)
                update["next_attempt_at"] = now + timedelta(seconds=delay)
                assert delivery.id is not None
                await enqueue_attempt(delivery.id, attempts + 1, session, delay)
            else:
                update["status"] = DeliveryStatus.FAILED.value
        await WebhookDelivery.get_pymongo_collection().update_one(
            {"_id": delivery.id, "attempts": delivery.attempts}, {"$set": update}, session=session
        )
        return outcome

    async def _after_failure(
        self,
        session: AsyncClientSession,
        endpoint: WebhookEndpoint,
        result: AttemptResult,
        now: datetime,
        series_start: datetime,
    ) -> str:
        """Mark the endpoint failing (disabling it after long enough); retry or give up."""
        failing_since = min(endpoint.failing_since or now, now)
        disable_after = timedelta(seconds=self.settings.webhook_disable_after_seconds)
        reason = None
        if result.status_code == 410:
            reason = "the receiver answered 410 Gone"
        elif now - failing_since >= disable_after:
            hours = self.settings.webhook_disable_after_seconds / 3600
            reason = f"every delivery attempt failed for {hours:g} hours (last: {result.error})"
        changes: dict[str, Any] = {"failing_since": failing_since}
        if reason is not None:
            changes |= {"status": EndpointStatus.DISABLED.value, "disabled_reason": reason,
                        "disabled_at": now}  # fmt: skip
        await WebhookEndpoint.get_pymongo_collection().update_one(
            {"_id": endpoint.id}, {"$set": changes}, session=session
        )
        window = timedelta(seconds=self.settings.webhook_retry_window_seconds)
        if reason is not None or now - series_start >= window:
            return "failed"
        return "retried"
