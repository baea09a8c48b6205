"""Submission reads: the root list, and pages/counts under a job, candidate or recruiter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from crowdhire.context import Context
from crowdhire.loaders.base import (
    ChildCountKey,
    ChildCountLoader,
    ChildPageKey,
    ChildPageLoader,
    Criteria,
    count_documents,
    fetch_root_page,
)
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.models.submissions import Stage, Submission
from crowdhire.resolvers.common import save_and_forget

SUBMISSION_ORDERS = {
    "CREATED_AT_DESC": ordering("submissions:created_at_desc", ("created_at", DESCENDING)),
    "CREATED_AT_ASC": ordering("submissions:created_at_asc", ("created_at", ASCENDING)),
}

SubmissionParent = Literal["job", "candidate", "recruiter"]


@dataclass(frozen=True)
class SubmissionCriteria:
    """What the root `submissions` list may be filtered by."""

    stages: tuple[Stage, ...] = ()
    job_id: ObjectId | None = None
    candidate_id: ObjectId | None = None


def submission_match(criteria: SubmissionCriteria) -> dict[str, Any]:
    """The MongoDB filter for submission criteria."""
    match: dict[str, Any] = {}
    if criteria.stages:
        match["stage"] = {"$in": [stage.value for stage in criteria.stages]}
    if criteria.job_id is not None:
        match["job_id"] = criteria.job_id
    if criteria.candidate_id is not None:
        match["candidate_id"] = criteria.candidate_id
    return match


async def list_submissions(
    criteria: SubmissionCriteria, order_by: str, request: PageRequest
) -> Page:
    """One page of the root submissions list."""
    order = SUBMISSION_ORDERS[order_by]
    return await fetch_root_page(Submission, submission_match(criteria), order, request)


async def count_submissions(criteria: SubmissionCriteria) -> int:
    """How many submissions the criteria match."""
    return await count_documents(Submission, submission_match(criteria))


async def submission_by_id(context: Context, submission_id: ObjectId) -> Submission | None:
    """One submission, through the cached loader."""
    return await context.loaders.submission_by_id.load(submission_id)


def _stage_criteria(stages: tuple[Stage, ...]) -> Criteria:
    return (("stage", tuple(sorted(stage.value for stage in stages))),) if stages else ()


def _loaders(
    context: Context, parent: SubmissionParent
) -> tuple[ChildPageLoader, ChildCountLoader]:
    loaders = context.loaders
    return {
        "job": (loaders.submissions_by_job_id, loaders.submission_count_by_job_id),
        "candidate": (
            loaders.submissions_by_candidate_id,
            loaders.submission_count_by_candidate_id,
        ),
        "recruiter": (
            loaders.submissions_by_recruiter_id,
            loaders.submission_count_by_recruiter_id,
        ),
    }[parent]


async def submissions_of(
    context: Context,
    parent: SubmissionParent,
    parent_id: ObjectId,
    request: PageRequest,
    stages: tuple[Stage, ...] = (),
) -> Page:
    """A page of the submissions under one parent, batched across parents."""
    page_loader, _ = _loaders(context, parent)
    return await page_loader.load(ChildPageKey(parent_id, request, _stage_criteria(stages)))


async def submission_count_of(
    context: Context, parent: SubmissionParent, parent_id: ObjectId, stages: tuple[Stage, ...] = ()
) -> int:
    """How many submissions one parent has, batched across parents."""
    _, count_loader = _loaders(context, parent)
    return await count_loader.load(ChildCountKey(parent_id, _stage_criteria(stages)))


async def save_submission(context: Context, submission: Submission) -> Submission:
    """Persist a submission and forget its cached copy."""
    await save_and_forget(context, "submissions", submission)
    return submission
