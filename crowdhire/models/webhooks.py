"""Outbound webhooks: partner endpoints, one delivery per (endpoint, event), the dispatch mark.

A delivery is the durable record of one event owed to one endpoint; its attempts run as tasks
on the shared queue, and what a partner sees about them (status, attempts, last response code
and latency) lives here. Receivers' response bodies are never kept: only the status code and
at most `MAX_EXCERPT_BYTES` of an error description.
"""

from __future__ import annotations

from enum import StrEnum

from beanie import PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow
from crowdhire.models.events import EventType

MAX_EXCERPT_BYTES = 1024


class EndpointStatus(StrEnum):
    """DISABLED endpoints get no new deliveries until their owner enables them again."""

    ACTIVE = "active"
    DISABLED = "disabled"


class SigningSecret(BaseModel):
    """One `whsec_` secret; a replaced one keeps signing until `expires_at` (rotation overlap)."""

    value: str
    created_at: UtcDatetime = Field(default_factory=utcnow)
    expires_at: UtcDatetime | None = None


class WebhookEndpoint(StoredDocument):
    """A partner URL that receives the events of `event_types` its owner may see.

    `company_id` None means an admin endpoint, which hears every event. `after_position` is
    the outbox position when it was created: older events are not sent to it.
    """

    company_id: PydanticObjectId | None = None
    url: str
    event_types: list[EventType]
    secrets: list[SigningSecret]
    status: EndpointStatus = EndpointStatus.ACTIVE
    disabled_reason: str | None = None
    disabled_at: UtcDatetime | None = None
    # Start of the current run of failed attempts; a success clears it.
    failing_since: UtcDatetime | None = None
    after_position: int = 0
    # A normalized query document on DomainEvent, run for each event as the endpoint's owner.
    selection: str | None = None
    created_by: str
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "webhook_endpoints"
        use_cache = False
        indexes = [
            IndexModel([("status", ASCENDING), ("event_types", ASCENDING)]),
            IndexModel([("company_id", ASCENDING), ("created_at", DESCENDING)]),
        ]


class DeliveryStatus(StrEnum):
    """PENDING: an attempt is queued; FAILED: retries gave up (or the endpoint went away)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookDelivery(StoredDocument):
    """One event owed to one endpoint, with the outcome of its latest attempt."""

    endpoint_id: PydanticObjectId
    event_id: PydanticObjectId
    event_position: int
    event_type: EventType
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    last_response_code: int | None = None
    last_latency_ms: float | None = None
    last_error: str | None = None
    last_attempt_at: UtcDatetime | None = None
    next_attempt_at: UtcDatetime | None = None
    delivered_at: UtcDatetime | None = None
    # Retries stop this long after the first attempt of a series (redelivery starts a new one).
    series_started_at: UtcDatetime | None = None
    created_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "webhook_deliveries"
        use_cache = False
        indexes = [
            IndexModel([("endpoint_id", ASCENDING), ("event_id", ASCENDING)], unique=True),
            IndexModel(
                [("endpoint_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
            ),
        ]


class DispatchMark(StoredDocument):
    """How far the fan-out from the outbox to deliveries has got (one document)."""

    id: str  # type: ignore[assignment]
    position: int = 0
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "webhook_dispatch_marks"
        use_cache = False
