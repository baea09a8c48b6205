"""The audit trail for admins: events filtered by actor, target and time, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING

from crowdhire.context import Context
from crowdhire.errors import BadUserInputError, ForbiddenError
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.loaders.root_lists import count_documents, fetch_root_page
from crowdhire.models.audit import AuditEvent
from crowdhire.resolvers.access import require_signed_in
from crowdhire.resolvers.text_rules import require_plain_text, utc_instant

AUDIT_ORDER = ordering("audit_events:at_desc", ("at", DESCENDING))
MAX_ACTOR_LENGTH = 256


@dataclass(frozen=True)
class AuditCriteria:
    """What the `auditEvents` list may be filtered by (all given conditions hold)."""

    actor: str | None = None
    target_id: ObjectId | None = None
    at_or_after: datetime | None = None
    before: datetime | None = None


def audit_match(criteria: AuditCriteria) -> dict[str, Any]:
    """The MongoDB filter for audit criteria (each served by an `at`-ordered index)."""
    match: dict[str, Any] = {}
    if criteria.actor is not None:
        if len(criteria.actor) > MAX_ACTOR_LENGTH:
            message = f"`filter.actor` is limited to {MAX_ACTOR_LENGTH} characters"
            raise BadUserInputError(message, argument="filter.actor")
        require_plain_text(criteria.actor, "filter.actor")
        match["actor_sub"] = criteria.actor
    if criteria.target_id is not None:
        match["target_ids"] = str(criteria.target_id)
    at: dict[str, datetime] = {}
    if after := utc_instant(criteria.at_or_after, "filter.after"):
        at["$gte"] = after
    if before := utc_instant(criteria.before, "filter.before"):
        at["$lt"] = before
    if at:
        match["at"] = at
    return match


def ensure_can_read_audit(context: Context) -> None:
    """The audit trail is for admins: UNAUTHENTICATED without a token, FORBIDDEN otherwise."""
    require_signed_in(context.viewer, "audit events")
    if not context.viewer.is_admin:
        raise ForbiddenError("Only admins may read the audit trail", field="auditEvents")


async def list_audit_events(
    context: Context, criteria: AuditCriteria, request: PageRequest
) -> Page:
    """One page of audit events, newest first (admins only)."""
    ensure_can_read_audit(context)
    return await fetch_root_page(AuditEvent, audit_match(criteria), AUDIT_ORDER, request)


async def count_audit_events(context: Context, criteria: AuditCriteria) -> int:
    """How many audit events match (admins only)."""
    ensure_can_read_audit(context)
    return await count_documents(AuditEvent, audit_match(criteria))
