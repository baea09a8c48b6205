"""The permission matrix: each role, each type, by root list, nested path and `node`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from crowdhire.models import Candidate, Company, Job, Placement, Recruiter, Submission
from crowdhire.models.candidates import Consent, ConsentStatus
from crowdhire.models.companies import CompanyMember, MemberRole
from crowdhire.models.jobs import JobStatus
from crowdhire.models.submissions import Stage
from tests.auth_support import Issuer
from tests.factories import (
    make_candidate,
    make_company,
    make_job,
    make_placement,
    make_recruiter,
    make_submission,
)
from tests.support import global_id, gql


@dataclass
class World:
    """Two companies, two recruiters, their candidates, submissions and a placement."""

    acme: Company
    globex: Company
    open_job: Job
    draft_job: Job
    rita: Recruiter
    sam: Recruiter
    interviewing: Candidate  # Rita's, submitted to Acme, reached interviewing
    submitted: Candidate  # Sam's, submitted to Acme, still at submitted
    rita_submission: Submission
    sam_submission: Submission
    placement: Placement


@pytest.fixture
async def world(app: Starlette) -> World:
    """The shared scenario every cell of the matrix reads."""
    acme, globex = await make_company(slug="acme"), await make_company(slug="globex")
    await CompanyMember(company_id=acme.id, sub="auth0|acme-owner", role=MemberRole.OWNER).insert()
    await CompanyMember(company_id=globex.id, sub="auth0|globex-member").insert()
    open_job = await make_job(acme, title="Open at Acme")
    draft_job = await make_job(acme, title="Draft at Acme", status=JobStatus.DRAFT)
    rita = await make_recruiter(sub="auth0|rita", display_name="Rita")
    sam = await make_recruiter(sub="auth0|sam", display_name="Sam")
    interviewing = await make_candidate(rita, full_name="Ivy Interviewing")
    submitted = await make_candidate(sam, full_name="Sue Submitted")
    rita_submission = await make_submission(open_job, interviewing, stage=Stage.INTERVIEWING)
    sam_submission = await make_submission(open_job, submitted)
    hired = await make_submission(
        draft_job, await make_candidate(rita, full_name="Hana Hired"), stage=Stage.HIRED
    )
    placement = await make_placement(hired, draft_job)
    return World(acme, globex, open_job, draft_job, rita, sam, interviewing, submitted,
                 rita_submission, sam_submission, placement)  # fmt: skip


ROLES = {
    "anonymous": None,
    "rita": ("auth0|rita", []),
    "sam": ("auth0|sam", []),
    "acme": ("auth0|acme-owner", []),
    "globex": ("auth0|globex-member", []),
    "admin": ("auth0|staff", ["admin:all"]),
}


def token_of(issuer: Issuer, role: str) -> str | None:
    """A bearer token for one of ROLES (None: anonymous)."""
    identity = ROLES[role]
    return issuer.token(identity[0], identity[1]) if identity is not None else None


def codes(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, code) of each error."""
    return [
        (".".join(str(p) for p in e.get("path", [])), e["extensions"]["code"])
        for e in body.get("errors", [])
    ]


ROOT_LISTS = """{
  jobs { nodes { title } }
  companies { nodes { slug } }
}"""

PRIVATE_ROOTS = ["recruiters", "candidates", "submissions", "placements"]


@pytest.mark.parametrize(
    ("role", "jobs"),
    [
        ("anonymous", ["Open at Acme"]),
        ("rita", ["Open at Acme"]),
        ("globex", ["Open at Acme"]),
        ("acme", ["Draft at Acme", "Open at Acme"]),
        ("admin", ["Draft at Acme", "Open at Acme"]),
    ],
)
async def test_public_root_lists(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World, role: str, jobs: list[str]
) -> None:
    body = await gql(anonymous_client, ROOT_LISTS, as_=token_of(issuer, role), expect_errors=True)

    assert sorted(n["title"] for n in body["data"]["jobs"]["nodes"]) == jobs
    assert {n["slug"] for n in body["data"]["companies"]["nodes"]} == {"acme", "globex"}


@pytest.mark.parametrize("root", PRIVATE_ROOTS)
async def test_private_roots_need_a_token(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World, root: str
) -> None:
    body = await gql(
        anonymous_client,
        f"{{ {root} {{ totalCount }} }}",
        as_=token_of(issuer, "anonymous"),
        expect_errors=True,
    )

    assert body["data"] is None
    assert codes(body) == [(root, "UNAUTHENTICATED")]


PRIVATE_LISTS = """{
  recruiters { nodes { displayName } }
  candidates { nodes { fullName } }
  submissions { nodes { candidate { fullName } } }
  placements { totalCount }
}"""


@pytest.mark.parametrize(
    ("role", "recruiters", "candidates", "placements"),
    [
        ("rita", ["Rita"], ["Hana Hired", "Ivy Interviewing"], 1),
        ("sam", ["Sam"], ["Sue Submitted"], 0),
        ("acme", ["Rita", "Sam"], ["Hana Hired", "Ivy Interviewing", "Sue Submitted"], 1),
        ("globex", [], [], 0),
        ("admin", ["Rita", "Sam"], ["Hana Hired", "Ivy Interviewing", "Sue Submitted"], 1),
    ],
)
async def test_private_root_lists_show_only_visible_records(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    world: World,
    role: str,
    recruiters: list[str],
    candidates: list[str],
    placements: int,
) -> None:
    body = await gql(
        anonymous_client, PRIVATE_LISTS, as_=token_of(issuer, role), expect_errors=True
    )
    data = body["data"]

    assert "errors" not in body
    assert sorted(n["displayName"] for n in data["recruiters"]["nodes"]) == recruiters
    assert sorted(n["fullName"] for n in data["candidates"]["nodes"]) == candidates
    submitted_names = {n["candidate"]["fullName"] for n in data["submissions"]["nodes"]}
    assert submitted_names <= {n["fullName"] for n in data["candidates"]["nodes"]}
    assert data["placements"]["totalCount"] == placements


NODE = """query($id: ID!) { node(id: $id) { __typename id } }"""

# role → which objects `node` returns (the rest must be exactly like a missing id: null)
NODE_VISIBILITY = {
    "anonymous": {"acme", "open_job"},
    "rita": {"acme", "open_job", "rita", "sam", "interviewing", "rita_submission", "placement"},
    "sam": {"acme", "open_job", "rita", "sam", "submitted", "sam_submission"},
    "acme": {"acme", "open_job", "draft_job", "rita", "sam", "interviewing", "submitted",
             "rita_submission", "sam_submission", "placement"},
    "globex": {"acme", "open_job", "rita", "sam"},
    "admin": {"acme", "open_job", "draft_job", "rita", "sam", "interviewing", "submitted",
              "rita_submission", "sam_submission", "placement"},
}  # fmt: skip

TYPE_OF = {
    "acme": "Company", "open_job": "Job", "draft_job": "Job", "rita": "Recruiter",
    "sam": "Recruiter", "interviewing": "Candidate", "submitted": "Candidate",
    "rita_submission": "Submission", "sam_submission": "Submission", "placement": "Placement",
}  # fmt: skip


@pytest.mark.parametrize("role", list(NODE_VISIBILITY))
async def test_node_shows_visible_records_and_hides_the_rest_like_missing_ones(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World, role: str
) -> None:
    for name, type_name in TYPE_OF.items():
        object_id = global_id(type_name, getattr(world, name))

        body = await gql(
            anonymous_client,
            NODE,
            variables={"id": object_id},
            as_=token_of(issuer, role),
            expect_errors=True,
        )

        assert "errors" not in body, (role, name)
        expected = {"__typename": type_name, "id": object_id}
        assert body["data"]["node"] == (expected if name in NODE_VISIBILITY[role] else None), (
            role,
            name,
        )


JOB_DETAILS = """query($id: ID!) { node(id: $id) { ... on Job {
  title feeTerms { percent }
  submissions { totalCount nodes { candidate { fullName } } }
  placements { totalCount }
} } }"""


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
