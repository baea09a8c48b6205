"""Webhook endpoints: who may manage them, and their mutations.

Company owners manage their company's endpoints (which hear the events of its jobs and
placements); admins manage endpoints that hear every event. The signing secret appears only in
the payload of the mutation that made it (and of a retry of that same mutation).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import timedelta

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.events.outbox import OUTBOX_SEQUENCE
from crowdhire.models.common import utcnow
from crowdhire.models.companies import Company
from crowdhire.models.events import EventSequence, EventType
from crowdhire.models.webhooks import (
    EndpointStatus,
    SigningSecret,
    WebhookDelivery,
    WebhookEndpoint,
)
from crowdhire.resolvers.transactions import MutationRefused, Outcome, audit, refuse, run_mutation
from crowdhire.resolvers.webhook_guard import UrlRefused, check_url

SECRET_PREFIX = "whsec_"
MAX_EVENT_TYPES = len(EventType)


def new_signing_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def may_manage(context: Context, company_id: ObjectId | None) -> bool:
    """Admins manage every endpoint; a company's owners manage that company's."""
    viewer = context.viewer
    if viewer.is_admin:
        return True
    return company_id is not None and viewer.is_owner_of(company_id)


def _ensure_may_manage(context: Context, company_id: ObjectId | None, path: str) -> None:
    if context.viewer.is_anonymous:
        raise refuse((), "UNAUTHENTICATED", "Sign in to manage webhook endpoints")
    if not may_manage(context, company_id):
        who = "admins" if company_id is None else "the company's owners"
        raise refuse((path,), "FORBIDDEN", f"Only {who} may manage these webhook endpoints")


async def _endpoint_to_change(
    context: Context, session: AsyncClientSession, endpoint_id: ObjectId
) -> WebhookEndpoint:
    if context.viewer.is_anonymous:
        raise refuse((), "UNAUTHENTICATED", "Sign in to manage webhook endpoints")
    endpoint = await WebhookEndpoint.find_one({"_id": endpoint_id}, session=session)
    if endpoint is None or not may_manage(context, endpoint.company_id):
        # missing and someone else's endpoints get one answer: no existence oracle
        raise refuse(("endpointId",), "NOT_FOUND", "No such webhook endpoint")
    return endpoint


async def _checked_url(context: Context, url: str) -> str:
    try:
        return (await check_url(url.strip(), context.settings)).url
    except UrlRefused as refused:
        raise refuse(("url",), refused.code, refused.message) from None


def _checked_types(event_types: Sequence[EventType]) -> list[EventType]:
    if not event_types:
        raise refuse(("eventTypes",), "INVALID_INPUT", "eventTypes must name at least one type")
    return sorted(set(event_types), key=list(EventType).index)


async def _checks(
    context: Context, url: str, event_types: Sequence[EventType]
) -> tuple[str, list[EventType]]:
    """Both input checks, reported together when both fail."""
    errors = []
    checked_url, checked_types = "", []
    try:
        checked_url = await _checked_url(context, url)
    except MutationRefused as refused:
        errors += refused.errors
    try:
        checked_types = _checked_types(event_types)
    except MutationRefused as refused:
        errors += refused.errors
    if errors:
        raise MutationRefused(*errors)
    return checked_url, checked_types


async def _current_position(session: AsyncClientSession) -> int:
    found = await EventSequence.get_pymongo_collection().find_one(
        {"_id": OUTBOX_SEQUENCE}, session=session
    )
    return int(found["value"]) if found else 0


async def create_endpoint(
    context: Context,
    company_id: ObjectId | None,
    url: str,
    event_types: Sequence[EventType],
    client_mutation_id: str | None,
    selection: str | None = None,
) -> Outcome:
    """Register an endpoint; it hears events committed from now on.

    `selection` arrives checked and normalized (the schema layer holds the schema)."""

    async def create(session: AsyncClientSession) -> Outcome:
        _ensure_may_manage(context, company_id, "companyId")
        checked_url, checked_types = await _checks(context, url, event_types)
        if (
            company_id is not None
            and await Company.find_one({"_id": company_id}, session=session) is None
        ):
            raise refuse(("companyId",), "NOT_FOUND", "No such company")
        owned = await WebhookEndpoint.get_pymongo_collection().count_documents(
            {"company_id": company_id}, session=session
        )
        if owned >= context.settings.webhook_endpoints_per_owner:
            raise refuse((), "LIMIT_REACHED", "Delete an endpoint before adding another")
        secret = new_signing_secret()
        endpoint = WebhookEndpoint(
            company_id=company_id,
            url=checked_url,
            event_types=checked_types,
            secrets=[SigningSecret(value=secret)],
            after_position=await _current_position(session),
            selection=selection or None,
            created_by=context.viewer.sub or "",
        )
        await endpoint.insert(session=session)
        written = ["url", "event_types", "secrets", *(["selection"] if selection else [])]
        await audit(context, session, "createWebhookEndpoint",
                    {"webhookEndpoint": endpoint.id, "company": company_id}, written)  # fmt: skip
        return Outcome(ids={"webhookEndpoint": str(endpoint.id), "secret": secret})

    data = {"companyId": str(company_id), "url": url, "eventTypes": [t.value for t in event_types],
            **({"selection": selection} if selection is not None else {})}  # fmt: skip
    return await run_mutation(context, "createWebhookEndpoint", data, create, client_mutation_id)


async def update_endpoint(
    context: Context,
    endpoint_id: ObjectId,
    url: str | None,
    event_types: Sequence[EventType] | None,
    enabled: bool | None,
    client_mutation_id: str | None,
    selection: str | None = None,
) -> Outcome:
    """Change an endpoint's URL, event types, selection ("" drops it), or enable it again."""

    async def update(session: AsyncClientSession) -> Outcome:
        endpoint = await _endpoint_to_change(context, session, endpoint_id)
        changes: dict[str, object] = {}
        if url is not None or event_types is not None:
            checked_url, checked_types = await _checks(
                context, url if url is not None else endpoint.url,
                event_types if event_types is not None else endpoint.event_types,
            )  # fmt: skip
            changes |= {"url": checked_url, "event_types": [t.value for t in checked_types]}
        if selection is not None:
            changes["selection"] = selection or None
        if enabled is True:
            changes |= {"status": EndpointStatus.ACTIVE.value, "disabled_reason": None,
                        "disabled_at": None, "failing_since": None}  # fmt: skip
        elif enabled is False:
            changes |= {"status": EndpointStatus.DISABLED.value, "disabled_at": utcnow(),
                        "disabled_reason": "disabled by its owner"}  # fmt: skip
        changes["updated_at"] = utcnow()
        await WebhookEndpoint.get_pymongo_collection().update_one(
            {"_id": endpoint_id}, {"$set": changes}, session=session
        )
        await audit(context, session, "updateWebhookEndpoint",
                    {"webhookEndpoint": endpoint_id, "company": endpoint.company_id},
                    sorted(set(changes) - {"updated_at"}))  # fmt: skip
        return Outcome(ids={"webhookEndpoint": str(endpoint_id)})

    types = None if event_types is None else [t.value for t in event_types]
    data = {"endpointId": str(endpoint_id), "url": url, "enabled": enabled, "eventTypes": types,
            **({"selection": selection} if selection is not None else {})}  # fmt: skip
    return await run_mutation(context, "updateWebhookEndpoint", data, update, client_mutation_id)


async def delete_endpoint(
    context: Context, endpoint_id: ObjectId, client_mutation_id: str | None
) -> Outcome:
    """Remove an endpoint and its delivery history; queued attempts then find nothing to do."""

    async def delete(session: AsyncClientSession) -> Outcome:
        endpoint = await _endpoint_to_change(context, session, endpoint_id)
        await WebhookEndpoint.get_pymongo_collection().delete_one(
            {"_id": endpoint_id}, session=session
        )
        await WebhookDelivery.get_pymongo_collection().delete_many(
            {"endpoint_id": endpoint_id}, session=session
        )
        await audit(context, session, "deleteWebhookEndpoint",
                    {"webhookEndpoint": endpoint_id, "company": endpoint.company_id})  # fmt: skip
        return Outcome(ids={"deletedWebhookEndpoint": str(endpoint_id)})

    data = {"endpointId": str(endpoint_id)}
    return await run_mutation(context, "deleteWebhookEndpoint", data, delete, client_mutation_id)


async def rotate_secret(
    context: Context, endpoint_id: ObjectId, client_mutation_id: str | None
) -> Outcome:
    """A new secret signs from now on; the replaced one keeps signing through the overlap."""

    async def rotate(session: AsyncClientSession) -> Outcome:
        endpoint = await _endpoint_to_change(context, session, endpoint_id)
        now = utcnow()
        overlap_end = now + timedelta(seconds=context.settings.webhook_secret_overlap_seconds)
        kept = [
            s.model_copy(
                update={"expires_at": overlap_end if s.expires_at is None else s.expires_at}
            )
            for s in endpoint.secrets
            if s.expires_at is None or s.expires_at > now
        ]
        secret = new_signing_secret()
        stored = [SigningSecret(value=secret, created_at=now), *kept]
        await WebhookEndpoint.get_pymongo_collection().update_one(
            {"_id": endpoint_id},
            {"$set": {"secrets": [s.model_dump(mode="python") for s in stored], "updated_at": now}},
            session=session,
        )
        await audit(context, session, "rotateWebhookSecret",
                    {"webhookEndpoint": endpoint_id, "company": endpoint.company_id},
                    ["secrets"])  # fmt: skip
        return Outcome(ids={"webhookEndpoint": str(endpoint_id), "secret": secret})

    data = {"endpointId": str(endpoint_id)}
    return await run_mutation(context, "rotateWebhookSecret", data, rotate, client_mutation_id)
