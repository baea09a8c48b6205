"""Recruiter reads and writes."""

from __future__ import annotations

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from crowdhire.context import Context
from crowdhire.loaders.base import count_documents, fetch_root_page
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.models.recruiters import Recruiter
from crowdhire.resolvers.common import save_and_forget

RECRUITER_ORDERS = {
    "CREATED_AT_DESC": ordering("recruiters:created_at_desc", ("created_at", DESCENDING)),
    "CREATED_AT_ASC": ordering("recruiters:created_at_asc", ("created_at", ASCENDING)),
}


async def list_recruiters(order_by: str, request: PageRequest) -> Page:
    """One page of the root recruiters list."""
    return await fetch_root_page(Recruiter, {}, RECRUITER_ORDERS[order_by], request)


async def count_recruiters() -> int:
    """How many recruiters exist."""
    return await count_documents(Recruiter, {})


async def recruiter_by_id(context: Context, recruiter_id: ObjectId) -> Recruiter | None:
    """One recruiter, through the cached loader."""
    return await context.loaders.recruiter_by_id.load(recruiter_id)


async def save_recruiter(context: Context, recruiter: Recruiter) -> Recruiter:
    """Persist a recruiter and forget its cached copy."""
    await save_and_forget(context, "recruiters", recruiter)
    return recruiter
