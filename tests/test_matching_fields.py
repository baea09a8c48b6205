"""The fields matching reads: validation with user errors, defaults for older documents."""

from __future__ import annotations

import httpx
from bson import ObjectId

from crowdhire.models import Candidate, Job
from crowdhire.models.companies import CompanyMember, MemberRole
from tests.auth_support import Issuer
from tests.factories import make_company, make_recruiter
from tests.support import codes, global_id, gql

CREATE_JOB = """mutation($input: CreateJobInput!) {
  createJob(input: $input) {
    job { mustHaveSkills niceToHaveSkills minYearsExperience maxYearsExperience languages skills }
    userErrors { field code message } } }"""
CREATE_CANDIDATE = """mutation($input: CreateCandidateInput!) {
  createCandidate(input: $input) {
    candidate { summary desiredSalary { amount currency } openToRemote languages automatedRanking }
    userErrors { field code message } } }"""
UPDATE_CANDIDATE = """mutation($input: UpdateCandidateInput!) {
  updateCandidate(input: $input) { candidate { desiredSalary { amount } openToRemote }
    userErrors { field code message } } }"""
TERMS = {"percent": 20, "currency": "EUR"}


async def _member(issuer: Issuer) -> tuple[str, str]:
    company = await make_company()
    await CompanyMember(company_id=company.id, sub="auth0|owner", role=MemberRole.OWNER).insert()
    return global_id("Company", company), issuer.token("auth0|owner")


async def test_job_matching_fields_are_normalized_and_stored(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    company_id, token = await _member(issuer)
    job = {"companyId": company_id, "title": "SRE", "feeTerms": TERMS,
           "mustHaveSkills": [" K8s ", "k8s", "Go"], "niceToHaveSkills": ["Kafka"],
           "minYearsExperience": 3, "maxYearsExperience": 8, "languages": ["English"]}  # fmt: skip

    data = (await gql(anonymous_client, CREATE_JOB, {"input": job}, as_=token))["data"]

    assert data["createJob"]["userErrors"] == []
    assert data["createJob"]["job"] == {
        "mustHaveSkills": ["k8s", "go"], "niceToHaveSkills": ["kafka"], "minYearsExperience": 3,
        "maxYearsExperience": 8, "languages": ["english"], "skills": [],
    }  # fmt: skip


async def test_job_matching_fields_report_every_bad_field(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    company_id, token = await _member(issuer)
    job = {"companyId": company_id, "title": "SRE", "feeTerms": TERMS,
           "mustHaveSkills": [f"skill {i}" for i in range(51)], "minYearsExperience": 9,
           "maxYearsExperience": 4, "languages": ["x" * 41]}  # fmt: skip

    data = (await gql(anonymous_client, CREATE_JOB, {"input": job}, as_=token))["data"]

    assert data["createJob"]["job"] is None
    assert codes(data["createJob"]) == [
        (["mustHaveSkills"], "INVALID_INPUT"),
        (["languages"], "INVALID_INPUT"),
        (["maxYearsExperience"], "INVALID_INPUT"),
    ]
    assert await Job.find_all().count() == 0


async def test_candidate_matching_fields_are_validated_and_stored(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    await make_recruiter(sub="auth0|rita")
    token = issuer.token("auth0|rita")
    person = {"fullName": "Ada", "summary": "  Builds compilers.  ", "openToRemote": True,
              "desiredSalary": {"amount": 90_000_00, "currency": "eur"},
              "languages": ["English", "german"]}  # fmt: skip

    data = (await gql(anonymous_client, CREATE_CANDIDATE, {"input": person}, as_=token))["data"]

    assert data["createCandidate"]["candidate"] == {
        "summary": "Builds compilers.", "desiredSalary": {"amount": 90_000_00, "currency": "EUR"},
        "openToRemote": True, "languages": ["english", "german"], "automatedRanking": "ALLOWED",
    }  # fmt: skip
    too_long = (
        await gql(
            anonymous_client,
            CREATE_CANDIDATE,
            {"input": {"fullName": "Bo", "summary": "x" * 5001}},
            as_=token,
        )
    )["data"]
    assert codes(too_long["createCandidate"]) == [(["summary"], "INVALID_INPUT")]
    money = {"fullName": "Cy", "desiredSalary": {"amount": 1, "currency": "EURO"}}
    bad_currency = (await gql(anonymous_client, CREATE_CANDIDATE, {"input": money}, as_=token))[
        "data"
    ]
    assert codes(bad_currency["createCandidate"]) == [
        (["desiredSalary", "currency"], "INVALID_INPUT")
    ]
    assert await Candidate.find_all().count() == 1


async def test_desired_salary_can_be_cleared(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    await make_recruiter(sub="auth0|rita")
    token = issuer.token("auth0|rita")
    person = {"fullName": "Ada", "desiredSalary": {"amount": 1, "currency": "EUR"}}
    created = (await gql(anonymous_client, CREATE_CANDIDATE, {"input": person}, as_=token))["data"]
    assert created["createCandidate"]["userErrors"] == []
    stored = await Candidate.find_one({})
    assert stored is not None

    change = {"candidateId": global_id("Candidate", stored), "desiredSalary": None,
              "openToRemote": True}  # fmt: skip
    data = (await gql(anonymous_client, UPDATE_CANDIDATE, {"input": change}, as_=token))["data"]

    assert data["updateCandidate"]["candidate"] == {"desiredSalary": None, "openToRemote": True}


async def test_documents_stored_before_the_fields_existed_still_load(
    client: httpx.AsyncClient,
) -> None:
    recruiter = await make_recruiter()
    raw = {"_id": ObjectId(), "recruiter_id": recruiter.id, "full_name": "Old Timer",
           "skills": ["cobol"], "years_experience": 30}  # fmt: skip
    await Candidate.get_pymongo_collection().insert_one(raw)
    query = """query($id: ID!) { node(id: $id) { ... on Candidate {
      summary desiredSalary { amount } openToRemote languages automatedRanking } } }"""

    data = (await gql(client, query, {"id": global_id("Candidate", Candidate(**raw))}))["data"]

    assert data["node"] == {"summary": "", "desiredSalary": None, "openToRemote": False,
                            "languages": [], "automatedRanking": "ALLOWED"}  # fmt: skip
