"""Submissions and hires act on the job as it is when they commit, never on a replaced state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from starlette.applications import Starlette

from crowdhire.models import AuditEvent, Job, Placement, Submission
from crowdhire.models.jobs import JobStatus
from crowdhire.models.submissions import Stage
from tests.auth_support import Issuer
from tests.factories import make_submission
from tests.support import codes, global_id, gql
from tests.workflow_support import HR, RECRUITER_A, make_world

SUBMIT = """mutation($input: SubmitCandidateInput!) {
  submitCandidate(input: $input) { submission { id } userErrors { field code } } }"""
HIRE = """mutation($input: HireSubmissionInput!) {
  hireSubmission(input: $input) { placement { id } userErrors { field code } } }"""
SALARY = {"amount": 75_000_00, "currency": "EUR"}


@asynccontextmanager
async def closing_in_flight(app: Starlette, job: Job) -> AsyncIterator[None]:
    """A closeJob-like transaction that has written the job but not committed yet."""
    client: AsyncMongoClient[dict[str, Any]] = app.state.services.mongo
    jobs = Job.get_pymongo_collection()
    async with client.start_session() as session:
        await session.start_transaction()
        await jobs.update_one(
            {"_id": job.id}, {"$set": {"status": JobStatus.CLOSED.value}}, session=session
        )
        yield
        await session.commit_transaction()


async def _racing(app: Starlette, job: Job, mutation: Awaitable[Any]) -> Any:
    async with closing_in_flight(app, job):
        task = asyncio.ensure_future(mutation)
        await asyncio.sleep(0.5)
        # the mutation touched the job too: it waits on the uncommitted close, retrying
        assert not task.done()
    return await task


async def test_a_submission_racing_a_close_sees_the_close(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    world = await make_world()
    request = {"jobId": global_id("Job", world.job),
               "candidateId": global_id("Candidate", world.candidate_a)}  # fmt: skip
    submit = gql(
        anonymous_client, SUBMIT, variables={"input": request}, as_=issuer.token(RECRUITER_A)
    )

    data = (await _racing(app, world.job, submit))["data"]

    assert codes(data["submitCandidate"]) == [(["jobId"], "JOB_NOT_OPEN")]
    assert await Submission.find({"job_id": world.job.id}).count() == 0


async def test_a_hire_racing_a_close_sees_the_close(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    world = await make_world(openings=2)
    offer = await make_submission(world.job, world.candidate_a, stage=Stage.OFFER)
    request = {"id": global_id("Submission", offer), "startDate": "2026-05-01",
               "annualSalary": SALARY}  # fmt: skip
    hire = gql(anonymous_client, HIRE, variables={"input": request}, as_=issuer.token(HR))

    data = (await _racing(app, world.job, hire))["data"]

    assert codes(data["hireSubmission"]) == [(["id"], "JOB_CLOSED")]
    assert await Placement.find({"job_id": world.job.id}).count() == 0


async def test_hiring_into_a_closed_job_is_refused_and_changes_nothing(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    world = await make_world(status=JobStatus.CLOSED)
    offer = await make_submission(world.job, world.candidate_a, stage=Stage.OFFER)
    request = {"id": global_id("Submission", offer), "startDate": "2026-05-01",
               "annualSalary": SALARY}  # fmt: skip

    data = (await gql(anonymous_client, HIRE, variables={"input": request}, as_=issuer.token(HR)))[
        "data"
    ]

    assert codes(data["hireSubmission"]) == [(["id"], "JOB_CLOSED")]
    job = await Job.get(world.job.id)
    assert job is not None and job.status is JobStatus.CLOSED
    stored = await Submission.get(offer.id)
    assert stored is not None and stored.stage is Stage.OFFER
    assert await Placement.find_all().count() == 0
    assert await AuditEvent.find_all().count() == 0


async def test_a_paused_job_still_hires_from_its_pipeline(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    world = await make_world(status=JobStatus.PAUSED, openings=2)
    offer = await make_submission(world.job, world.candidate_a, stage=Stage.OFFER)
    request = {"id": global_id("Submission", offer), "startDate": "2026-05-01",
               "annualSalary": SALARY}  # fmt: skip

    data = (await gql(anonymous_client, HIRE, variables={"input": request}, as_=issuer.token(HR)))[
        "data"
    ]

    assert data["hireSubmission"]["userErrors"] == []
    assert await Placement.find({"job_id": world.job.id}).count() == 1
