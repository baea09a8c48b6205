"""createJob and updateJob: field rules, user errors, the fee-terms lock, cache and audit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from bson import ObjectId
from starlette.applications import Starlette

from crowdhire.models import AuditEvent, Company, Job
from crowdhire.models.jobs import FeeTerms, JobStatus
from crowdhire.schema.ids import encode_global_id
from tests.auth_support import Issuer
from tests.factories import make_candidate, make_job, make_recruiter, make_submission
from tests.job_support import (
    HR,
    OTHER_HR,
    PUBLIC_READ,
    READ,
    RECRUITER,
    make_hiring_company,
    token_for,
)
from tests.support import codes, global_id, gql

JOB_FIELDS = """id title description location remotePolicy employmentType skills status openings
  openedAt salary { min max currency }
  feeTerms { percent flatAmount { amount currency } currency guaranteeDays
             recruiterSharePercent }"""
CREATE = f"""mutation($input: CreateJobInput!) {{
  createJob(input: $input) {{ job {{ {JOB_FIELDS} }} userErrors {{ field code message }} }} }}"""
UPDATE = f"""mutation($input: UpdateJobInput!) {{
  updateJob(input: $input) {{ job {{ {JOB_FIELDS} }} userErrors {{ field code message }} }} }}"""
NEW_JOB = {
    "title": "  Staff Engineer ",
    "description": "Own the platform",
    "location": "Lisbon",
    "remotePolicy": "HYBRID",
    "employmentType": "CONTRACT",
    "salary": {"min": 9_000_000, "max": 12_000_000, "currency": "eur"},
    "skills": [" Python ", "python", "Distributed  Systems"],
    "openings": 2,
    "feeTerms": {"percent": 18.5, "currency": "EUR", "guaranteeDays": 60},
}


@pytest.fixture
async def company(app: Starlette) -> Company:
    """The hiring company; HR is its member."""
    return await make_hiring_company()


async def test_member_creates_a_normalized_draft_only_the_company_sees(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, company: Company
) -> None:
    data = (
        await gql(
            anonymous_client,
            CREATE,
            variables={"input": {**NEW_JOB, "companyId": global_id("Company", company)}},
            as_=issuer.token(HR),
        )
    )["data"]
    job = data["createJob"]["job"]
    as_recruiter = (
        await gql(anonymous_client, READ, variables={"id": job["id"]}, as_=issuer.token(RECRUITER))
    )["data"]

    assert data["createJob"]["userErrors"] == []
    assert {k: v for k, v in job.items() if k != "id"} == {
        "title": "Staff Engineer",
        "description": "Own the platform",
        "location": "Lisbon",
        "remotePolicy": "HYBRID",
        "employmentType": "CONTRACT",
        "skills": ["python", "distributed systems"],
        "status": "DRAFT",
        "openings": 2,
        "openedAt": None,
        "salary": {"min": 9_000_000, "max": 12_000_000, "currency": "EUR"},
        "feeTerms": {
            "percent": 18.5,
            "flatAmount": None,
            "currency": "EUR",
            "guaranteeDays": 60,
            "recruiterSharePercent": 70.0,
        },
    }
    assert as_recruiter["node"] is None
    event = await AuditEvent.find_one({"action": "createJob"})
    assert event is not None and event.actor_sub == HR
    stored = await Job.find_one()
    assert stored is not None and global_id("Job", stored) == job["id"]
    assert event.targets == {"job": str(stored.id), "company": str(company.id)}
    assert "fee_terms" in event.changed_fields and "Lisbon" not in str(event.model_dump())


async def test_flat_fee_job_without_salary(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, company: Company
) -> None:
    request = {
        "companyId": global_id("Company", company),
        "title": "Designer",
        "feeTerms": {"flatAmount": 1_500_000, "currency": "USD"},
    }

    data = (
        await gql(anonymous_client, CREATE, variables={"input": request}, as_=issuer.admin_token())
    )["data"]

    job = data["createJob"]["job"]
    assert job["feeTerms"]["flatAmount"] == {"amount": 1_500_000, "currency": "USD"}
    assert job["feeTerms"]["percent"] is None and job["salary"] is None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"feeTerms": {"percent": 20, "flatAmount": 100, "currency": "EUR"}}, [["feeTerms"]]),
        ({"feeTerms": {"currency": "EUR"}}, [["feeTerms"]]),
        ({"feeTerms": {"percent": 0, "currency": "EUR"}}, [["feeTerms", "percent"]]),
        ({"feeTerms": {"percent": 120, "currency": "EUR"}}, [["feeTerms", "percent"]]),
        (
            {"feeTerms": {"flatAmount": -5, "currency": "USD"}, "salary": None},
            [["feeTerms", "flatAmount"]],
        ),
        ({"feeTerms": {"percent": 20, "currency": "EURO"}}, [["feeTerms", "currency"]]),
        ({"feeTerms": {"percent": 20, "currency": "XYZ"}}, [["feeTerms", "currency"]]),
        ({"feeTerms": {"percent": 20, "currency": "USD"}}, [["feeTerms", "currency"]]),
        (
            {"feeTerms": {"percent": 20, "currency": "EUR", "guaranteeDays": 400}},
            [["feeTerms", "guaranteeDays"]],
        ),
        (
            {"feeTerms": {"percent": 20, "currency": "EUR", "recruiterSharePercent": 101}},
            [["feeTerms", "recruiterSharePercent"]],
        ),
        ({"salary": {"min": 10, "max": 5, "currency": "EUR"}}, [["salary", "max"]]),
        ({"salary": {"min": -1, "max": 5, "currency": "EUR"}}, [["salary", "min"]]),
        ({"salary": {"min": 1, "max": 5, "currency": "ZZZ"}}, [["salary", "currency"]]),
        ({"openings": 0}, [["openings"]]),
        ({"openings": 1001}, [["openings"]]),
        ({"title": "   "}, [["title"]]),
        ({"title": "t" * 201}, [["title"]]),
        ({"location": "l" * 201}, [["location"]]),
        ({"description": "d" * 20_001}, [["description"]]),
        ({"skills": [f"skill {n}" for n in range(51)]}, [["skills"]]),
        ({"skills": ["s" * 61]}, [["skills"]]),
        ({"title": "", "openings": 0}, [["title"], ["openings"]]),
    ],
)
async def test_create_job_refuses_invalid_fields_and_changes_nothing(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    company: Company,
    overrides: dict[str, Any],
    expected: list[list[str]],
) -> None:
    request = {**NEW_JOB, "companyId": global_id("Company", company), **overrides}

    data = (
        await gql(anonymous_client, CREATE, variables={"input": request}, as_=issuer.token(HR))
    )["data"]

    assert data["createJob"]["job"] is None
    assert codes(data["createJob"]) == [(path, "INVALID_INPUT") for path in expected]
    assert await Job.find_all().count() == 0
    assert await AuditEvent.find_all().count() == 0


@pytest.mark.parametrize(
    ("who", "company_id", "expected"),
    [
        (None, None, [([], "UNAUTHENTICATED")]),
        (RECRUITER, None, [(["companyId"], "FORBIDDEN")]),
        (OTHER_HR, None, [(["companyId"], "FORBIDDEN")]),
        (OTHER_HR, encode_global_id("Company", ObjectId()), [(["companyId"], "FORBIDDEN")]),
        ("admin", encode_global_id("Company", ObjectId()), [(["companyId"], "NOT_FOUND")]),
        (HR, "garbage", [(["companyId"], "INVALID_INPUT")]),
        (HR, encode_global_id("Job", ObjectId()), [(["companyId"], "INVALID_INPUT")]),
    ],
)
async def test_create_job_authorization(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    company: Company,
    who: str | None,
    company_id: str | None,
    expected: list[tuple[list[str], str]],
) -> None:
    request = {**NEW_JOB, "companyId": company_id or global_id("Company", company)}

    data = (
        await gql(
            anonymous_client, CREATE, variables={"input": request}, as_=token_for(issuer, who)
        )
    )["data"]

    assert codes(data["createJob"]) == expected
    assert await Job.find_all().count() == 0


async def test_update_changes_only_given_fields_and_the_next_read_shows_them(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, company: Company
) -> None:
    hr = issuer.token(HR)
    job = await make_job(company, title="Old title", openings=3)
    job_id = global_id("Job", job)
    assert (await gql(anonymous_client, PUBLIC_READ, variables={"id": job_id}))["data"]["node"][
        "title"
    ] == "Old title"

    data = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={
                "input": {
                    "jobId": job_id,
                    "title": "New title",
                    "salary": None,
                    "skills": ["Go", "GO"],
                    "feeTerms": {"flatAmount": 500_000, "currency": "GBP"},
                }
            },
            as_=hr,
        )
    )["data"]
    after = (await gql(anonymous_client, PUBLIC_READ, variables={"id": job_id}))["data"]

    updated = data["updateJob"]["job"]
    assert data["updateJob"]["userErrors"] == []
    assert (updated["title"], updated["salary"], updated["skills"]) == ("New title", None, ["go"])
    assert updated["feeTerms"]["flatAmount"] == {"amount": 500_000, "currency": "GBP"}
    assert (updated["openings"], updated["location"], updated["status"]) == (3, "Berlin", "OPEN")
    assert after["node"]["title"] == "New title"
    event = await AuditEvent.find_one({"action": "updateJob"})
    assert event is not None
    assert event.changed_fields == ["fee_terms", "salary", "skills", "title"]
    assert "New title" not in str(event.model_dump())


@pytest.fixture
async def submitted_job(company: Company) -> Job:
    """An open job of the hiring company with one submission."""
    job = await make_job(company)
    candidate = await make_candidate(await make_recruiter())
    await make_submission(job, candidate)
    return job


async def test_fee_terms_lock_once_a_candidate_was_submitted(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, submitted_job: Job
) -> None:
    hr, job_id = issuer.token(HR), global_id("Job", submitted_job)
    new_terms = {"percent": 25, "currency": "EUR"}

    locked = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={"input": {"jobId": job_id, "feeTerms": new_terms, "title": "Renamed"}},
            as_=hr,
        )
    )["data"]
    unchanged_terms = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={
                "input": {
                    "jobId": job_id,
                    "feeTerms": {"percent": 20, "currency": "EUR"},
                    "title": "Renamed",
                }
            },
            as_=hr,
        )
    )["data"]

    assert locked["updateJob"]["job"] is None
    assert codes(locked["updateJob"]) == [(["feeTerms"], "FEE_TERMS_LOCKED")]
    assert unchanged_terms["updateJob"]["userErrors"] == []
    stored = await Job.get(submitted_job.id)
    assert stored is not None and stored.title == "Renamed"
    assert stored.fee_terms == FeeTerms(percent=20, currency="EUR", guarantee_days=90)
    assert [e.action for e in await AuditEvent.find_all().to_list()] == ["updateJob"]


async def test_admins_override_the_fee_terms_lock(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, submitted_job: Job
) -> None:
    data = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={
                "input": {
                    "jobId": global_id("Job", submitted_job),
                    "feeTerms": {"percent": 25, "currency": "EUR"},
                }
            },
            as_=issuer.admin_token(),
        )
    )["data"]

    assert data["updateJob"]["userErrors"] == []
    assert data["updateJob"]["job"]["feeTerms"]["percent"] == 25
    stored = await Job.get(submitted_job.id)
    assert stored is not None and stored.fee_terms.percent == 25


@pytest.mark.parametrize(
    ("who", "overrides", "expected"),
    [
        (None, {}, [([], "UNAUTHENTICATED")]),
        (RECRUITER, {}, [(["jobId"], "FORBIDDEN")]),
        (OTHER_HR, {}, [(["jobId"], "FORBIDDEN")]),
        (OTHER_HR, {"jobId": encode_global_id("Job", ObjectId())}, [(["jobId"], "FORBIDDEN")]),
        ("admin", {"jobId": encode_global_id("Job", ObjectId())}, [(["jobId"], "NOT_FOUND")]),
        (HR, {"jobId": "garbage"}, [(["jobId"], "INVALID_INPUT")]),
        (HR, {"title": None}, [(["title"], "INVALID_INPUT")]),
        (HR, {"openings": None}, [(["openings"], "INVALID_INPUT")]),
        (HR, {"feeTerms": None}, [(["feeTerms"], "INVALID_INPUT")]),
        (
            HR,
            {"salary": {"min": 5, "max": 1, "currency": "EUR"}},
            [(["salary", "max"], "INVALID_INPUT")],
        ),
        (
            HR,
            {"salary": {"min": 1, "max": 5, "currency": "USD"}},
            [(["feeTerms", "currency"], "INVALID_INPUT")],
        ),
        (HR, {"feeTerms": {"currency": "EUR"}}, [(["feeTerms"], "INVALID_INPUT")]),
    ],
)
async def test_update_job_user_errors_change_nothing(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    company: Company,
    who: str | None,
    overrides: dict[str, Any],
    expected: list[tuple[list[str], str]],
) -> None:
    job = await make_job(company, status=JobStatus.DRAFT, title="Original")
    request = {"jobId": global_id("Job", job), "title": "Changed", **overrides}

    data = (
        await gql(
            anonymous_client, UPDATE, variables={"input": request}, as_=token_for(issuer, who)
        )
    )["data"]

    assert data["updateJob"]["job"] is None
    assert codes(data["updateJob"]) == expected
    stored = await Job.get(job.id)
    assert stored is not None and stored.model_dump() == job.model_dump()
    assert await AuditEvent.find_all().count() == 0
