"""Webhook mutations: create, update, delete an endpoint, rotate its secret, redeliver."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from bson import ObjectId

from crowdhire.context import Info
from crowdhire.models.events import EventType
from crowdhire.models.webhooks import WebhookDelivery, WebhookEndpoint
from crowdhire.resolvers import webhook_deliveries, webhooks
from crowdhire.resolvers.transactions import Outcome
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    user_errors,
)
from crowdhire.schema.webhook_selection import checked_selection
from crowdhire.schema.webhooks import WebhookDeliveryType, WebhookEndpointType


@strawberry.enum(description="Why a webhook mutation changed nothing.")
class WebhookErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_URL = "INVALID_URL"
    HTTPS_REQUIRED = "HTTPS_REQUIRED"
    CREDENTIALS_IN_URL = "CREDENTIALS_IN_URL"
    ADDRESS_NOT_ALLOWED = "ADDRESS_NOT_ALLOWED"
    UNRESOLVABLE_HOST = "UNRESOLVABLE_HOST"
    LIMIT_REACHED = "LIMIT_REACHED"
    INVALID_SELECTION = "INVALID_SELECTION"
    ALREADY_PENDING = "ALREADY_PENDING"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="WebhookError", description="A user error of a webhook mutation.")
class WebhookError(UserError[WebhookErrorCode]):
    pass


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    company_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The company whose events it hears (its owners); omit for an admin endpoint"
        " that hears every event.",
    )
    url: str = strawberry.field(
        description="Where to POST events: https (http only outside production), a public"
        " address, no user name or password."
    )
    event_types: list[EventType] = strawberry.field(description="The event types to receive.")
    selection: str | None = strawberry.field(
        default=None,
        description="A GraphQL selection on DomainEvent (bare, wrapped in `query`/`subscription`"
        " braces, or one `fragment F on DomainEvent`); each body then carries its result, run"
        " with the endpoint owner's access, in `data.selection`.",
    )
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Changes to a webhook endpoint; omitted fields stay.")
class UpdateWebhookEndpointInput:
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint.")
    url: str | None = strawberry.field(default=None, description="A new URL (checked again).")
    event_types: list[EventType] | None = strawberry.field(
        default=None, description="The event types to receive from now on."
    )
    enabled: bool | None = strawberry.field(
        default=None, description="true: enable again after it was disabled; false: disable."
    )
    selection: str | None = strawberry.field(
        default=None,
        description="A new selection on DomainEvent (checked again); an empty string drops it.",
    )
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="The webhook endpoint to act on.")
class WebhookEndpointInput:
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="The delivery to send again.")
class RedeliverWebhookInput:
    delivery_id: strawberry.ID = strawberry.field(description="The delivery (not PENDING).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The endpoint and its secret, or why not.")
class WebhookSecretPayload:
    webhook_endpoint: WebhookEndpointType | None = strawberry.field(description="The endpoint.")
    secret: str | None = strawberry.field(
        description="The `whsec_` signing secret: shown here only, store it now."
    )
    user_errors: list[WebhookError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The endpoint as it is now, or why not.")
class WebhookEndpointPayload:
    webhook_endpoint: WebhookEndpointType | None = strawberry.field(description="The endpoint.")
    user_errors: list[WebhookError] = strawberry.field(description="Input problems.")


@strawberry.type(description="Which endpoint was deleted, or why not.")
class DeleteWebhookEndpointPayload:
    deleted_endpoint_id: strawberry.ID | None = strawberry.field(description="Its id.")
    user_errors: list[WebhookError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The delivery queued again, or why not.")
class RedeliverWebhookPayload:
    delivery: WebhookDeliveryType | None = strawberry.field(description="The delivery, PENDING.")
    user_errors: list[WebhookError] = strawberry.field(description="Input problems.")


async def _endpoint(outcome: Outcome) -> WebhookEndpointType | None:
    found_id = outcome.object_id("webhookEndpoint")
    found = await WebhookEndpoint.get(found_id) if found_id is not None else None
    return None if found is None else WebhookEndpointType.from_model(found)


def _optional_id(value: str | None, type_name: str, path: str) -> ObjectId | None:
    return None if value is None else input_object_id(value, type_name, path)


def _selection(info: Info, text: str | None) -> str | None:
    if text is None or not text.strip():
        return text if text is None else ""
    return checked_selection(info.schema._schema, text, info.context.settings)


async def _with_secret(outcome: Outcome) -> WebhookSecretPayload:
    return WebhookSecretPayload(
        webhook_endpoint=await _endpoint(outcome),
        secret=outcome.ids.get("secret") if not outcome.errors else None,
        user_errors=user_errors(outcome, WebhookErrorCode, WebhookError),
    )


@strawberry.type(description="Webhook mutations.")
class WebhookMutations:
    """Partners' endpoints for signed outbound events."""

    @strawberry.mutation(description="Register an endpoint; the payload shows its secret once.")
    async def create_webhook_endpoint(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            CreateWebhookEndpointInput, strawberry.argument(description="URL and event types.")
        ],
    ) -> WebhookSecretPayload:
        """Company owners for their company; admins for any company or for every event."""
        outcome = await guarded(
            lambda: webhooks.create_endpoint(
                info.context,
                _optional_id(input.company_id, "Company", "companyId"),
                input.url,
                input.event_types,
                input.client_mutation_id,
                _selection(info, input.selection),
            )
        )
        return await _with_secret(outcome)

    @strawberry.mutation(description="Change an endpoint's URL or event types, or (re)enable it.")
    async def update_webhook_endpoint(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            UpdateWebhookEndpointInput, strawberry.argument(description="The changes.")
        ],
    ) -> WebhookEndpointPayload:
        """A new URL passes the same address checks as at registration."""
        outcome = await guarded(
            lambda: webhooks.update_endpoint(
                info.context,
                input_object_id(input.endpoint_id, "WebhookEndpoint", "endpointId"),
                input.url,
                input.event_types,
                input.enabled,
                input.client_mutation_id,
                _selection(info, input.selection),
            )
        )
        errors = user_errors(outcome, WebhookErrorCode, WebhookError)
        return WebhookEndpointPayload(webhook_endpoint=await _endpoint(outcome), user_errors=errors)

    @strawberry.mutation(description="Delete an endpoint and its delivery history.")
    async def delete_webhook_endpoint(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            WebhookEndpointInput, strawberry.argument(description="The endpoint.")
        ],
    ) -> DeleteWebhookEndpointPayload:
        """Queued attempts to it find nothing to do."""
        outcome = await guarded(
            lambda: webhooks.delete_endpoint(
                info.context,
                input_object_id(input.endpoint_id, "WebhookEndpoint", "endpointId"),
                input.client_mutation_id,
            )
        )
        deleted = outcome.object_id("deletedWebhookEndpoint")
        return DeleteWebhookEndpointPayload(
            deleted_endpoint_id=input.endpoint_id if deleted is not None else None,
            user_errors=user_errors(outcome, WebhookErrorCode, WebhookError),
        )

    @strawberry.mutation(
        description="Replace the signing secret; the old one keeps signing for 24 hours, so"
        " each webhook carries both signatures until then."
    )
    async def rotate_webhook_secret(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            WebhookEndpointInput, strawberry.argument(description="The endpoint.")
        ],
    ) -> WebhookSecretPayload:
        """The payload shows the new secret once."""
        outcome = await guarded(
            lambda: webhooks.rotate_secret(
                info.context,
                input_object_id(input.endpoint_id, "WebhookEndpoint", "endpointId"),
                input.client_mutation_id,
            )
        )
        return await _with_secret(outcome)

    @strawberry.mutation(description="Send a delivery again, as a new series of attempts.")
    async def redeliver_webhook(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            RedeliverWebhookInput, strawberry.argument(description="The delivery.")
        ],
    ) -> RedeliverWebhookPayload:
        """For SUCCEEDED and FAILED deliveries; a PENDING one is ALREADY_PENDING."""
        outcome = await guarded(
            lambda: webhook_deliveries.redeliver(
                info.context,
                input_object_id(input.delivery_id, "WebhookDelivery", "deliveryId"),
                input.client_mutation_id,
            )
        )
        found_id = outcome.object_id("webhookDelivery")
        found = await WebhookDelivery.get(found_id) if found_id is not None else None
        return RedeliverWebhookPayload(
            delivery=None if found is None else WebhookDeliveryType.from_model(found),
            user_errors=user_errors(outcome, WebhookErrorCode, WebhookError),
        )
