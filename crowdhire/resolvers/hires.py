"""Hires and departures: a submission at OFFER becomes a Placement; early leavers earn a refund.

The fee, the recruiter's share and the guarantee end are computed here from the job's fee
terms, never taken from the client. Everything a hire changes (submission, placement, job
status, audit event) is written in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError, OperationFailure

from crowdhire.context import Context
from crowdhire.events.outbox import record_event
from crowdhire.events.subjects import job_subjects, submission_subjects
from crowdhire.loaders.base import CachedKind
from crowdhire.models.common import Money, utcnow
from crowdhire.models.events import EventType
from crowdhire.models.jobs import Job, JobStatus, can_move
from crowdhire.models.placements import Placement, prorated_refund
from crowdhire.models.submissions import Stage, Submission
from crowdhire.resolvers.access import can_view_deal
from crowdhire.resolvers.events import actor_of
from crowdhire.resolvers.jobs import claim_job
from crowdhire.resolvers.submissions import record_move, visible_submission
from crowdhire.resolvers.transactions import Outcome, audit, refuse, run_mutation

MAX_SALARY = 10**12  # minor units; anything above is a typo, not a salary
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class SalaryInput:
    """The agreed first-year salary in minor units."""

    amount: int
    currency: str


def _check_salary(salary: SalaryInput) -> None:
    if not 0 < salary.amount <= MAX_SALARY:
        message = "annualSalary.amount must be a positive amount in minor units"
        raise refuse(("annualSalary", "amount"), "INVALID_INPUT", message)
    if not _CURRENCY.match(salary.currency):
        message = "annualSalary.currency must be an ISO 4217 code such as EUR"
        raise refuse(("annualSalary", "currency"), "INVALID_INPUT", message)


def _check_start(job: Job, start: date) -> None:
    # the guarantee ends guaranteeDays after the start: that day must exist in the calendar
    if start > date.max - timedelta(days=job.fee_terms.guarantee_days):
        message = "startDate is too far in the future for the job's guarantee period"
        raise refuse(("startDate",), "INVALID_INPUT", message)


def _check_currency(job: Job, salary: SalaryInput) -> None:
    if job.salary is not None and salary.currency != job.salary.currency:
        message = f"annualSalary.currency must be the job's salary currency {job.salary.currency}"
        raise refuse(("annualSalary", "currency"), "CURRENCY_MISMATCH", message)
    # a percentage of a salary in another currency would need an exchange rate we do not have
    if job.fee_terms.percent is not None and salary.currency != job.fee_terms.currency:
        message = f"annualSalary.currency must be the job's fee currency {job.fee_terms.currency}"
        raise refuse(("annualSalary", "currency"), "CURRENCY_MISMATCH", message)


def _retry_transaction(cause: Exception) -> OperationFailure:
    # labelled transient, so the transaction runs again and counts the placements afresh
    details = {"errorLabels": ["TransientTransactionError"]}
    return OperationFailure(f"opening taken concurrently: {cause}", code=112, details=details)


def new_placement(
    submission: Submission, job: Job, start: date, salary: SalaryInput, opening: int
) -> Placement:
    """The placement for a hire, with fee, share and guarantee from the job's fee terms."""
    terms = job.fee_terms
    fee = terms.fee_for(salary.amount)
    return Placement(
        submission_id=submission.id,
        job_id=job.id,
        candidate_id=submission.candidate_id,
        recruiter_id=submission.recruiter_id,
        company_id=job.company_id,
        start_date=start,
        annual_salary=Money(amount=salary.amount, currency=salary.currency),
        fee=Money(amount=fee, currency=terms.currency),
        recruiter_share=Money(amount=terms.recruiter_share_of(fee), currency=terms.currency),
        guarantee_end_date=start + timedelta(days=terms.guarantee_days),
        opening=opening,
    )


async def hire_submission(
    context: Context,
    submission_id: ObjectId,
    start_date: date,
    salary: SalaryInput,
    client_mutation_id: str | None,
) -> Outcome:
    """The job's company hires the candidate of a submission at OFFER."""

    async def hire(session: AsyncClientSession) -> Outcome:
        submission = await visible_submission(context, session, submission_id, "hire")
        if not context.viewer.is_member_of(submission.company_id):
            raise refuse(("id",), "FORBIDDEN", "Only the job's company hires")
        _check_salary(salary)
        if submission.stage is not Stage.OFFER:
            message = f"Only a submission at OFFER can be hired, not at {submission.stage.name}"
            raise refuse(("id",), "ILLEGAL_TRANSITION", message)
        job = await claim_job(session, submission.job_id)
        if job is None:
            raise refuse(("id",), "NOT_FOUND", "The submission's job no longer exists")
        _check_currency(job, salary)
        _check_start(job, start_date)
        placements = Placement.get_pymongo_collection()
        filled = await placements.count_documents({"job_id": job.id}, session=session)
        if filled >= job.openings:
            raise refuse(("id",), "NO_OPENINGS_LEFT", "Every opening of this job is filled")
        if not can_move(job.status, JobStatus.FILLED):  # the status machine: OPEN or PAUSED
            message = f"The job is {job.status.name}: only an OPEN or PAUSED job hires"
            raise refuse(("id",), "JOB_CLOSED", message)
        record_move(submission, Stage.HIRED, context.viewer.sub, "", utcnow())
        await submission.save(session=session)
        placement = new_placement(submission, job, start_date, salary, filled + 1)
        try:
            await placement.insert(session=session)
        except DuplicateKeyError as duplicate:
            if "submission_id" in (duplicate.details or {}).get("keyPattern", {}):
                message = "This submission was already hired"
                raise refuse(("id",), "ALREADY_HIRED", message) from None
            raise _retry_transaction(duplicate) from None  # a concurrent hire took this opening
        assert placement.id is not None and job.id is not None
        changed = ["stage", "history", "placement"]
        if filled + 1 >= job.openings:
            await Job.get_pymongo_collection().update_one(
                {"_id": job.id}, {"$set": {"status": JobStatus.FILLED.value}}, session=session
            )
            changed.append("job.status")
        await audit(
            context,
            session,
            "hireSubmission",
            {"submission": submission_id, "placement": placement.id, "job": job.id},
            changed,
        )
        hired = submission_subjects(submission, placement=placement.id)
        await record_event(session, EventType.SUBMISSION_HIRED, actor_of(context), hired, changed)
        if "job.status" in changed:
            await record_event(
                session, EventType.JOB_FILLED, actor_of(context), job_subjects(job), ["status"]
            )
        return Outcome(
            ids={"submission": str(submission_id), "placement": str(placement.id)},
            forget=[
                (CachedKind.SUBMISSIONS, submission_id),
                (CachedKind.PLACEMENTS, placement.id),
                (CachedKind.JOBS, job.id),
            ],
        )

    data = {
        "id": str(submission_id),
        "startDate": start_date.isoformat(),
        "annualSalary": {"amount": salary.amount, "currency": salary.currency},
    }
    return await run_mutation(context, "hireSubmission", data, hire, client_mutation_id)


async def record_placement_departure(
    context: Context, placement_id: ObjectId, departure: date, client_mutation_id: str | None
) -> Outcome:
    """The company (or an admin) records that a hire left; inside the guarantee a refund is due."""

    async def record(session: AsyncClientSession) -> Outcome:
        viewer = context.viewer
        if viewer.is_anonymous:
            raise refuse((), "UNAUTHENTICATED", "Sign in to record departures")
        placement = await Placement.find_one({"_id": placement_id}, session=session)
        if placement is None or not can_view_deal(viewer, placement):
            raise refuse(("placementId",), "NOT_FOUND", "No such placement")
        if not (viewer.is_admin or viewer.is_member_of(placement.company_id)):
            raise refuse(("placementId",), "FORBIDDEN", "Only the hiring company records this")
        if placement.departure_date is not None:
            message = "A departure was already recorded for this placement"
            raise refuse(("placementId",), "DEPARTURE_ALREADY_RECORDED", message)
        if departure < placement.start_date:
            raise refuse(("date",), "INVALID_INPUT", "date is before the placement's start date")
        if departure > placement.guarantee_end_date:
            message = "date is after the guarantee's last day: no refund is due"
            raise refuse(("date",), "OUTSIDE_GUARANTEE", message)
        fee = placement.fee
        refund = prorated_refund(
            fee.amount, placement.start_date, placement.guarantee_end_date, departure
        )
        placement.departure_date = departure
        placement.refund_due = Money(amount=refund, currency=fee.currency)
        await placement.save(session=session)
        await audit(
            context,
            session,
            "recordPlacementDeparture",
            {"placement": placement_id},
            ["departure_date", "refund_due"],
        )
        return Outcome(
            ids={"placement": str(placement_id)}, forget=[(CachedKind.PLACEMENTS, placement_id)]
        )

    data = {"placementId": str(placement_id), "date": departure.isoformat()}
    return await run_mutation(context, "recordPlacementDeparture", data, record, client_mutation_id)
