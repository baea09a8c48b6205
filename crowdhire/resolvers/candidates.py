"""Candidate reads (root list with filters, a recruiter's candidates) and writes.

createCandidate/updateCandidate detect duplicates across the crowd by the normalized email and
phone; unique partial indexes on those keys settle concurrent creates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pydantic import HttpUrl, TypeAdapter, ValidationError
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from crowdhire.context import Context
from crowdhire.loaders.base import CachedKind, Pending, loaded_if_visible
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.loaders.root_lists import count_documents, fetch_root_page
from crowdhire.matching.tasks import enqueue_embedding
from crowdhire.models.candidates import (
    Candidate,
    ConsentStatus,
    normalize_email,
    normalize_phone,
    normalize_skills,
)
from crowdhire.models.common import Money, utcnow
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.resolvers.access import (
    can_view_candidate,
    can_view_candidate_now,
    candidate_scope,
    needs_candidacies,
    require_signed_in,
)
from crowdhire.resolvers.argument_rules import (
    combine,
    is_email,
    prefix_pattern,
    skills_match,
)
from crowdhire.resolvers.duplicate_cap import capped_duplicates
from crowdhire.resolvers.job_inputs import is_currency
from crowdhire.resolvers.transactions import MutationRefused, Outcome, audit, refuse, run_mutation

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


async def _visible_match(context: Context, criteria: CandidateCriteria) -> dict[str, Any]:
    require_signed_in(context.viewer, "candidates")
    return combine(candidate_match(criteria), await candidate_scope(context.viewer))


async def list_candidates(
    context: Context, criteria: CandidateCriteria, order_by: str, request: PageRequest
) -> Page:
    """One page of the candidates the viewer may see."""
    order = CANDIDATE_ORDERS[order_by]
    match = await _visible_match(context, criteria)
    return await fetch_root_page(Candidate, match, order, request)


async def count_candidates(context: Context, criteria: CandidateCriteria) -> int:
    """How many visible candidates the criteria match."""
    return await count_documents(Candidate, await _visible_match(context, criteria))


async def candidate_by_id(
    context: Context, candidate_id: ObjectId, omit: frozenset[str] = frozenset()
) -> Candidate | None:
    """One candidate through the cached loader; None when missing or not visible. The fields
    in `omit` (the selection does not read them) may be left out and hold `NotLoaded`."""
    candidate = await context.loaders.candidate_by_id.without(omit).load(candidate_id)
    if candidate is None or not await can_view_candidate(context, candidate):
        return None
    return candidate


def candidate_now(
    context: Context, candidate_id: ObjectId, omit: frozenset[str] = frozenset()
) -> Candidate | Pending | None:
    """`candidate_by_id` when already loaded and decidable without I/O, else PENDING."""
    loader = context.loaders.candidate_by_id.without(omit)
    return loaded_if_visible(loader, candidate_id, lambda c: can_view_candidate_now(context, c))


def prefetch_candidates(
    context: Context, candidate_ids: list[ObjectId], omit: frozenset[str] = frozenset()
) -> Awaitable[object]:
    """Load many candidates (and what their visibility needs) in this request's batches, both
    at once (a future: see `resolvers.jobs.prefetch_jobs`)."""
    loads: list[Awaitable[object]] = [
        context.loaders.candidate_by_id.without(omit).load_many(candidate_ids)
    ]
    if needs_candidacies(context.viewer):
        loads.append(context.loaders.candidacies_by_candidate_id.load_many(candidate_ids))
    return asyncio.gather(*loads)


def has_granted_consent(candidate: Candidate) -> bool:
    """True when the person granted consent to be represented (and was not erased)."""
    return candidate.erased_at is None and candidate.consent.status is ConsentStatus.GRANTED


# createCandidate and updateCandidate

MAX_SKILLS = 50
MAX_LINKS = 10
MAX_TEXT = 200
_URL = TypeAdapter(HttpUrl)
DUPLICATE_MESSAGE = "This person is already represented by a recruiter of the crowd"
# input field (snake_case) -> its name in the GraphQL input
FIELD_PATHS = {
    "full_name": "fullName",
    "headline": "headline",
    "email": "email",
    "phone": "phone",
    "location": "location",
    "skills": "skills",
    "years_experience": "yearsExperience",
    "links": "links",
    "summary": "summary",
    "desired_salary": "desiredSalary",
    "open_to_remote": "openToRemote",
    "languages": "languages",
}
_NULLABLE = frozenset({"email", "phone", "desired_salary"})
MAX_SUMMARY = 5000
MAX_LANGUAGES = 20


def _text(name: str, value: str, *, required: bool = False) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise refuse((FIELD_PATHS[name],), "INVALID_INPUT", f"{FIELD_PATHS[name]} is required")
    if len(cleaned) > MAX_TEXT:
        message = f"{FIELD_PATHS[name]} is limited to {MAX_TEXT} characters"
        raise refuse((FIELD_PATHS[name],), "INVALID_INPUT", message)
    return cleaned


def _links(links: list[str]) -> list[str]:
    if len(links) > MAX_LINKS:
        raise refuse(("links",), "INVALID_INPUT", f"at most {MAX_LINKS} links")
    cleaned = []
    for index, link in enumerate(links):
        value = link.strip()
        try:
            _URL.validate_python(value)
        except ValidationError:
            message = "links must be http or https URLs"
            raise refuse(("links", str(index)), "INVALID_INPUT", message) from None
        if len(value) > 2000:
            raise refuse(("links", str(index)), "INVALID_INPUT", "a link is limited to 2,000 chars")
        cleaned.append(value)
    return cleaned


def clean_candidate_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalize the given candidate fields; add the matching keys they imply."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        path = (FIELD_PATHS[name],)
        if value is None and name not in _NULLABLE:
            raise refuse(path, "INVALID_INPUT", f"{path[0]} may not be null")
        if name in {"full_name", "headline", "location"}:
            out[name] = _text(name, value, required=name == "full_name")
        elif name == "email":
            email = value.strip() if value else None
            if email is not None and not is_email(email):
                raise refuse(path, "INVALID_INPUT", "email is not a valid address")
            out["email"], out["email_normalized"] = email, normalize_email(email)
        elif name == "phone":
            phone = value.strip() if value else None
            key = normalize_phone(phone)
            if phone is not None and key is None:
                message = "phone must be an international number: + country code, then digits"
                raise refuse(path, "INVALID_INPUT", message)
            out["phone"], out["phone_normalized"] = phone, key
        elif name == "skills":
            skills = normalize_skills(list(value))
            if len(skills) > MAX_SKILLS or any(len(skill) > 100 for skill in skills):
                message = f"at most {MAX_SKILLS} skills of up to 100 characters"
                raise refuse(path, "INVALID_INPUT", message)
            out["skills"] = skills
        elif name == "years_experience":
            if not 0 <= value <= 80:
                raise refuse(path, "INVALID_INPUT", "yearsExperience must be 0 to 80")
            out["years_experience"] = value
        elif name == "links":
            out["links"] = _links(list(value))
        else:
            out[name] = _matching_field(name, value)
    return out


def _matching_field(name: str, value: Any) -> Any:
    """The fields only matching reads: summary, desired salary, remote and languages."""
    path = (FIELD_PATHS[name],)
    if name == "summary":
        if len(value) > MAX_SUMMARY:
            raise refuse(path, "INVALID_INPUT", f"summary is limited to {MAX_SUMMARY:,} characters")
        return value.strip()
    if name == "desired_salary":
        if value is None:
            return None
        currency = str(value["currency"]).strip().upper()
        if not is_currency(currency):
            message = "desiredSalary.currency must be an ISO 4217 code such as EUR"
            raise refuse((*path, "currency"), "INVALID_INPUT", message)
        if value["amount"] < 0:
            message = "desiredSalary.amount cannot be negative (minor units)"
            raise refuse((*path, "amount"), "INVALID_INPUT", message)
        return Money(amount=value["amount"], currency=currency)
    if name == "languages":
        languages = normalize_skills(list(value))
        if len(languages) > MAX_LANGUAGES or any(len(language) > 40 for language in languages):
            message = f"at most {MAX_LANGUAGES} languages of up to 40 characters"
            raise refuse(path, "INVALID_INPUT", message)
        return languages
    return bool(value)


async def _holders(
    keys: Mapping[str, Any], session: AsyncClientSession, exclude: ObjectId | None = None
) -> list[Candidate]:
    """Candidates already holding any of these matching keys (other than `exclude`)."""
    branches = [{name: keys[name]} for name in ("email_normalized", "phone_normalized")
                if keys.get(name)]  # fmt: skip
    if not branches:
        return []
    match: dict[str, Any] = {"$or": branches}
    if exclude is not None:
        match["_id"] = {"$ne": exclude}
    return await Candidate.find(match, session=session).to_list()


def candidate_outcome(candidate: Candidate) -> Outcome:
    """A mutation's result showing `candidate`, forgetting its cached copy."""
    assert candidate.id is not None
    return Outcome(
        ids={"candidate": str(candidate.id)}, forget=[(CachedKind.CANDIDATES, candidate.id)]
    )


def _duplicate() -> MutationRefused:
    # One message and no field path whatever matched: nothing about the other holder leaks.
    return refuse((), "DUPLICATE_CANDIDATE", DUPLICATE_MESSAGE)


async def create_candidate(
    context: Context, fields: Mapping[str, Any], client_mutation_id: str | None
) -> Outcome:
    """A recruiter adds a person; someone another recruiter holds is a DUPLICATE_CANDIDATE."""
    viewer = context.viewer

    async def create(session: AsyncClientSession) -> Outcome:
        if viewer.is_anonymous:
            raise refuse((), "UNAUTHENTICATED", "Sign in to add candidates")
        if viewer.recruiter_id is None:
            raise refuse((), "FORBIDDEN", "Only recruiters add candidates")
        values = clean_candidate_fields(fields)
        holders = await _holders(values, session)
        if any(holder.recruiter_id != viewer.recruiter_id for holder in holders):
            raise _duplicate()
        if holders:  # already yours: creating again returns it
            return Outcome(ids={"candidate": str(holders[0].id)})
        candidate = Candidate(recruiter_id=viewer.recruiter_id, **values)
        try:
            await candidate.insert(session=session)
        except DuplicateKeyError:
            raise _duplicate() from None
        assert candidate.id is not None
        await enqueue_embedding(EmbeddedKind.CANDIDATE, candidate.id, session)
        await audit(context, session, "createCandidate",
                    {"candidate": candidate.id, "recruiter": viewer.recruiter_id},
                    list(fields))  # fmt: skip
        return candidate_outcome(candidate)

    return await capped_duplicates(
        context,
        fields,
        lambda: run_mutation(context, "createCandidate", dict(fields), create, client_mutation_id),
    )


async def editable_candidate(
    context: Context, candidate_id: ObjectId, session: AsyncClientSession, what: str
) -> Candidate:
    """The candidate if the viewer is its recruiter or an admin (missing/erased look alike)."""
    viewer = context.viewer
    if viewer.is_anonymous:
        raise refuse((), "UNAUTHENTICATED", f"Sign in to {what}")
    candidate = await Candidate.find_one({"_id": candidate_id}, session=session)
    if candidate is None or candidate.erased_at is not None:
        if viewer.is_admin:
            raise refuse(("candidateId",), "NOT_FOUND", "No such candidate")
        candidate = None
    owner = viewer.is_admin or (
        candidate is not None and candidate.recruiter_id == viewer.recruiter_id
    )
    if candidate is None or not owner:
        raise refuse(("candidateId",), "FORBIDDEN", f"Only the candidate's recruiter may {what}")
    return candidate


async def update_candidate(
    context: Context,
    candidate_id: ObjectId,
    fields: Mapping[str, Any],
    client_mutation_id: str | None,
) -> Outcome:
    """The owning recruiter or an admin changes the given fields (same rules as create)."""

    async def update(session: AsyncClientSession) -> Outcome:
        candidate = await editable_candidate(context, candidate_id, session, "edit this candidate")
        values = clean_candidate_fields(fields)
        if await _holders(values, session, exclude=candidate_id):
            raise _duplicate()
        for name, value in values.items():
            setattr(candidate, name, value)
        candidate.updated_at = utcnow()
        try:
            await candidate.save(session=session)
        except DuplicateKeyError:
            raise _duplicate() from None
        await enqueue_embedding(EmbeddedKind.CANDIDATE, candidate_id, session)
        await audit(context, session, "updateCandidate", {"candidate": candidate_id}, list(fields))
        return Outcome(
            ids={"candidate": str(candidate_id)}, forget=[(CachedKind.CANDIDATES, candidate_id)]
        )

    data = {"candidateId": str(candidate_id), **fields}
    return await capped_duplicates(
        context,
        fields,
        lambda: run_mutation(context, "updateCandidate", data, update, client_mutation_id),
    )
