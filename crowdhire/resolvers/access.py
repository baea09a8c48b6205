"""Who may see what: the permission matrix as named helpers (see README, "Permissions").

Records a viewer may not see behave exactly like missing ones (null, absent from lists);
hidden fields of a visible record raise ForbiddenError at that field.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from crowdhire.auth.viewer import Viewer
from crowdhire.context import Context
from crowdhire.errors import ForbiddenError, UnauthenticatedError
from crowdhire.loaders.base import PENDING, Criteria, Pending, loaded
from crowdhire.models import Candidate, Job, Placement, Recruiter, Submission
from crowdhire.models.candidates import ConsentStatus
from crowdhire.models.jobs import JobStatus

NOTHING: dict[str, Any] = {"_id": {"$exists": False}}


def require_signed_in(viewer: Viewer, what: str) -> None:
    """Private lists need a token: UNAUTHENTICATED otherwise."""
    if viewer.is_anonymous:
        raise UnauthenticatedError(f"Sign in to list {what}")


def forbid(field: str) -> ForbiddenError:
    """The error for a hidden field of a visible record."""
    return ForbiddenError(f"You may not see `{field}` of this record", field=field)


def _any_of(branches: list[dict[str, Any]]) -> dict[str, Any]:
    if not branches:
        return NOTHING
    return branches[0] if len(branches) == 1 else {"$or": branches}


def can_view_job(viewer: Viewer, job: Job) -> bool:
    """Open jobs: anyone; other non-drafts: recruiters; everything: the company and admins."""
    if viewer.is_admin or viewer.is_member_of(job.company_id):
        return True
    if job.status is JobStatus.OPEN:
        return True
    return viewer.is_recruiter and job.status is not JobStatus.DRAFT


def job_scope(viewer: Viewer) -> dict[str, Any]:
    """The filter that keeps a jobs list to what `can_view_job` allows."""
    if viewer.is_admin:
        return {}
    branches: list[dict[str, Any]] = [{"status": JobStatus.OPEN.value}]
    if viewer.is_recruiter:
        branches = [{"status": {"$ne": JobStatus.DRAFT.value}}]
    if viewer.company_ids:
        branches.append({"company_id": {"$in": sorted(viewer.company_ids)}})
    return _any_of(branches)


def ensure_can_see_fee_terms(viewer: Viewer, job: Job) -> None:
    """Fee terms: recruiters, the posting company and admins."""
    if not (viewer.is_admin or viewer.is_recruiter or viewer.is_member_of(job.company_id)):
        raise forbid("feeTerms")


def job_pipeline_criteria(viewer: Viewer, job: Job, field: str) -> Criteria:
    """Which of a job's submissions/placements a viewer sees: all, their own, or forbidden."""
    if viewer.is_admin or viewer.is_member_of(job.company_id):
        return ()
    if viewer.recruiter_id is not None:
        return (("recruiter_id", (viewer.recruiter_id,)),)
    raise forbid(field)


# Submissions and placements


def can_view_deal(viewer: Viewer, deal: Submission | Placement) -> bool:
    """A submission or placement: its recruiter, its company, admins."""
    return (
        viewer.is_admin
        or (viewer.recruiter_id is not None and deal.recruiter_id == viewer.recruiter_id)
        or viewer.is_member_of(deal.company_id)
    )


def deal_scope(viewer: Viewer) -> dict[str, Any]:
    """The filter that keeps a submissions/placements list to what `can_view_deal` allows."""
    if viewer.is_admin:
        return {}
    branches: list[dict[str, Any]] = []
    if viewer.recruiter_id is not None:
        branches.append({"recruiter_id": viewer.recruiter_id})
    if viewer.company_ids:
        branches.append({"company_id": {"$in": sorted(viewer.company_ids)}})
    return _any_of(branches)


def owns_candidate(viewer: Viewer, candidate: Candidate) -> bool:
    """The recruiter who sourced the candidate (or an admin)."""
    return viewer.is_admin or (
        viewer.recruiter_id is not None and candidate.recruiter_id == viewer.recruiter_id
    )


async def can_view_candidate(context: Context, candidate: Candidate) -> bool:
    """Owner, admins, and members of a company the candidate was submitted to."""
    known = can_view_candidate_now(context, candidate)
    if not isinstance(known, Pending):
        return known
    assert candidate.id is not None
    candidacies = await context.loaders.candidacies_by_candidate_id.load(candidate.id)
    return any(context.viewer.is_member_of(c.company_id) for c in candidacies)


def can_view_candidate_now(context: Context, candidate: Candidate) -> bool | Pending:
    """`can_view_candidate` when it is decidable without I/O, else PENDING."""
    viewer = context.viewer
    if owns_candidate(viewer, candidate):
        return True
    if not viewer.company_ids:
        return False
    assert candidate.id is not None
    candidacies = loaded(context.loaders.candidacies_by_candidate_id, candidate.id)
    if isinstance(candidacies, Pending):
        return PENDING
    return any(viewer.is_member_of(c.company_id) for c in candidacies)


def needs_candidacies(viewer: Viewer) -> bool:
    """Whether seeing others' candidates depends on their candidacies (company members)."""
    return not viewer.is_admin and bool(viewer.company_ids)


async def ensure_can_see_contact(context: Context, candidate: Candidate, field: str) -> None:
    """Contact fields: owner/admin; a company once its submission reached interviewing."""
    viewer = context.viewer
    if owns_candidate(viewer, candidate):
        return
    if candidate.consent.status is ConsentStatus.GRANTED and viewer.company_ids:
        assert candidate.id is not None
        candidacies = await context.loaders.candidacies_by_candidate_id.load(candidate.id)
        if any(viewer.is_member_of(c.company_id) and c.reached_interviewing for c in candidacies):
            return
    raise forbid(field)


def candidate_deals_criteria(viewer: Viewer, candidate: Candidate) -> Criteria:
    """A candidate's submissions/placements: all for the owner, the company's own otherwise."""
    if owns_candidate(viewer, candidate):
        return ()
    return (("company_id", tuple(sorted(viewer.company_ids))),)


async def candidate_scope(viewer: Viewer) -> dict[str, Any]:
    """The filter that keeps a candidates list to what `can_view_candidate` allows."""
    own = {"recruiter_id": viewer.recruiter_id} if viewer.recruiter_id is not None else None
    return await _own_or_submitted(viewer, own, "candidate_id")


def can_view_recruiter(viewer: Viewer, recruiter: Recruiter) -> bool:
    """Any signed-in viewer sees a recruiter's public profile."""
    return not viewer.is_anonymous


def ensure_is_self_or_admin(viewer: Viewer, recruiter: Recruiter, field: str) -> None:
    """A recruiter's email and work lists: the recruiter and admins only."""
    if not (viewer.is_admin or viewer.recruiter_id == recruiter.id):
        raise forbid(field)


async def recruiter_scope(viewer: Viewer) -> dict[str, Any]:
    """A recruiters list: everyone for admins; yourself and those who submitted to you."""
    own = {"_id": viewer.recruiter_id} if viewer.recruiter_id is not None else None
    return await _own_or_submitted(viewer, own, "recruiter_id")


async def _own_or_submitted(
    viewer: Viewer, own: dict[str, Any] | None, field: str
) -> dict[str, Any]:
    """Admins: everything; others: their own rows (`own`) or rows whose `field` appears in a
    submission to one of their companies."""
    if viewer.is_admin:
        return {}
    branches = [own] if own is not None else []
    if viewer.company_ids:
        ids = await _distinct_submitted(field, viewer.company_ids)
        branches.append({"_id": {"$in": ids}})
    return _any_of(branches)


async def _distinct_submitted(field: str, company_ids: frozenset[ObjectId]) -> list[ObjectId]:
    collection = Submission.get_pymongo_collection()
    values: list[ObjectId] = await collection.distinct(
        field, {"company_id": {"$in": sorted(company_ids)}}
    )
    return values
