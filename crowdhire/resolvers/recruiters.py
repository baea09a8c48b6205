"""Recruiter reads and writes."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.events.outbox import record_event
from crowdhire.loaders.base import CachedKind, Pending, loaded_if_visible
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.loaders.root_lists import count_documents, fetch_root_page
from crowdhire.models.events import EventType
from crowdhire.models.recruiters import Recruiter
from crowdhire.resolvers.access import can_view_recruiter, recruiter_scope, require_signed_in
from crowdhire.resolvers.argument_rules import is_email
from crowdhire.resolvers.transactions import Outcome, UserErrorData, audit, refuse, run_mutation

RECRUITER_ORDERS = {
    "CREATED_AT_DESC": ordering("recruiters:created_at_desc", ("created_at", DESCENDING)),
    "CREATED_AT_ASC": ordering("recruiters:created_at_asc", ("created_at", ASCENDING)),
}


async def _visible_match(context: Context) -> dict[str, Any]:
    require_signed_in(context.viewer, "recruiters")
    return await recruiter_scope(context.viewer)


async def list_recruiters(context: Context, order_by: str, request: PageRequest) -> Page:
    """One page of the recruiters the viewer may list."""
    match = await _visible_match(context)
    return await fetch_root_page(Recruiter, match, RECRUITER_ORDERS[order_by], request)


async def count_recruiters(context: Context) -> int:
    """How many recruiters the viewer may list."""
    return await count_documents(Recruiter, await _visible_match(context))


async def recruiter_by_id(context: Context, recruiter_id: ObjectId) -> Recruiter | None:
    """One recruiter through the cached loader; None when missing or not visible."""
    recruiter = await context.loaders.recruiter_by_id.load(recruiter_id)
    if recruiter is None or not can_view_recruiter(context.viewer, recruiter):
        return None
    return recruiter


def recruiter_now(context: Context, recruiter_id: ObjectId) -> Recruiter | Pending | None:
    """`recruiter_by_id` when already loaded in this request, else PENDING."""
    viewer = context.viewer
    loader = context.loaders.recruiter_by_id
    return loaded_if_visible(loader, recruiter_id, lambda r: can_view_recruiter(viewer, r))


def prefetch_recruiters(context: Context, recruiter_ids: list[ObjectId]) -> Awaitable[object]:
    """Load many recruiters in this request's batch (a future: see `prefetch_jobs`)."""
    return context.loaders.recruiter_by_id.load_many(recruiter_ids)


@dataclass(frozen=True)
class RecruiterProfileInput:
    """What a recruiter tells us about themselves."""

    display_name: str
    email: str
    bio: str = ""
    specialties: tuple[str, ...] = ()


def _check_profile(profile: RecruiterProfileInput) -> None:
    if not 1 <= len(profile.display_name.strip()) <= 120:
        raise refuse(("displayName",), "INVALID_INPUT", "displayName must be 1 to 120 characters")
    if not is_email(profile.email):
        raise refuse(("email",), "INVALID_INPUT", "email is not a valid address")
    if len(profile.bio) > 2000:
        raise refuse(("bio",), "INVALID_INPUT", "bio is limited to 2,000 characters")
    if len(profile.specialties) > 20:
        raise refuse(("specialties",), "INVALID_INPUT", "at most 20 specialties")


async def register_recruiter(
    context: Context, profile: RecruiterProfileInput, client_mutation_id: str | None
) -> Outcome:
    """First login: create the Recruiter for the signed-in subject (again: return it)."""
    sub = context.viewer.sub
    if sub is None:
        return Outcome(errors=[UserErrorData((), "UNAUTHENTICATED", "Sign in to register")])

    async def create(session: AsyncClientSession) -> Outcome:
        existing = await Recruiter.find_one({"sub": sub}, session=session)
        if existing is not None:
            return Outcome(ids={"recruiter": str(existing.id)})
        _check_profile(profile)
        recruiter = Recruiter(
            sub=sub,
            display_name=profile.display_name.strip(),
            email=profile.email.strip().lower(),
            bio=profile.bio,
            specialties=list(profile.specialties),
        )
        await recruiter.insert(session=session)
        await audit(context, session, "registerRecruiter", {"recruiter": recruiter.id},
                    ["display_name", "email", "bio", "specialties"])  # fmt: skip
        await record_event(
            session,
            EventType.RECRUITER_REGISTERED,
            sub,
            {"recruiter": recruiter.id},
            ["display_name", "email", "bio", "specialties"],
        )
        return Outcome(ids={"recruiter": str(recruiter.id)}, forget=[(CachedKind.ROLES, sub)])

    data = {"profile": profile.__dict__}
    outcome = await run_mutation(context, "registerRecruiter", data, create, client_mutation_id)
    recruiter_id = outcome.object_id("recruiter")
    if recruiter_id is not None:  # the rest of this request sees the caller as a recruiter
        viewer = context.viewer
        context.viewer = viewer.with_roles(recruiter_id, viewer.company_roles)
    return outcome


async def update_recruiter_profile(
    context: Context, changes: dict[str, Any], client_mutation_id: str | None
) -> Outcome:
    """The signed-in recruiter changes the given profile fields (registerRecruiter's rules)."""
    viewer = context.viewer

    async def update(session: AsyncClientSession) -> Outcome:
        if viewer.is_anonymous:
            raise refuse((), "UNAUTHENTICATED", "Sign in to edit your profile")
        recruiter = await Recruiter.find_one({"sub": viewer.sub}, session=session)
        if recruiter is None:
            raise refuse((), "FORBIDDEN", "Register as a recruiter first")
        for name, value in changes.items():
            if value is None:
                path = {"display_name": "displayName"}.get(name, name)
                raise refuse((path,), "INVALID_INPUT", f"{path} may not be null")
        merged = RecruiterProfileInput(
            display_name=changes.get("display_name", recruiter.display_name),
            email=changes.get("email", recruiter.email),
            bio=changes.get("bio", recruiter.bio),
            specialties=tuple(changes.get("specialties", recruiter.specialties)),
        )
        _check_profile(merged)
        recruiter.display_name = merged.display_name.strip()
        recruiter.email = merged.email.strip().lower()
        recruiter.bio, recruiter.specialties = merged.bio, list(merged.specialties)
        await recruiter.save(session=session)
        recruiter_id = recruiter.id
        assert recruiter_id is not None
        await audit(context, session, "updateRecruiterProfile", {"recruiter": recruiter_id},
                    list(changes))  # fmt: skip
        return Outcome(
            ids={"recruiter": str(recruiter_id)}, forget=[(CachedKind.RECRUITERS, recruiter_id)]
        )

    return await run_mutation(
        context, "updateRecruiterProfile", changes, update, client_mutation_id
    )
