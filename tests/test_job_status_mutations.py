"""publishJob, pauseJob, closeJob: the job status machine, its refusals, retries and audit."""

from __future__ import annotations

import httpx
import pytest
from bson import ObjectId
from starlette.applications import Starlette

from crowdhire.models import AuditEvent, Company, Job
from crowdhire.models.jobs import JobStatus
from crowdhire.schema.ids import encode_global_id
from tests.auth_support import Issuer
from tests.factories import make_job
from tests.job_support import (
    HR,
    MOVES,
    OTHER_HR,
    PUBLIC_READ,
    READ,
    RECRUITER,
    make_hiring_company,
    token_for,
)
from tests.support import codes, global_id, gql


@pytest.fixture
async def company(app: Starlette) -> Company:
    """The hiring company; HR is its member."""
    return await make_hiring_company()


async def test_status_machine_happy_path_sets_opened_at_once_and_is_visible_next_read(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, company: Company
) -> None:
    hr = issuer.token(HR)
    job = await make_job(company, status=JobStatus.DRAFT)
    job_id = global_id("Job", job)
    assert (await gql(anonymous_client, READ, variables={"id": job_id}, as_=hr))["data"]["node"][
        "status"
    ] == "DRAFT"

    published = (
        await gql(
            anonymous_client, MOVES["publishJob"], variables={"input": {"jobId": job_id}}, as_=hr
        )
    )["data"]
    public = (await gql(anonymous_client, PUBLIC_READ, variables={"id": job_id}))["data"]
    paused = (
        await gql(
            anonymous_client, MOVES["pauseJob"], variables={"input": {"jobId": job_id}}, as_=hr
        )
    )["data"]
    reopened = (
        await gql(
            anonymous_client, MOVES["publishJob"], variables={"input": {"jobId": job_id}}, as_=hr
        )
    )["data"]
    closed = (
        await gql(
            anonymous_client,
            MOVES["closeJob"],
            variables={"input": {"jobId": job_id}},
            as_=issuer.admin_token(),
        )
    )["data"]

    opened_at = published["publishJob"]["job"]["openedAt"]
    assert published["publishJob"] == {
        "job": {"status": "OPEN", "openedAt": opened_at},
        "userErrors": [],
    }
    assert opened_at is not None
    assert public["node"]["status"] == "OPEN"
    assert paused["pauseJob"]["job"]["status"] == "PAUSED"
    assert reopened["publishJob"]["job"] == {"status": "OPEN", "openedAt": opened_at}
    assert closed["closeJob"]["job"] == {"status": "CLOSED", "openedAt": opened_at}
    events = await AuditEvent.find({"targets.job": str(job.id)}).sort("at").to_list()
    assert [(e.action, e.changed_fields) for e in events] == [
        ("publishJob", ["opened_at", "status"]),
        ("pauseJob", ["status"]),
        ("publishJob", ["status"]),
        ("closeJob", ["status"]),
    ]


@pytest.mark.parametrize(
    ("status", "move", "message"),
    [
        (JobStatus.DRAFT, "pauseJob", "A job cannot move from DRAFT to PAUSED"),
        (JobStatus.DRAFT, "closeJob", "A job cannot move from DRAFT to CLOSED"),
        (JobStatus.OPEN, "publishJob", "A job cannot move from OPEN to OPEN"),
        (JobStatus.PAUSED, "pauseJob", "A job cannot move from PAUSED to PAUSED"),
        (JobStatus.CLOSED, "publishJob", "A job cannot move from CLOSED to OPEN"),
        (JobStatus.CLOSED, "pauseJob", "A job cannot move from CLOSED to PAUSED"),
        (JobStatus.CLOSED, "closeJob", "A job cannot move from CLOSED to CLOSED"),
        (JobStatus.FILLED, "publishJob", "A job cannot move from FILLED to OPEN"),
        (JobStatus.FILLED, "pauseJob", "A job cannot move from FILLED to PAUSED"),
        (JobStatus.FILLED, "closeJob", "A job cannot move from FILLED to CLOSED"),
    ],
)
async def test_illegal_transitions_are_refused_and_change_nothing(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    company: Company,
    status: JobStatus,
    move: str,
    message: str,
) -> None:
    job = await make_job(company, status=status)

    data = (
        await gql(
            anonymous_client,
            MOVES[move],
            variables={"input": {"jobId": global_id("Job", job)}},
            as_=issuer.admin_token(),
        )
    )["data"]

    assert data[move] == {
        "job": None,
        "userErrors": [{"field": ["jobId"], "code": "ILLEGAL_TRANSITION", "message": message}],
    }
    stored = await Job.get(job.id)
    assert stored is not None and stored.status is status and stored.opened_at is None
    assert await AuditEvent.find_all().count() == 0


@pytest.mark.parametrize("move", ["publishJob", "pauseJob", "closeJob"])
@pytest.mark.parametrize(
    ("who", "missing", "expected"),
    [
        (None, False, [([], "UNAUTHENTICATED")]),
        (RECRUITER, False, [(["jobId"], "FORBIDDEN")]),
        (OTHER_HR, False, [(["jobId"], "FORBIDDEN")]),
        (OTHER_HR, True, [(["jobId"], "FORBIDDEN")]),
        ("admin", True, [(["jobId"], "NOT_FOUND")]),
    ],
)
async def test_status_moves_authorization(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    company: Company,
    move: str,
    who: str | None,
    missing: bool,
    expected: list[tuple[list[str], str]],
) -> None:
    job = await make_job(company, status=JobStatus.OPEN)
    job_id = encode_global_id("Job", ObjectId()) if missing else global_id("Job", job)

    data = (
        await gql(
            anonymous_client,
            MOVES[move],
            variables={"input": {"jobId": job_id}},
            as_=token_for(issuer, who),
        )
    )["data"]

    assert codes(data[move]) == expected
    stored = await Job.get(job.id)
    assert stored is not None and stored.status is JobStatus.OPEN


async def test_status_move_retry_with_client_mutation_id_returns_the_first_result(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, company: Company
) -> None:
    hr = issuer.token(HR)
    job = await make_job(company, status=JobStatus.DRAFT)
    keyed = {"jobId": global_id("Job", job), "clientMutationId": "publish-1"}

    first = (await gql(anonymous_client, MOVES["publishJob"], variables={"input": keyed}, as_=hr))[
        "data"
    ]
    again = (await gql(anonymous_client, MOVES["publishJob"], variables={"input": keyed}, as_=hr))[
        "data"
    ]
    unkeyed = (
        await gql(
            anonymous_client,
            MOVES["publishJob"],
            variables={"input": {"jobId": keyed["jobId"]}},
            as_=hr,
        )
    )["data"]

    assert first == again and first["publishJob"]["userErrors"] == []
    assert codes(unkeyed["publishJob"]) == [(["jobId"], "ILLEGAL_TRANSITION")]
    assert await AuditEvent.find({"action": "publishJob"}).count() == 1
