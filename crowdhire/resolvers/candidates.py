"""Candidate reads (root list with filters, a recruiter's candidates) and writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from crowdhire.context import Context
from crowdhire.loaders.base import ChildCountKey, ChildPageKey, count_documents, fetch_root_page
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.models.candidates import Candidate
from crowdhire.resolvers.common import prefix_pattern, save_and_forget, skills_match

CANDIDATE_ORDERS = {
    "CREATED_AT_DESC": ordering("candidates:created_at_desc", ("created_at", DESCENDING)),
    "CREATED_AT_ASC": ordering("candidates:created_at_asc", ("created_at", ASCENDING)),
    "YEARS_EXPERIENCE_DESC": ordering("candidates:years_desc", ("years_experience", DESCENDING)),
    "YEARS_EXPERIENCE_ASC": ordering("candidates:years_asc", ("years_experience", ASCENDING)),
}


@dataclass(frozen=True)
class CandidateCriteria:
    """What the root `candidates` list may be filtered by."""

    skills_any: tuple[str, ...] = ()
    skills_all: tuple[str, ...] = ()
    location: str | None = None
    min_years_experience: int | None = None
    max_years_experience: int | None = None


def candidate_match(criteria: CandidateCriteria) -> dict[str, Any]:
    """The MongoDB filter for candidate criteria."""
    match: dict[str, Any] = {}
    if skills := skills_match(criteria.skills_any, criteria.skills_all):
        match["skills"] = skills
    if location := prefix_pattern(criteria.location, "filter.location"):
        match["location"] = location
    years: dict[str, int] = {}
    if criteria.min_years_experience is not None:
        years["$gte"] = criteria.min_years_experience
    if criteria.max_years_experience is not None:
        years["$lte"] = criteria.max_years_experience
    if years:
        match["years_experience"] = years
    return match


async def list_candidates(criteria: CandidateCriteria, order_by: str, request: PageRequest) -> Page:
    """One page of the root candidates list."""
    order = CANDIDATE_ORDERS[order_by]
    return await fetch_root_page(Candidate, candidate_match(criteria), order, request)


async def count_candidates(criteria: CandidateCriteria) -> int:
    """How many candidates the criteria match."""
    return await count_documents(Candidate, candidate_match(criteria))


async def candidate_by_id(context: Context, candidate_id: ObjectId) -> Candidate | None:
    """One candidate, through the cached loader."""
    return await context.loaders.candidate_by_id.load(candidate_id)


async def recruiter_candidates(
    context: Context, recruiter_id: ObjectId, request: PageRequest
) -> Page:
    """A page of one recruiter's candidates, batched across recruiters."""
    key = ChildPageKey(recruiter_id, request)
    return await context.loaders.candidates_by_recruiter_id.load(key)


async def recruiter_candidate_count(context: Context, recruiter_id: ObjectId) -> int:
    """How many candidates a recruiter holds."""
    key = ChildCountKey(recruiter_id)
    return await context.loaders.candidate_count_by_recruiter_id.load(key)


async def save_candidate(context: Context, candidate: Candidate) -> Candidate:
    """Persist a candidate and forget its cached copy."""
    await save_and_forget(context, "candidates", candidate)
    return candidate
