"""Placement reads: the root list, and pages/counts under a job, candidate or recruiter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from crowdhire.context import Context
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.loaders.root_lists import count_documents, fetch_root_page
from crowdhire.models.placements import PaymentStatus, Placement
from crowdhire.resolvers.access import can_view_deal, deal_scope, require_signed_in
from crowdhire.resolvers.argument_rules import combine

PLACEMENT_ORDERS = {
    "CREATED_AT_DESC": ordering("placements:created_at_desc", ("created_at", DESCENDING)),
    "CREATED_AT_ASC": ordering("placements:created_at_asc", ("created_at", ASCENDING)),
    "START_DATE_DESC": ordering("placements:start_date_desc", ("start_date", DESCENDING)),
    "START_DATE_ASC": ordering("placements:start_date_asc", ("start_date", ASCENDING)),
}

PlacementParent = Literal["job", "candidate", "recruiter"]


@dataclass(frozen=True)
class PlacementCriteria:
    """What the root `placements` list may be filtered by."""

    payment_statuses: tuple[PaymentStatus, ...] = ()
    company_id: ObjectId | None = None
    start_on_or_after: date | None = None
    start_before: date | None = None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def placement_match(criteria: PlacementCriteria) -> dict[str, Any]:
    """The MongoDB filter for placement criteria (dates are stored as UTC midnights)."""
    match: dict[str, Any] = {}
    if criteria.payment_statuses:
        match["payment_status"] = {"$in": [status.value for status in criteria.payment_statuses]}
    if criteria.company_id is not None:
        match["company_id"] = criteria.company_id
    start: dict[str, datetime] = {}
    if criteria.start_on_or_after is not None:
        start["$gte"] = _midnight(criteria.start_on_or_after)
    if criteria.start_before is not None:
        start["$lt"] = _midnight(criteria.start_before)
    if start:
        match["start_date"] = start
    return match


def _visible_match(context: Context, criteria: PlacementCriteria) -> dict[str, Any]:
    require_signed_in(context.viewer, "placements")
    return combine(placement_match(criteria), deal_scope(context.viewer))


async def list_placements(
    context: Context, criteria: PlacementCriteria, order_by: str, request: PageRequest
) -> Page:
    """One page of the placements the viewer may see."""
    order = PLACEMENT_ORDERS[order_by]
    return await fetch_root_page(Placement, _visible_match(context, criteria), order, request)


async def count_placements(context: Context, criteria: PlacementCriteria) -> int:
    """How many visible placements the criteria match."""
    return await count_documents(Placement, _visible_match(context, criteria))


async def placement_by_id(context: Context, placement_id: ObjectId) -> Placement | None:
    """One placement through the cached loader; None when missing or not visible."""
    placement = await context.loaders.placement_by_id.load(placement_id)
    if placement is None or not can_view_deal(context.viewer, placement):
        return None
    return placement
