"""Webhook endpoints and their deliveries as their managers see them (never the secret)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.errors import BadUserInputError, ForbiddenError
from crowdhire.models.events import EventType, OutboxEvent
from crowdhire.models.webhooks import (
    DeliveryStatus,
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from crowdhire.resolvers.webhook_deliveries import DELIVERIES_BY_ENDPOINT_ID, endpoints_of
from crowdhire.schema.companies import CompanyType, company_view
from crowdhire.schema.connections import child_connection, register_node_view
from crowdhire.schema.events import DomainEventType
from crowdhire.schema.ids import Node, encode_global_id, parse_global_id
from crowdhire.schema.pagination import After, Before, Connection, First, Last

strawberry.enum(
    EndpointStatus,
    name="WebhookEndpointStatus",
    description="ACTIVE endpoints receive events; DISABLED ones get nothing new.",
)
strawberry.enum(
    DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING: an attempt is queued; FAILED: retries gave up.",
)


@strawberry.type(name="WebhookDelivery", description="One event owed to one endpoint.")
class WebhookDeliveryType(Node):
    """The outcome of a delivery's latest attempt; receivers' bodies are never kept."""

    event_type: EventType = strawberry.field(description="The type of the event delivered.")
    status: DeliveryStatus = strawberry.field(description="Where the delivery stands.")
    attempts: int = strawberry.field(description="Attempts made so far.")
    last_response_code: int | None = strawberry.field(
        description="HTTP status of the latest answer; null when none came (timeout, refused)."
    )
    last_latency_ms: float | None = strawberry.field(
        description="Milliseconds from sending the latest attempt to its answer."
    )
    last_error: str | None = strawberry.field(
        description="Why the latest attempt failed (status, timeout, refused address)."
    )
    last_attempt_at: datetime | None = strawberry.field(description="When it was last tried.")
    next_attempt_at: datetime | None = strawberry.field(description="When it is tried next.")
    delivered_at: datetime | None = strawberry.field(description="When a 2xx answer came.")
    created_at: datetime = strawberry.field(description="When the event was fanned out.")
    model: strawberry.Private[WebhookDelivery]

    @classmethod
    def from_model(cls, delivery: WebhookDelivery) -> WebhookDeliveryType:
        """The GraphQL view of a delivery."""
        assert delivery.id is not None
        return cls(
            id=encode_global_id("WebhookDelivery", delivery.id),
            event_type=delivery.event_type,
            status=delivery.status,
            attempts=delivery.attempts,
            last_response_code=delivery.last_response_code,
            last_latency_ms=delivery.last_latency_ms,
            last_error=delivery.last_error,
            last_attempt_at=delivery.last_attempt_at,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
            model=delivery,
        )

    @strawberry.field(description="The event delivered; null once the outbox no longer keeps it.")
    async def event(self) -> DomainEventType | None:
        """Read from the outbox by id."""
        found = await OutboxEvent.get(self.model.event_id)
        return None if found is None else DomainEventType.from_model(found)


@strawberry.type(name="WebhookEndpoint", description="A partner URL that receives signed events.")
class WebhookEndpointType(Node):
    """Its secret is never readable: it is shown once, by the mutation that makes it."""

    url: str = strawberry.field(description="Where events are POSTed.")
    event_types: list[EventType] = strawberry.field(description="The event types it receives.")
    selection: str | None = strawberry.field(
        default=None,
        description="The GraphQL selection on DomainEvent whose result each body carries in"
        " `data.selection`, as stored (normalized); null when none.",
    )
    status: EndpointStatus = strawberry.field(description="ACTIVE or DISABLED.")
    disabled_reason: str | None = strawberry.field(
        description="Why it was disabled (e.g. every attempt failed for 3 days, or 410 Gone)."
    )
    disabled_at: datetime | None = strawberry.field(description="When it was disabled.")
    failing_since: datetime | None = strawberry.field(
        description="Start of the current run of failed attempts; null after a success."
    )
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="After a rotation: when the replaced secret stops signing."
    )
    created_at: datetime = strawberry.field(description="When it was registered.")
    model: strawberry.Private[WebhookEndpoint]

    @classmethod
    def from_model(cls, endpoint: WebhookEndpoint) -> WebhookEndpointType:
        """The GraphQL view of an endpoint (without its secrets)."""
        assert endpoint.id is not None
        expiring = [s.expires_at for s in endpoint.secrets if s.expires_at is not None]
        return cls(
            id=encode_global_id("WebhookEndpoint", endpoint.id),
            url=endpoint.url,
            event_types=list(endpoint.event_types),
            selection=endpoint.selection,
            status=endpoint.status,
            disabled_reason=endpoint.disabled_reason,
            disabled_at=endpoint.disabled_at,
            failing_since=endpoint.failing_since,
            previous_secret_expires_at=max(expiring) if expiring else None,
            created_at=endpoint.created_at,
            model=endpoint,
        )

    @strawberry.field(description="The company whose events it hears; null for admin endpoints.")
    async def company(self, info: Info) -> CompanyType | None:
        """Through the cached company loader."""
        if self.model.company_id is None:
            return None
        return await company_view(info, self.model.company_id)

    @strawberry.field(description="Its deliveries, newest first.")
    async def deliveries(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[WebhookDeliveryType]:
        """Keyset pages of the deliveries' latest outcomes."""
        return await child_connection(
            info, DELIVERIES_BY_ENDPOINT_ID, self.model.id, first, after, last, before
        )


register_node_view(WebhookDelivery, WebhookDeliveryType.from_model)

CompanyIdArgument = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="The company whose endpoints to list; omit for the admins' own endpoints."
    ),
]


async def resolve_webhook_endpoints(
    info: Info, company_id: CompanyIdArgument = None
) -> list[WebhookEndpointType]:
    """Company owners see their company's endpoints; admins see any."""
    parsed = parse_global_id(company_id) if company_id is not None else None
    if company_id is not None and (parsed is None or parsed[0] != "Company"):
        raise BadUserInputError("`companyId` is not a valid Company id", argument="companyId")
    found = await endpoints_of(info.context, parsed[1] if parsed is not None else None)
    if found is None:
        raise ForbiddenError("Only the company's owners (or admins) may see its webhook endpoints")
    return [WebhookEndpointType.from_model(endpoint) for endpoint in found]
