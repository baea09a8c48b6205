"""Submission reads: the root list, and pages/counts under a job, candidate or recruiter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from crowdhire.auth.viewer import Viewer
from crowdhire.context import Context
from crowdhire.events.outbox import record_event
from crowdhire.events.subjects import submission_subjects
from crowdhire.loaders.base import CachedKind, Criteria
from crowdhire.loaders.pagination import Page, PageRequest, ordering
from crowdhire.loaders.root_lists import count_documents, fetch_root_page
from crowdhire.models.candidates import (
    Candidate,
    normalize_email,
    normalize_phone,
)
from crowdhire.models.common import utcnow
from crowdhire.models.events import EventType
from crowdhire.models.jobs import JobStatus
from crowdhire.models.submissions import (
    FINAL_STAGES,
    RejectReason,
    Stage,
    StageChange,
    Submission,
    person_keys,
)
from crowdhire.resolvers.access import can_view_deal, can_view_job, deal_scope, require_signed_in
from crowdhire.resolvers.argument_rules import combine
from crowdhire.resolvers.candidates import has_granted_consent
from crowdhire.resolvers.events import actor_of
from crowdhire.resolvers.jobs import claim_job
from crowdhire.resolvers.transactions import Outcome, audit, refuse, run_mutation

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


def _visible_match(context: Context, criteria: SubmissionCriteria) -> dict[str, Any]:
    require_signed_in(context.viewer, "submissions")
    return combine(submission_match(criteria), deal_scope(context.viewer))


async def list_submissions(
    context: Context, criteria: SubmissionCriteria, order_by: str, request: PageRequest
) -> Page:
    """One page of the submissions the viewer may see."""
    order = SUBMISSION_ORDERS[order_by]
    return await fetch_root_page(Submission, _visible_match(context, criteria), order, request)


async def count_submissions(context: Context, criteria: SubmissionCriteria) -> int:
    """How many visible submissions the criteria match."""
    return await count_documents(Submission, _visible_match(context, criteria))


async def submission_by_id(context: Context, submission_id: ObjectId) -> Submission | None:
    """One submission through the cached loader; None when missing or not visible."""
    submission = await context.loaders.submission_by_id.load(submission_id)
    if submission is None or not can_view_deal(context.viewer, submission):
        return None
    return submission


def stage_criteria(stages: tuple[Stage, ...], visible: Criteria) -> Criteria:
    """A child list's criteria: only these stages (all when empty), within what is visible."""
    by_stage = (("stage", tuple(sorted(stage.value for stage in stages))),) if stages else ()
    return by_stage + visible


# Workflow: submit, move, withdraw

MAX_TEXT = 2000

COMPANY_MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.SUBMITTED: frozenset({Stage.SCREENING, Stage.REJECTED}),
    Stage.SCREENING: frozenset({Stage.INTERVIEWING, Stage.REJECTED}),
    Stage.INTERVIEWING: frozenset({Stage.OFFER, Stage.REJECTED}),
    Stage.OFFER: frozenset({Stage.REJECTED}),  # hired only through hireSubmission
}
"""What a company may move a submission to from each stage; final stages allow nothing."""


def _signed_in(context: Context, what: str) -> Viewer:
    viewer = context.viewer
    if viewer.is_anonymous:
        raise refuse((), "UNAUTHENTICATED", f"Sign in to {what}")
    return viewer


def _check_text(value: str, field: str) -> None:
    if len(value) > MAX_TEXT:
        raise refuse((field,), "INVALID_INPUT", f"{field} is limited to 2,000 characters")


def _person_keys(candidate: Candidate) -> list[str]:
    # rows stored before the matching keys existed get them computed here
    email = candidate.email_normalized or normalize_email(candidate.email)
    return person_keys(email, candidate.phone_normalized or normalize_phone(candidate.phone))


async def submit_candidate(
    context: Context,
    job_id: ObjectId,
    candidate_id: ObjectId,
    pitch: str,
    client_mutation_id: str | None,
) -> Outcome:
    """A recruiter puts one of their consenting candidates forward for an open job."""

    async def submit(session: AsyncClientSession) -> Outcome:
        viewer = _signed_in(context, "submit candidates")
        if viewer.recruiter_id is None:
            raise refuse((), "FORBIDDEN", "Only recruiters submit candidates")
        job = await claim_job(session, job_id)
        if job is None or not can_view_job(viewer, job):
            raise refuse(("jobId",), "JOB_NOT_FOUND", "No such job")
        candidate = await Candidate.find_one({"_id": candidate_id}, session=session)
        if candidate is None or candidate.recruiter_id != viewer.recruiter_id:
            raise refuse(("candidateId",), "CANDIDATE_NOT_FOUND", "No such candidate of yours")
        if job.status is not JobStatus.OPEN:
            raise refuse(("jobId",), "JOB_NOT_OPEN", "The job does not take submissions now")
        if not has_granted_consent(candidate):
            message = "The candidate has not granted consent to be submitted"
            raise refuse(("candidateId",), "CONSENT_REQUIRED", message)
        _check_text(pitch, "pitch")
        now = utcnow()
        submission = Submission(
            job_id=job_id,
            candidate_id=candidate_id,
            recruiter_id=viewer.recruiter_id,
            company_id=job.company_id,
            pitch=pitch.strip(),
            person_keys=_person_keys(candidate),
            history=[
                StageChange(
                    from_stage=None, to_stage=Stage.SUBMITTED, at=now, actor=viewer.sub or ""
                )
            ],
            created_at=now,
            updated_at=now,
        )
        try:
            await submission.insert(session=session)
        except DuplicateKeyError:  # the unique indexes decide who was first; never say who
            message = "This candidate was already submitted to this job"
            raise refuse(("candidateId",), "ALREADY_SUBMITTED", message) from None
        assert submission.id is not None
        await audit(
            context,
            session,
            "submitCandidate",
            {"submission": submission.id, "job": job_id, "candidate": candidate_id},
            ["stage", "pitch", "history"],
        )
        await record_event(
            session,
            EventType.SUBMISSION_CREATED,
            actor_of(context),
            submission_subjects(submission),
            ["stage", "pitch"],
        )
        return Outcome(
            ids={"submission": str(submission.id)}, forget=[(CachedKind.SUBMISSIONS, submission.id)]
        )

    data = {"jobId": str(job_id), "candidateId": str(candidate_id), "pitch": pitch}
    return await run_mutation(context, "submitCandidate", data, submit, client_mutation_id)


async def visible_submission(
    context: Context, session: AsyncClientSession, submission_id: ObjectId, what: str
) -> Submission:
    """A submission the signed-in viewer may see (NOT_FOUND otherwise, missing or not)."""
    viewer = _signed_in(context, what)
    submission = await Submission.find_one({"_id": submission_id}, session=session)
    if submission is None or not can_view_deal(viewer, submission):
        raise refuse(("id",), "NOT_FOUND", "No such submission")
    return submission


def record_move(
    submission: Submission, to_stage: Stage, actor: str | None, note: str, at: datetime
) -> None:
    """Move a submission and append the move to its history."""
    submission.history.append(
        StageChange(
            from_stage=submission.stage, to_stage=to_stage, at=at, actor=actor or "", note=note
        )
    )
    submission.stage = to_stage
    submission.updated_at = at


def _check_move(current: Stage, stage: Stage, reject_reason: RejectReason | None) -> None:
    if stage not in COMPANY_MOVES.get(current, frozenset()):
        hint = " (use hireSubmission)" if stage is Stage.HIRED else ""
        message = f"A submission at {current.name} cannot move to {stage.name}{hint}"
        raise refuse(("stage",), "ILLEGAL_TRANSITION", message)
    if stage is Stage.REJECTED and reject_reason is None:
        message = "Rejecting needs a rejectReason"
        raise refuse(("rejectReason",), "REJECT_REASON_REQUIRED", message)
    if stage is not Stage.REJECTED and reject_reason is not None:
        raise refuse(("rejectReason",), "INVALID_INPUT", "rejectReason goes with REJECTED only")


async def move_submission(
    context: Context,
    submission_id: ObjectId,
    stage: Stage,
    note: str,
    reject_reason: RejectReason | None,
    client_mutation_id: str | None,
) -> Outcome:
    """The job's company moves a submission along the allowed transitions."""

    async def move(session: AsyncClientSession) -> Outcome:
        submission = await visible_submission(context, session, submission_id, "move submissions")
        if not context.viewer.is_member_of(submission.company_id):
            raise refuse(("id",), "FORBIDDEN", "Only the job's company moves its submissions")
        _check_text(note, "note")
        _check_move(submission.stage, stage, reject_reason)
        record_move(submission, stage, context.viewer.sub, note.strip(), utcnow())
        submission.reject_reason = reject_reason
        await submission.save(session=session)
        changed = ["stage", "history"] + (["reject_reason"] if reject_reason else [])
        await audit(context, session, "moveSubmission", {"submission": submission_id}, changed)
        await record_event(
            session,
            EventType.SUBMISSION_MOVED,
            actor_of(context),
            submission_subjects(submission),
            changed,
        )
        return Outcome(
            ids={"submission": str(submission_id)}, forget=[(CachedKind.SUBMISSIONS, submission_id)]
        )

    data = {
        "id": str(submission_id),
        "stage": stage.value,
        "note": note,
        "rejectReason": reject_reason.value if reject_reason else None,
    }
    return await run_mutation(context, "moveSubmission", data, move, client_mutation_id)


async def withdraw_submission(
    context: Context, submission_id: ObjectId, note: str, client_mutation_id: str | None
) -> Outcome:
    """The submitting recruiter withdraws a submission that is not final yet."""

    async def withdraw(session: AsyncClientSession) -> Outcome:
        what = "withdraw submissions"
        submission = await visible_submission(context, session, submission_id, what)
        if submission.recruiter_id != context.viewer.recruiter_id:
            raise refuse(("id",), "FORBIDDEN", "Only the submitting recruiter withdraws it")
        _check_text(note, "note")
        if submission.stage in FINAL_STAGES:
            message = f"A submission at {submission.stage.name} cannot be withdrawn"
            raise refuse(("id",), "ILLEGAL_TRANSITION", message)
        record_move(submission, Stage.WITHDRAWN, context.viewer.sub, note.strip(), utcnow())
        await submission.save(session=session)
        await audit(
            context,
            session,
            "withdrawSubmission",
            {"submission": submission_id},
            ["stage", "history"],
        )
        await record_event(
            session,
            EventType.SUBMISSION_WITHDRAWN,
            actor_of(context),
            submission_subjects(submission),
            ["stage", "history"],
        )
        return Outcome(
            ids={"submission": str(submission_id)}, forget=[(CachedKind.SUBMISSIONS, submission_id)]
        )

    data = {"id": str(submission_id), "note": note}
    return await run_mutation(context, "withdrawSubmission", data, withdraw, client_mutation_id)
