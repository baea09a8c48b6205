"""The permission matrix, field by field: fee terms, pipelines, contact fields, private lists."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from crowdhire.models import Candidate
from crowdhire.models.candidates import Consent, ConsentStatus
from tests.auth_support import Issuer
from tests.factories import (
    make_job,
    make_submission,
)
from tests.permissions_support import World, build_world, codes, token_of
from tests.support import global_id, gql

JOB_DETAILS = """query($id: ID!) { node(id: $id) { ... on Job {
  title feeTerms { percent }
  submissions { totalCount nodes { candidate { fullName } } }
  placements { totalCount }
} } }"""


@pytest.fixture
async def world(app: Starlette) -> World:
    """The shared scenario every cell of the matrix reads."""
    return await build_world()


@pytest.mark.parametrize(
    ("role", "fee_visible", "submissions"),
    [
        ("anonymous", False, None),
        ("rita", True, ["Ivy Interviewing"]),
        ("sam", True, ["Sue Submitted"]),
        ("acme", True, ["Ivy Interviewing", "Sue Submitted"]),
        ("globex", False, None),
        ("admin", True, ["Ivy Interviewing", "Sue Submitted"]),
    ],
)
async def test_job_fee_terms_and_pipeline_by_role(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    world: World,
    role: str,
    fee_visible: bool,
    submissions: list[str] | None,
) -> None:
    body = await gql(
        anonymous_client,
        JOB_DETAILS,
        variables={"id": global_id("Job", world.open_job)},
        as_=token_of(issuer, role),
        expect_errors=True,
    )
    job = body["data"]["node"]

    assert job["title"] == "Open at Acme"
    errors = codes(body)
    if fee_visible:
        assert job["feeTerms"] == {"percent": 20.0}
    else:
        assert job["feeTerms"] is None
        assert ("node.feeTerms", "FORBIDDEN") in errors
    if submissions is None:
        assert job["submissions"] is None
        assert ("node.submissions", "FORBIDDEN") in errors
    else:
        names = sorted(n["candidate"]["fullName"] for n in job["submissions"]["nodes"])
        assert names == submissions
        assert job["submissions"]["totalCount"] == len(submissions)


CANDIDATE_CONTACT = """query($id: ID!) { node(id: $id) { ... on Candidate {
  fullName email phone links submissions { totalCount }
} } }"""


@pytest.mark.parametrize(
    ("role", "candidate", "contact"),
    [
        ("rita", "interviewing", True),
        ("acme", "interviewing", True),
        ("acme", "submitted", False),
        ("sam", "submitted", True),
        ("admin", "submitted", True),
    ],
)
async def test_candidate_contact_fields_open_to_companies_only_from_interviewing(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    world: World,
    role: str,
    candidate: str,
    contact: bool,
) -> None:
    person: Candidate = getattr(world, candidate)

    body = await gql(
        anonymous_client,
        CANDIDATE_CONTACT,
        variables={"id": global_id("Candidate", person)},
        as_=token_of(issuer, role),
        expect_errors=True,
    )
    data = body["data"]["node"]

    assert data["fullName"] == person.full_name
    if contact:
        assert (data["email"], data["phone"]) == (person.email, person.phone)
        assert "errors" not in body
    else:
        assert (data["email"], data["phone"], data["links"]) == (None, None, None)
        assert sorted(codes(body)) == [
            ("node.email", "FORBIDDEN"),
            ("node.links", "FORBIDDEN"),
            ("node.phone", "FORBIDDEN"),
        ]


async def test_contact_stays_hidden_from_companies_without_granted_consent(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    person = world.interviewing
    person.consent = Consent(status=ConsentStatus.REVOKED)
    await person.save()

    body = await gql(
        anonymous_client,
        CANDIDATE_CONTACT,
        variables={"id": global_id("Candidate", person)},
        as_=token_of(issuer, "acme"),
        expect_errors=True,
    )

    assert body["data"]["node"]["email"] is None
    assert ("node.email", "FORBIDDEN") in codes(body)


RECRUITER_PRIVATE = """query($id: ID!) { node(id: $id) { ... on Recruiter {
  displayName email candidates { totalCount } submissions { totalCount }
  placements { totalCount }
} } }"""


@pytest.mark.parametrize(("role", "own"), [("rita", True), ("sam", False), ("acme", False),
                                           ("admin", True)])  # fmt: skip
async def test_recruiter_email_and_work_lists_are_private_to_them(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World, role: str, own: bool
) -> None:
    body = await gql(
        anonymous_client,
        RECRUITER_PRIVATE,
        variables={"id": global_id("Recruiter", world.rita)},
        as_=token_of(issuer, role),
        expect_errors=True,
    )
    data = body["data"]["node"]

    assert data["displayName"] == "Rita"
    if own:
        assert data["email"] == world.rita.email
        assert data["candidates"] == {"totalCount": 2}
        assert data["placements"] == {"totalCount": 1}
    else:
        assert data["email"] is None
        assert {path for path, code in codes(body) if code == "FORBIDDEN"} == {
            "node.email", "node.candidates", "node.submissions", "node.placements",
        }  # fmt: skip


CANDIDATE_PIPELINE = """query($id: ID!) { node(id: $id) { ... on Candidate {
  submissions { nodes { job { title } } } placements { totalCount }
} } }"""


async def test_a_company_sees_only_its_own_part_of_a_candidates_history(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    elsewhere = await make_job(world.globex, title="Globex role")
    await make_submission(elsewhere, world.interviewing)
    candidate_id = global_id("Candidate", world.interviewing)

    as_acme = await gql(
        anonymous_client,
        CANDIDATE_PIPELINE,
        variables={"id": candidate_id},
        as_=token_of(issuer, "acme"),
        expect_errors=True,
    )
    as_owner = await gql(
        anonymous_client,
        CANDIDATE_PIPELINE,
        variables={"id": candidate_id},
        as_=token_of(issuer, "rita"),
        expect_errors=True,
    )

    acme_jobs = [n["job"]["title"] for n in as_acme["data"]["node"]["submissions"]["nodes"]]
    owner_jobs = [n["job"]["title"] for n in as_owner["data"]["node"]["submissions"]["nodes"]]
    assert acme_jobs == ["Open at Acme"]
    assert sorted(owner_jobs) == ["Globex role", "Open at Acme"]


async def test_two_viewers_reading_the_same_cached_candidate_get_their_own_view(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    candidate_id = global_id("Candidate", world.submitted)

    owner_first = await gql(
        anonymous_client,
        CANDIDATE_CONTACT,
        variables={"id": candidate_id},
        as_=token_of(issuer, "sam"),
        expect_errors=True,
    )
    company = await gql(
        anonymous_client,
        CANDIDATE_CONTACT,
        variables={"id": candidate_id},
        as_=token_of(issuer, "acme"),
        expect_errors=True,
    )
    stranger = await gql(
        anonymous_client,
        CANDIDATE_CONTACT,
        variables={"id": candidate_id},
        as_=token_of(issuer, "globex"),
        expect_errors=True,
    )
    owner_again = await gql(
        anonymous_client,
        CANDIDATE_CONTACT,
        variables={"id": candidate_id},
        as_=token_of(issuer, "sam"),
        expect_errors=True,
    )

    assert owner_first["data"]["node"]["email"] == world.submitted.email
    assert company["data"]["node"]["fullName"] == "Sue Submitted"
    assert company["data"]["node"]["email"] is None
    assert stranger["data"]["node"] is None
    assert owner_again["data"] == owner_first["data"]


NESTED_SUBMISSION_PATHS = """query($id: ID!) { node(id: $id) { ... on Submission {
  job { title } candidate { fullName } recruiter { displayName }
} } }"""


async def test_nested_paths_from_a_visible_submission_respect_each_records_rules(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    submission_id = global_id("Submission", world.sam_submission)

    as_acme = await gql(
        anonymous_client,
        NESTED_SUBMISSION_PATHS,
        variables={"id": submission_id},
        as_=token_of(issuer, "acme"),
        expect_errors=True,
    )
    as_rita = await gql(
        anonymous_client,
        NESTED_SUBMISSION_PATHS,
        variables={"id": submission_id},
        as_=token_of(issuer, "rita"),
        expect_errors=True,
    )

    assert as_acme["data"]["node"] == {
        "job": {"title": "Open at Acme"},
        "candidate": {"fullName": "Sue Submitted"},
        "recruiter": {"displayName": "Sam"},
    }
    assert as_rita["data"]["node"] is None
