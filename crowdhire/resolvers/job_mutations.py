"""Job writes: createJob, updateJob and the status machine (publish, pause, close)."""

from __future__ import annotations

from dataclasses import asdict

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.events.outbox import record_event
from crowdhire.events.subjects import job_subjects
from crowdhire.loaders.base import CachedKind
from crowdhire.matching.tasks import enqueue_embedding
from crowdhire.models.common import utcnow
from crowdhire.models.companies import Company
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.models.events import EventType
from crowdhire.models.jobs import Job, JobStatus, can_move
from crowdhire.models.submissions import Submission
from crowdhire.resolvers.events import actor_of
from crowdhire.resolvers.job_inputs import (
    JobFields,
    JobPatch,
    apply,
    checked,
    fields_of,
    new_job,
    patched,
)
from crowdhire.resolvers.transactions import Outcome, audit, refuse, run_mutation

STATUS_EVENTS = {
    JobStatus.OPEN: EventType.JOB_PUBLISHED,
    JobStatus.PAUSED: EventType.JOB_PAUSED,
    JobStatus.CLOSED: EventType.JOB_CLOSED,
}
STATUS_MUTATIONS = {
    JobStatus.OPEN: "publishJob",
    JobStatus.PAUSED: "pauseJob",
    JobStatus.CLOSED: "closeJob",
}


def _ensure_signed_in(context: Context) -> None:
    if context.viewer.is_anonymous:
        raise refuse((), "UNAUTHENTICATED", "Sign in to manage jobs")


async def _company_for_new_job(
    context: Context, session: AsyncClientSession, company_id: ObjectId
) -> None:
    _ensure_signed_in(context)
    viewer = context.viewer
    if not (viewer.is_admin or viewer.is_member_of(company_id)):
        # the same answer for missing companies: no existence oracle
        raise refuse(("companyId",), "FORBIDDEN", "Only the company's members may post jobs")
    if await Company.find_one({"_id": company_id}, session=session) is None:
        raise refuse(("companyId",), "NOT_FOUND", "No such company")


async def _job_to_change(context: Context, session: AsyncClientSession, job_id: ObjectId) -> Job:
    _ensure_signed_in(context)
    viewer = context.viewer
    job = await Job.find_one({"_id": job_id}, session=session)
    if job is None and viewer.is_admin:
        raise refuse(("jobId",), "NOT_FOUND", "No such job")
    if job is None or not (viewer.is_admin or viewer.is_member_of(job.company_id)):
        # missing and someone else's jobs get one answer: no existence oracle
        raise refuse(("jobId",), "FORBIDDEN", "Only the company's members may change this job")
    return job


async def create_job(
    context: Context, company_id: ObjectId, fields: JobFields, client_mutation_id: str | None
) -> Outcome:
    """A company member (or admin) posts a job; it starts as a draft."""

    async def create(session: AsyncClientSession) -> Outcome:
        await _company_for_new_job(context, session, company_id)
        job = new_job(company_id, checked(fields))
        await job.insert(session=session)
        assert job.id is not None
        await enqueue_embedding(EmbeddedKind.JOB, job.id, session)
        await audit(context, session, "createJob", {"job": job.id, "company": company_id},
                    [*JobFields.__dataclass_fields__, "status"])  # fmt: skip
        return Outcome(ids={"job": str(job.id)}, forget=[(CachedKind.JOBS, job.id)])

    data = {"companyId": str(company_id), "fields": asdict(fields)}
    return await run_mutation(context, "createJob", data, create, client_mutation_id)


async def _has_submissions(job_id: ObjectId, session: AsyncClientSession) -> bool:
    collection = Submission.get_pymongo_collection()
    found = await collection.find_one({"job_id": job_id}, {"_id": 1}, session=session)
    return found is not None


async def update_job(
    context: Context, job_id: ObjectId, patch: JobPatch, client_mutation_id: str | None
) -> Outcome:
    """Change some of a job's fields; fee terms lock at the first submission (admins excepted)."""

    async def update(session: AsyncClientSession) -> Outcome:
        job = await _job_to_change(context, session, job_id)
        fields = checked(patched(fields_of(job), patch))
        changed = apply(job, fields)
        if (
            "fee_terms" in changed
            and not context.viewer.is_admin
            and await _has_submissions(job_id, session)
        ):
            message = "Fee terms cannot change once a candidate was submitted to the job"
            raise refuse(("feeTerms",), "FEE_TERMS_LOCKED", message)
        if changed:
            await job.save(session=session)
            await enqueue_embedding(EmbeddedKind.JOB, job_id, session)
        await audit(context, session, "updateJob",
                    {"job": job_id, "company": job.company_id}, changed)  # fmt: skip
        return Outcome(ids={"job": str(job_id)}, forget=[(CachedKind.JOBS, job_id)])

    data = {"jobId": str(job_id), "patch": asdict(patch)}
    return await run_mutation(context, "updateJob", data, update, client_mutation_id)


async def move_job(
    context: Context, job_id: ObjectId, target: JobStatus, client_mutation_id: str | None
) -> Outcome:
    """publishJob / pauseJob / closeJob: one step of the status machine, or ILLEGAL_TRANSITION."""
    mutation = STATUS_MUTATIONS[target]

    async def move(session: AsyncClientSession) -> Outcome:
        job = await _job_to_change(context, session, job_id)
        current = job.status
        if not can_move(current, target):
            raise refuse(("jobId",), "ILLEGAL_TRANSITION",
                         f"A job cannot move from {current.name} to {target.name}")  # fmt: skip
        job.status = target
        changed = ["status"]
        if target is JobStatus.OPEN and job.opened_at is None:
            job.opened_at = utcnow()
            changed.append("opened_at")
        await job.save(session=session)
        await audit(context, session, mutation,
                    {"job": job_id, "company": job.company_id}, changed)  # fmt: skip
        await record_event(
            session, STATUS_EVENTS[target], actor_of(context), job_subjects(job), changed
        )
        return Outcome(ids={"job": str(job_id)}, forget=[(CachedKind.JOBS, job_id)])

    data = {"jobId": str(job_id), "status": target.value}
    return await run_mutation(context, mutation, data, move, client_mutation_id)
