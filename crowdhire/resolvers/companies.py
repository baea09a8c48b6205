"""Company reads and writes."""

from __future__ import annotations

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from crowdhire.context import Context
from crowdhire.loaders.base import count_documents, fetch_root_page
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.models.companies import Company
from crowdhire.resolvers.common import save_and_forget

COMPANY_ORDERS = {
    "CREATED_AT_DESC": ordering("companies:created_at_desc", ("created_at", DESCENDING)),
    "CREATED_AT_ASC": ordering("companies:created_at_asc", ("created_at", ASCENDING)),
    "SLUG_ASC": ordering("companies:slug_asc", ("slug", ASCENDING)),
}


async def list_companies(order_by: str, request: PageRequest) -> Page:
    """One page of the root companies list."""
    return await fetch_root_page(Company, {}, COMPANY_ORDERS[order_by], request)


async def count_companies() -> int:
    """How many companies exist."""
    return await count_documents(Company, {})


async def company_by_id(context: Context, company_id: ObjectId) -> Company | None:
    """One company, through the cached loader."""
    return await context.loaders.company_by_id.load(company_id)


async def save_company(context: Context, company: Company) -> Company:
    """Persist a company and forget its cached copy."""
    await save_and_forget(context, "companies", company)
    return company
