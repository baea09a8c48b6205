"""The permission matrix: each role, each type, by root list, nested path and `node`."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from tests.auth_support import Issuer
from tests.permissions_support import World, build_world, codes, token_of
from tests.support import global_id, gql


@pytest.fixture
async def world(app: Starlette) -> World:
    """The shared scenario every cell of the matrix reads."""
    return await build_world()


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
