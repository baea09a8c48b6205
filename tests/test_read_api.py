"""Every root connection and nested relation returns the stored data."""

from __future__ import annotations

import httpx

from crowdhire.models.placements import PaymentStatus
from crowdhire.models.submissions import Stage
from tests.factories import (
    make_candidate,
    make_company,
    make_job,
    make_placement,
    make_recruiter,
    make_submission,
)
from tests.support import gql

JOBS_WITH_COMPANY = """
query {
  jobs {
    totalCount
    edges { cursor node {
      id title status remotePolicy employmentType skills openings location
      salary { min max currency }
      feeTerms {
        percent flatAmount { amount currency } currency guaranteeDays recruiterSharePercent
      }
      company { name slug website }
    } }
  }
}
"""

JOB_PIPELINE = """
query($id: ID!) {
  node(id: $id) {
    ... on Job {
      title
      all: submissions { totalCount nodes { stage pitch } }
      hired: submissions(stage: [HIRED]) { totalCount nodes { stage } }
      placements { totalCount nodes { fee { amount currency } } }
    }
  }
}
"""

COMPANY_JOBS = """
query {
  companies { totalCount nodes { name jobs { totalCount nodes { title } } } }
}
"""

CANDIDATE_RELATIONS = """
query($id: ID!) {
  node(id: $id) {
    ... on Candidate {
      fullName email phone skills yearsExperience consent { status changedAt }
      recruiter { displayName }
      submissions { totalCount nodes { job { title } } }
      placements { totalCount nodes { paymentStatus } }
    }
  }
}
"""

RECRUITER_RELATIONS = """
query {
  recruiters(first: 10) {
    totalCount
    nodes {
      displayName email specialties
      candidates(first: 10) { totalCount nodes { fullName } }
      submissions(first: 10) { totalCount }
      placements(first: 10) { totalCount nodes { recruiterShare { amount currency } } }
    }
  }
}
"""

SUBMISSION_RELATIONS = """
query {
  submissions {
    totalCount
    nodes {
      stage pitch history { fromStage toStage actor }
      job { title } candidate { fullName } recruiter { displayName }
    }
  }
}
"""

PLACEMENT_RELATIONS = """
query {
  placements {
    totalCount
    nodes {
      startDate guaranteeEndDate paymentStatus
      annualSalary { amount currency } fee { amount currency } recruiterShare { amount }
      job { title } candidate { fullName } recruiter { displayName } company { slug }
      submission { stage }
    }
  }
}
"""


async def test_jobs_list_shows_job_fields_and_its_company(client: httpx.AsyncClient) -> None:
    company = await make_company(name="Acme", slug="acme")
    await make_job(company, title="Data Engineer", skills=["SQL", "python"])

    body = await gql(client, JOBS_WITH_COMPANY)

    jobs = body["data"]["jobs"]
    assert jobs["totalCount"] == 1
    node = jobs["edges"][0]["node"]
    assert node["title"] == "Data Engineer"
    assert node["status"] == "OPEN"
    assert node["remotePolicy"] == "ONSITE"
    assert node["skills"] == ["sql", "python"]
    assert node["salary"] == {"min": 6_000_000, "max": 8_000_000, "currency": "EUR"}
    assert node["feeTerms"] == {
        "percent": 20.0,
        "flatAmount": None,
        "currency": "EUR",
        "guaranteeDays": 90,
        "recruiterSharePercent": 70.0,
    }
    assert node["company"] == {"name": "Acme", "slug": "acme", "website": company.website}


async def test_job_submissions_filter_by_stage_and_count_placements(
    client: httpx.AsyncClient,
) -> None:
    job = await make_job(await make_company())
    recruiter = await make_recruiter()
    for stage in (Stage.SUBMITTED, Stage.SCREENING):
        await make_submission(job, await make_candidate(recruiter), stage=stage)
    hired = await make_submission(job, await make_candidate(recruiter), stage=Stage.HIRED)
    await make_placement(hired, job)
    job_id = (await gql(client, "{ jobs { nodes { id } } }"))["data"]["jobs"]["nodes"][0]["id"]

    data = (await gql(client, JOB_PIPELINE, {"id": job_id}))["data"]["node"]

    assert data["all"]["totalCount"] == 3
    assert [n["stage"] for n in data["all"]["nodes"]] == ["HIRED", "SCREENING", "SUBMITTED"]
    assert data["hired"] == {"totalCount": 1, "nodes": [{"stage": "HIRED"}]}
    assert data["placements"]["totalCount"] == 1
    assert data["placements"]["nodes"][0]["fee"] == {"amount": 1_400_000, "currency": "EUR"}


async def test_companies_list_nests_each_companys_jobs(client: httpx.AsyncClient) -> None:
    busy, quiet = await make_company(), await make_company()
    await make_job(busy, title="First")
    await make_job(busy, title="Second")

    body = await gql(client, COMPANY_JOBS)

    by_name = {c["name"]: c["jobs"] for c in body["data"]["companies"]["nodes"]}
    assert by_name[busy.name] == {
        "totalCount": 2,
        "nodes": [{"title": "Second"}, {"title": "First"}],
    }
    assert by_name[quiet.name] == {"totalCount": 0, "nodes": []}


async def test_candidate_shows_profile_recruiter_submissions_and_placements(
    client: httpx.AsyncClient,
) -> None:
    recruiter = await make_recruiter(display_name="Rita")
    candidate = await make_candidate(recruiter, skills=["Go", " go ", "Rust"])
    job = await make_job(await make_company(), title="Platform Engineer")
    submission = await make_submission(job, candidate, stage=Stage.HIRED)
    await make_placement(submission, job, payment_status=PaymentStatus.PAID)
    nodes = await gql(client, "{ candidates { nodes { id } } }")
    candidate_id = nodes["data"]["candidates"]["nodes"][0]["id"]

    data = (await gql(client, CANDIDATE_RELATIONS, {"id": candidate_id}))["data"]["node"]

    assert data["fullName"] == candidate.full_name
    assert data["email"] == candidate.email
    assert data["skills"] == ["go", "rust"]
    assert data["consent"]["status"] == "GRANTED"
    assert data["recruiter"] == {"displayName": "Rita"}
    assert data["submissions"] == {
        "totalCount": 1,
        "nodes": [{"job": {"title": "Platform Engineer"}}],
    }
    assert data["placements"] == {"totalCount": 1, "nodes": [{"paymentStatus": "PAID"}]}


async def test_recruiter_shows_candidates_submissions_and_placements(
    client: httpx.AsyncClient,
) -> None:
    recruiter = await make_recruiter(display_name="Sam")
    job = await make_job(await make_company())
    first, second = await make_candidate(recruiter), await make_candidate(recruiter)
    await make_submission(job, first)
    hired = await make_submission(job, second, stage=Stage.HIRED)
    await make_placement(hired, job)

    body = await gql(client, RECRUITER_RELATIONS)

    node = body["data"]["recruiters"]["nodes"][0]
    assert body["data"]["recruiters"]["totalCount"] == 1
    assert node["displayName"] == "Sam"
    assert node["candidates"]["totalCount"] == 2
    assert [c["fullName"] for c in node["candidates"]["nodes"]] == [
        second.full_name,
        first.full_name,
    ]
    assert node["submissions"] == {"totalCount": 2}
    assert node["placements"]["totalCount"] == 1
    assert node["placements"]["nodes"][0]["recruiterShare"] == {
        "amount": 980_000,
        "currency": "EUR",
    }


async def test_submission_shows_history_job_candidate_and_recruiter(
    client: httpx.AsyncClient,
) -> None:
    recruiter = await make_recruiter(display_name="Ann")
    candidate = await make_candidate(recruiter, full_name="Bo Chen")
    job = await make_job(await make_company(), title="SRE")
    await make_submission(job, candidate, pitch="Ran SRE at scale")

    body = await gql(client, SUBMISSION_RELATIONS)

    node = body["data"]["submissions"]["nodes"][0]
    assert node["stage"] == "SUBMITTED"
    assert node["pitch"] == "Ran SRE at scale"
    assert node["history"] == [{"fromStage": None, "toStage": "SUBMITTED", "actor": "t"}]
    assert node["job"] == {"title": "SRE"}
    assert node["candidate"] == {"fullName": "Bo Chen"}
    assert node["recruiter"] == {"displayName": "Ann"}


async def test_placement_shows_money_dates_and_every_relation(client: httpx.AsyncClient) -> None:
    company = await make_company(slug="hirer")
    job = await make_job(company, title="Analyst")
    candidate = await make_candidate(await make_recruiter(display_name="Lee"), full_name="Kim")
    await make_placement(await make_submission(job, candidate, stage=Stage.HIRED), job)

    body = await gql(client, PLACEMENT_RELATIONS)

    node = body["data"]["placements"]["nodes"][0]
    assert body["data"]["placements"]["totalCount"] == 1
    assert node["startDate"] == "2026-03-01"
    assert node["guaranteeEndDate"] == "2026-05-30"
    assert node["annualSalary"] == {"amount": 7_000_000, "currency": "EUR"}
    assert node["fee"] == {"amount": 1_400_000, "currency": "EUR"}
    assert node["recruiterShare"] == {"amount": 980_000}
    assert node["job"] == {"title": "Analyst"}
    assert node["candidate"] == {"fullName": "Kim"}
    assert node["recruiter"] == {"displayName": "Lee"}
    assert node["company"] == {"slug": "hirer"}
    assert node["submission"] == {"stage": "HIRED"}
