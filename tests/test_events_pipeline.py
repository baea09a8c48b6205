"""Submission and job events: written with the real mutation, absent when it is refused."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from crowdhire.models.events import EventType
from crowdhire.models.submissions import Stage
from tests.auth_support import Issuer
from tests.events_support import events_of, mutate, outbox
from tests.factories import make_candidate, make_job, make_submission
from tests.permissions_support import World, build_world, token_of
from tests.support import global_id

SALARY = {"amount": 70_000_00, "currency": "EUR"}


def _submission_subjects(world: World, submission_id: str) -> dict[str, str]:
    return {
        "submission": submission_id,
        "job": str(world.open_job.id),
        "company": str(world.acme.id),
        "candidate": str(world.submitted.id),
        "recruiter": str(world.sam.id),
    }


async def test_submitting_records_submission_created(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    fresh = await make_candidate(world.sam)
    submit = {
        "jobId": global_id("Job", world.open_job),
        "candidateId": global_id("Candidate", fresh),
    }

    refused = await mutate(anonymous_client, "submitCandidate", submit, token_of(issuer, "rita"))
    assert [e["code"] for e in refused] == ["CANDIDATE_NOT_FOUND"]  # not Rita's candidate
    assert await outbox() == []

    assert await mutate(anonymous_client, "submitCandidate", submit, token_of(issuer, "sam")) == []
    [event] = await outbox()
    assert event.type is EventType.SUBMISSION_CREATED
    assert event.actor_sub == "auth0|sam"
    assert event.subjects["candidate"] == str(fresh.id)
    assert event.subjects["recruiter"] == str(world.sam.id)
    assert event.subjects["company"] == str(world.acme.id)
    assert event.changed_fields == ["pitch", "stage"]


async def test_moving_records_submission_moved(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    sid = global_id("Submission", world.sam_submission)
    acme = token_of(issuer, "acme")

    illegal = await mutate(anonymous_client, "moveSubmission", {"id": sid, "stage": "OFFER"}, acme)
    other = {"id": sid, "stage": "SCREENING"}
    foreign = await mutate(anonymous_client, "moveSubmission", other, token_of(issuer, "globex"))
    assert [e["code"] for e in illegal + foreign] == ["ILLEGAL_TRANSITION", "NOT_FOUND"]
    assert await outbox() == []

    assert await mutate(anonymous_client, "moveSubmission", other, acme) == []
    [event] = await outbox()
    assert event.type is EventType.SUBMISSION_MOVED
    assert event.actor_sub == "auth0|acme-owner"
    assert event.subjects == _submission_subjects(world, str(world.sam_submission.id))
    assert event.changed_fields == ["history", "stage"]


async def test_withdrawing_records_submission_withdrawn(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    withdraw = {"id": global_id("Submission", world.sam_submission)}

    refused = await mutate(
        anonymous_client, "withdrawSubmission", withdraw, token_of(issuer, "acme")
    )
    assert [e["code"] for e in refused] == ["FORBIDDEN"]
    assert await outbox() == []

    assert (
        await mutate(anonymous_client, "withdrawSubmission", withdraw, token_of(issuer, "sam"))
        == []
    )
    [event] = await outbox()
    assert event.type is EventType.SUBMISSION_WITHDRAWN
    assert event.subjects == _submission_subjects(world, str(world.sam_submission.id))


async def test_hiring_records_submission_hired_with_the_placement(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    world.open_job.openings = 2
    await world.open_job.save()
    acme = token_of(issuer, "acme")
    at_submitted = {"id": global_id("Submission", world.sam_submission), "startDate": "2026-06-01",
                    "annualSalary": SALARY}  # fmt: skip

    refused = await mutate(anonymous_client, "hireSubmission", at_submitted, acme)
    assert [e["code"] for e in refused] == ["ILLEGAL_TRANSITION"]
    assert await outbox() == []

    world.sam_submission.stage = Stage.OFFER
    await world.sam_submission.save()
    assert await mutate(anonymous_client, "hireSubmission", at_submitted, acme) == []
    [event] = await outbox()  # one opening left: the job is not filled
    assert event.type is EventType.SUBMISSION_HIRED
    assert set(event.subjects) == {"submission", "job", "company", "candidate", "recruiter",
                                   "placement"}  # fmt: skip
    assert event.subjects["recruiter"] == str(world.sam.id)


async def test_the_hire_that_takes_the_last_opening_records_job_filled(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    job = await make_job(world.acme, openings=1)
    offer = await make_submission(job, world.submitted, stage=Stage.OFFER)
    hire = {"id": global_id("Submission", offer), "startDate": "2026-06-01", "annualSalary": SALARY}

    refused = await mutate(anonymous_client, "hireSubmission", hire, token_of(issuer, "globex"))
    assert [e["code"] for e in refused] == ["NOT_FOUND"]
    assert await events_of(EventType.JOB_FILLED) == []

    assert await mutate(anonymous_client, "hireSubmission", hire, token_of(issuer, "acme")) == []
    assert [e.type for e in await outbox()] == [EventType.SUBMISSION_HIRED, EventType.JOB_FILLED]
    [filled] = await events_of(EventType.JOB_FILLED)
    assert filled.subjects == {"job": str(job.id), "company": str(world.acme.id)}
    assert filled.changed_fields == ["status"]


async def test_job_status_moves_record_published_paused_closed(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    job = {"jobId": global_id("Job", world.draft_job)}
    acme = token_of(issuer, "acme")

    foreign = await mutate(anonymous_client, "publishJob", job, token_of(issuer, "globex"))
    illegal = await mutate(anonymous_client, "pauseJob", job, acme)  # a draft cannot pause
    assert [e["code"] for e in foreign + illegal] == ["FORBIDDEN", "ILLEGAL_TRANSITION"]
    assert await outbox() == []

    for name in ("publishJob", "pauseJob", "closeJob"):
        assert await mutate(anonymous_client, name, job, acme) == []
    assert await mutate(anonymous_client, "publishJob", job, acme) != []  # closed stays closed
    events = await outbox()
    assert [e.type for e in events] == [
        EventType.JOB_PUBLISHED,
        EventType.JOB_PAUSED,
        EventType.JOB_CLOSED,
    ]
    assert [e.changed_fields for e in events] == [["opened_at", "status"], ["status"], ["status"]]
    subjects = {"job": str(world.draft_job.id), "company": str(world.acme.id)}
    assert all(e.subjects == subjects for e in events)
