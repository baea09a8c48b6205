"""Typed filters and indexed orderings on every root list."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from crowdhire.models.jobs import FeeTerms, JobStatus, RemotePolicy, SalaryRange
from crowdhire.models.placements import PaymentStatus
from crowdhire.models.submissions import Stage
from crowdhire.resolvers.candidates import CANDIDATE_ORDERS
from crowdhire.resolvers.companies import COMPANY_ORDERS
from crowdhire.resolvers.jobs import JOB_ORDERS
from crowdhire.resolvers.placements import PLACEMENT_ORDERS
from crowdhire.resolvers.recruiters import RECRUITER_ORDERS
from crowdhire.resolvers.submissions import SUBMISSION_ORDERS
from crowdhire.schema.candidates import CandidateOrder
from crowdhire.schema.companies import CompanyOrder
from crowdhire.schema.ids import encode_global_id
from crowdhire.schema.jobs import JobOrder
from crowdhire.schema.placements import PlacementOrder
from crowdhire.schema.recruiters import RecruiterOrder
from crowdhire.schema.submissions import SubmissionOrder
from tests.factories import (
    make_candidate,
    make_company,
    make_job,
    make_placement,
    make_recruiter,
    make_submission,
)
from tests.support import error_codes, global_id, gql

JOBS = """
query($filter: JobFilter, $order: JobOrder) {
  jobs(filter: $filter, orderBy: $order, first: 100) { totalCount nodes { title } }
}
"""
CANDIDATES = """
query($filter: CandidateFilter, $order: CandidateOrder) {
  candidates(filter: $filter, orderBy: $order) { totalCount nodes { fullName } }
}
"""
SUBMISSIONS = """
query($filter: SubmissionFilter) { submissions(filter: $filter) { totalCount nodes { pitch } } }
"""
PLACEMENTS = """
query($filter: PlacementFilter, $order: PlacementOrder) {
  placements(filter: $filter, orderBy: $order) { totalCount nodes { startDate } }
}
"""


async def _titles(client: httpx.AsyncClient, **variables: Any) -> list[str]:
    body = await gql(client, JOBS, variables)
    jobs = body["data"]["jobs"]
    assert jobs["totalCount"] == len(jobs["nodes"])
    return [node["title"] for node in jobs["nodes"]]


@pytest.fixture
async def job_catalogue() -> dict[str, Any]:
    """Four jobs that differ in every filterable field."""
    acme, globex = await make_company(), await make_company()
    await make_job(
        acme,
        title="Python Developer",
        description="Django and APIs",
        skills=["python", "django"],
        location="Berlin",
        remote_policy=RemotePolicy.REMOTE,
        salary=SalaryRange(min=50_000_00, max=70_000_00, currency="EUR"),
    )
    await make_job(
        acme,
        title="Go Engineer",
        description="Distributed systems",
        skills=["go", "kubernetes"],
        location="Bern",
        status=JobStatus.DRAFT,
        salary=SalaryRange(min=90_000_00, max=120_000_00, currency="EUR"),
    )
    await make_job(
        globex,
        title="Data Scientist",
        description="Python and statistics",
        skills=["python", "statistics"],
        location="London",
        remote_policy=RemotePolicy.HYBRID,
        salary=SalaryRange(min=70_000_00, max=90_000_00, currency="GBP"),
        fee_terms=FeeTerms(flat_amount=5_000_00, currency="GBP"),
    )
    await make_job(
        globex,
        title="Analyst",
        description="Reports and dashboards",
        skills=["sql"],
        location="Paris",
        status=JobStatus.CLOSED,
        salary=None,
    )
    return {"acme": acme, "globex": globex}


@pytest.mark.parametrize(
    ("job_filter", "expected"),
    [
        ({"status": ["OPEN"]}, ["Data Scientist", "Python Developer"]),
        ({"status": ["DRAFT", "CLOSED"]}, ["Analyst", "Go Engineer"]),
        ({"skillsAny": ["GO", "sql"]}, ["Analyst", "Go Engineer"]),
        ({"skillsAll": ["python", "django"]}, ["Python Developer"]),
        ({"remotePolicy": ["REMOTE", "HYBRID"]}, ["Data Scientist", "Python Developer"]),
        ({"location": "ber"}, ["Go Engineer", "Python Developer"]),
        ({"location": "(.*)"}, []),
        ({"salaryMin": 100_000_00}, ["Go Engineer"]),
        ({"salaryMax": 60_000_00}, ["Python Developer"]),
        ({"salaryMin": 65_000_00, "salaryMax": 75_000_00}, ["Data Scientist", "Python Developer"]),
        ({"text": "python"}, ["Data Scientist", "Python Developer"]),
        ({"text": '-python "distributed"'}, ["Go Engineer", "Data Scientist", "Python Developer"]),
        ({"createdAfter": "2099-01-01T00:00:00Z"}, []),
        (
            {"createdBefore": "2099-01-01T00:00:00Z"},
            ["Analyst", "Data Scientist", "Go Engineer", "Python Developer"],
        ),
    ],
)
async def test_job_filters(
    client: httpx.AsyncClient,
    job_catalogue: dict[str, Any],
    job_filter: dict[str, Any],
    expected: list[str],
) -> None:
    titles = await _titles(client, filter=job_filter, order="TITLE_ASC")
    if job_filter.get("text", "").startswith("-"):
        assert sorted(titles) == sorted(expected)
    else:
        assert titles == expected


async def test_job_filter_by_company(
    client: httpx.AsyncClient, job_catalogue: dict[str, Any]
) -> None:
    company_id = global_id("Company", job_catalogue["globex"])

    titles = await _titles(client, filter={"companyId": company_id}, order="TITLE_ASC")

    assert titles == ["Analyst", "Data Scientist"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("TITLE_ASC", ["Analyst", "Data Scientist", "Go Engineer", "Python Developer"]),
        ("TITLE_DESC", ["Python Developer", "Go Engineer", "Data Scientist", "Analyst"]),
        ("CREATED_AT_ASC", ["Python Developer", "Go Engineer", "Data Scientist", "Analyst"]),
        ("CREATED_AT_DESC", ["Analyst", "Data Scientist", "Go Engineer", "Python Developer"]),
    ],
)
async def test_job_orderings(
    client: httpx.AsyncClient, job_catalogue: dict[str, Any], order: str, expected: list[str]
) -> None:
    assert await _titles(client, order=order) == expected


async def test_equal_sort_values_break_ties_on_id(client: httpx.AsyncClient) -> None:
    company = await make_company()
    for _ in range(3):
        await make_job(company, title="Same")
    ids: list[str] = []
    after = None
    for _ in range(3):
        page = await gql(
            client,
            "query($after: String) { jobs(first: 1, after: $after, orderBy: TITLE_ASC)"
            " { edges { cursor node { id } } } }",
            {"after": after},
        )
        edge = page["data"]["jobs"]["edges"][0]
        ids.append(edge["node"]["id"])
        after = edge["cursor"]
    assert len(set(ids)) == 3


@pytest.mark.parametrize(
    ("job_filter", "argument"),
    [
        ({"companyId": "bm9wZQ"}, "filter.companyId"),
        ({"companyId": encode_global_id("Job", __import__("bson").ObjectId())}, "filter.companyId"),
        ({"text": "x" * 201}, "filter.text"),
        ({"location": "y" * 201}, "filter.location"),
        ({"skillsAny": ["s"] * 101}, "filter.skillsAny"),
    ],
)
async def test_bad_job_filters_name_the_argument(
    client: httpx.AsyncClient, job_filter: dict[str, Any], argument: str
) -> None:
    body = await gql(client, JOBS, {"filter": job_filter}, expect_errors=True)

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == argument


async def test_unknown_filter_field_is_a_validation_error(client: httpx.AsyncClient) -> None:
    body = await gql(client, JOBS, {"filter": {"$where": "1"}}, expect_errors=True)

    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "$where" in body["errors"][0]["message"]


async def test_candidate_filters_and_orderings(client: httpx.AsyncClient) -> None:
    recruiter = await make_recruiter()
    await make_candidate(
        recruiter, full_name="Ada", skills=["python"], location="Berlin", years_experience=10
    )
    await make_candidate(
        recruiter, full_name="Bob", skills=["go", "python"], location="Boston", years_experience=2
    )
    await make_candidate(
        recruiter, full_name="Cy", skills=["rust"], location="Paris", years_experience=6
    )

    async def names(**variables: Any) -> list[str]:
        body = await gql(client, CANDIDATES, variables)
        return [n["fullName"] for n in body["data"]["candidates"]["nodes"]]

    assert await names(filter={"skillsAny": ["Python"]}, order="CREATED_AT_ASC") == ["Ada", "Bob"]
    assert await names(filter={"skillsAll": ["python", "go"]}) == ["Bob"]
    assert await names(filter={"location": "b"}, order="CREATED_AT_ASC") == ["Ada", "Bob"]
    assert await names(filter={"minYearsExperience": 5}, order="YEARS_EXPERIENCE_DESC") == [
        "Ada",
        "Cy",
    ]
    assert await names(filter={"maxYearsExperience": 6}, order="YEARS_EXPERIENCE_ASC") == [
        "Bob",
        "Cy",
    ]
    assert await names(order="CREATED_AT_DESC") == ["Cy", "Bob", "Ada"]


async def test_submission_filters(client: httpx.AsyncClient) -> None:
    recruiter = await make_recruiter()
    job, other_job = await make_job(await make_company()), await make_job(await make_company())
    alice, bea = await make_candidate(recruiter), await make_candidate(recruiter)
    await make_submission(job, alice, pitch="a-job", stage=Stage.INTERVIEWING)
    await make_submission(other_job, alice, pitch="a-other")
    await make_submission(job, bea, pitch="b-job", stage=Stage.REJECTED)

    async def pitches(submission_filter: dict[str, Any]) -> list[str]:
        body = await gql(client, SUBMISSIONS, {"filter": submission_filter})
        return sorted(n["pitch"] for n in body["data"]["submissions"]["nodes"])

    assert await pitches({"stage": ["INTERVIEWING", "REJECTED"]}) == ["a-job", "b-job"]
    assert await pitches({"jobId": global_id("Job", job)}) == ["a-job", "b-job"]
    assert await pitches({"candidateId": global_id("Candidate", alice)}) == [
        "a-job",
        "a-other",
    ]
    bad = await gql(client, SUBMISSIONS, {"filter": {"jobId": "zzz"}}, expect_errors=True)
    assert bad["errors"][0]["extensions"]["argument"] == "filter.jobId"


async def test_placement_filters_and_orderings(client: httpx.AsyncClient) -> None:
    recruiter = await make_recruiter()
    company = await make_company()
    job = await make_job(company)
    other_job = await make_job(await make_company())
    for start, status, target in [
        (date(2026, 1, 10), PaymentStatus.PAID, job),
        (date(2026, 2, 10), PaymentStatus.UNPAID, job),
        (date(2026, 3, 10), PaymentStatus.PAID, other_job),
    ]:
        submission = await make_submission(
            target, await make_candidate(recruiter), stage=Stage.HIRED
        )
        await make_placement(submission, target, start_date=start, payment_status=status)

    async def starts(**variables: Any) -> list[str]:
        body = await gql(client, PLACEMENTS, variables)
        return [n["startDate"] for n in body["data"]["placements"]["nodes"]]

    assert await starts(filter={"paymentStatus": ["PAID"]}, order="START_DATE_ASC") == [
        "2026-01-10",
        "2026-03-10",
    ]
    assert await starts(
        filter={"companyId": global_id("Company", company)}, order="START_DATE_DESC"
    ) == ["2026-02-10", "2026-01-10"]
    assert await starts(filter={"startOnOrAfter": "2026-02-10", "startBefore": "2026-03-10"}) == [
        "2026-02-10"
    ]


@pytest.mark.parametrize(
    ("enum", "orders"),
    [
        (JobOrder, JOB_ORDERS),
        (CompanyOrder, COMPANY_ORDERS),
        (CandidateOrder, CANDIDATE_ORDERS),
        (RecruiterOrder, RECRUITER_ORDERS),
        (SubmissionOrder, SUBMISSION_ORDERS),
        (PlacementOrder, PLACEMENT_ORDERS),
    ],
)
def test_every_ordering_enum_has_an_indexed_sort(enum: Any, orders: dict[str, Any]) -> None:
    assert {member.value for member in enum} == set(orders)
