"""Job reads: the filtered root list, a company's jobs, and job writes that invalidate."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.loaders.base import Criteria, Pending, loaded_if_visible
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.loaders.root_lists import count_documents, fetch_root_page
from crowdhire.models.companies import Company
from crowdhire.models.jobs import Job, JobStatus, RemotePolicy
from crowdhire.resolvers.access import can_view_job, job_scope
from crowdhire.resolvers.argument_rules import (
    combine,
    prefix_pattern,
    skills_match,
    text_terms,
)
from crowdhire.resolvers.text_rules import utc_instant

JOB_ORDERS = {
    "CREATED_AT_DESC": ordering("jobs:created_at_desc", ("created_at", DESCENDING)),
    "CREATED_AT_ASC": ordering("jobs:created_at_asc", ("created_at", ASCENDING)),
    "TITLE_ASC": ordering("jobs:title_asc", ("title", ASCENDING)),
    "TITLE_DESC": ordering("jobs:title_desc", ("title", DESCENDING)),
}


@dataclass(frozen=True)
class JobCriteria:
    """What the root `jobs` list may be filtered by."""

    statuses: tuple[JobStatus, ...] = ()
    company_id: ObjectId | None = None
    skills_any: tuple[str, ...] = ()
    skills_all: tuple[str, ...] = ()
    remote_policies: tuple[RemotePolicy, ...] = ()
    location: str | None = None
    salary_min: int | None = None
    salary_max: int | None = None
    text: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def job_match(criteria: JobCriteria) -> dict[str, Any]:
    """The MongoDB filter for job criteria (salary filters match overlapping ranges)."""
    match: dict[str, Any] = {}
    if criteria.statuses:
        match["status"] = {"$in": [status.value for status in criteria.statuses]}
    if criteria.company_id is not None:
        match["company_id"] = criteria.company_id
    if skills := skills_match(criteria.skills_any, criteria.skills_all):
        match["skills"] = skills
    if criteria.remote_policies:
        match["remote_policy"] = {"$in": [policy.value for policy in criteria.remote_policies]}
    if location := prefix_pattern(criteria.location, "filter.location"):
        match["location"] = location
    if criteria.salary_min is not None:
        match["salary.max"] = {"$gte": criteria.salary_min}
    if criteria.salary_max is not None:
        match["salary.min"] = {"$lte": criteria.salary_max}
    if terms := text_terms(criteria.text, "filter.text"):
        match["$text"] = {"$search": terms}
    created: dict[str, datetime] = {}
    if after := utc_instant(criteria.created_after, "filter.createdAfter"):
        created["$gte"] = after
    if before := utc_instant(criteria.created_before, "filter.createdBefore"):
        created["$lt"] = before
    if created:
        match["created_at"] = created
    return match


def _visible_match(context: Context, criteria: JobCriteria) -> dict[str, Any]:
    return combine(job_match(criteria), job_scope(context.viewer))


async def list_jobs(
    context: Context, criteria: JobCriteria, order_by: str, request: PageRequest
) -> Page:
    """One page of the root jobs list, limited to jobs the viewer may see."""
    match = _visible_match(context, criteria)
    return await fetch_root_page(Job, match, JOB_ORDERS[order_by], request)


async def count_jobs(context: Context, criteria: JobCriteria) -> int:
    """How many visible jobs the criteria match."""
    return await count_documents(Job, _visible_match(context, criteria))


async def job_by_id(context: Context, job_id: ObjectId) -> Job | None:
    """One job through the cached loader; None when missing or not visible."""
    job = await context.loaders.job_by_id.load(job_id)
    return job if job is not None and can_view_job(context.viewer, job) else None


def job_now(context: Context, job_id: ObjectId) -> Job | Pending | None:
    """`job_by_id` when already loaded in this request, else PENDING."""
    viewer = context.viewer
    return loaded_if_visible(context.loaders.job_by_id, job_id, lambda j: can_view_job(viewer, j))


def prefetch_jobs(context: Context, job_ids: list[ObjectId]) -> Awaitable[object]:
    """Load many jobs in this request's batch. A future, not a coroutine: the loads are queued
    now, so awaiting several prefetches together needs no task for each."""
    return context.loaders.job_by_id.load_many(job_ids)


def company_job_criteria(context: Context, company: Company) -> Criteria:
    """Which of a company's jobs the viewer sees: all for its members, never drafts otherwise,
    only open ones for anonymous viewers."""
    viewer = context.viewer
    if viewer.is_admin or (company.id is not None and viewer.is_member_of(company.id)):
        return ()
    if viewer.is_recruiter:
        visible = tuple(s.value for s in JobStatus if s is not JobStatus.DRAFT)
        return (("status", visible),)
    return (("status", (JobStatus.OPEN.value,)),)


async def claim_job(session: AsyncClientSession, job_id: ObjectId) -> Job | None:
    """The job as this transaction sees it, written (`revision` + 1) so that a concurrent
    change to it (close, pause, new fee terms) conflicts with this transaction and one of the
    two retries on the other's result."""
    raw = await Job.get_pymongo_collection().find_one_and_update(
        {"_id": job_id},
        {"$inc": {"revision": 1}},
        session=session,
        return_document=ReturnDocument.AFTER,
    )
    return Job.model_validate(raw) if raw is not None else None
