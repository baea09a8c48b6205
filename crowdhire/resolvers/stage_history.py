"""Who moved a submission, as the other party may see it: a role and a display name.

Raw Auth0 subjects are pseudonymous identifiers the logs only ever hash; a company sees the
recruiter's display name and a recruiter the company's name. Admins, and each actor for their
own moves, still see the subject.
"""

from __future__ import annotations

from enum import Enum

from crowdhire.context import Context
from crowdhire.models.submissions import StageChange, Submission


class ActorRole(Enum):
    """Which side of the candidacy made a move."""

    RECRUITER = "RECRUITER"
    COMPANY = "COMPANY"


def actor_role(submission: Submission, change: StageChange, recruiter_sub: str | None) -> ActorRole:
    """Only the submitting recruiter and the job's company move submissions."""
    return ActorRole.RECRUITER if change.actor == recruiter_sub else ActorRole.COMPANY


def shown_subject(context: Context, change: StageChange) -> str | None:
    """The raw subject for admins and for the actor themself, else None."""
    viewer = context.viewer
    if viewer.is_admin or (viewer.sub is not None and viewer.sub == change.actor):
        return change.actor
    return None


async def recruiter_sub(context: Context, submission: Submission) -> str | None:
    """The subject of the recruiter who submitted (batched and cached)."""
    recruiter = await context.loaders.recruiter_by_id.load(submission.recruiter_id)
    return recruiter.sub if recruiter is not None else None


async def actor_name(context: Context, submission: Submission, role: ActorRole) -> str | None:
    """The recruiter's display name, or the company's name (both public)."""
    if role is ActorRole.RECRUITER:
        recruiter = await context.loaders.recruiter_by_id.load(submission.recruiter_id)
        return recruiter.display_name if recruiter is not None else None
    company = await context.loaders.company_by_id.load(submission.company_id)
    return company.name if company is not None else None
