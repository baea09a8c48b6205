"""`changes`: a partner rebuilds the same copy from any cursor; who sees what; bad cursors."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from crowdhire.models.submissions import Stage
from crowdhire.resolvers.events import encode_position
from tests.auth_support import Issuer
from tests.events_support import mutate
from tests.factories import make_candidate
from tests.permissions_support import World, build_world, token_of
from tests.support import global_id, gql

CHANGES = """query($after: String, $first: Int, $types: [ChangeRecordType!]) {
  changes(after: $after, first: $first, types: $types) {
    edges { cursor node { cursor operation recordType recordId changedFields occurredAt
      record { id ... on Submission { stage } ... on Job { status } ... on Recruiter { displayName }
               ... on Placement { paymentStatus } ... on Candidate { fullName consent { status } } }
    } }
    pageInfo { hasNextPage endCursor } } }"""
SALARY = {"amount": 70_000_00, "currency": "EUR"}

Copy = dict[tuple[str, str], dict[str, Any]]


async def _page(
    client: httpx.AsyncClient, token: str | None, after: str | None, first: int, **more: Any
) -> dict[str, Any]:
    variables = {"after": after, "first": first, **more}
    page: dict[str, Any] = (await gql(client, CHANGES, variables, as_=token))["data"]["changes"]
    return page


async def _follow(
    client: httpx.AsyncClient, token: str | None, copy: Copy, after: str | None, first: int,
    pages: int = 1000,
) -> str:  # fmt: skip
    """Apply pages of changes to `copy` (at most `pages`); the cursor to poll from next."""
    for _ in range(pages):
        page = await _page(client, token, after, first)
        for edge in page["edges"]:
            change = edge["node"]
            assert edge["cursor"] == change["cursor"]
            key = (change["recordType"], change["recordId"])
            if change["operation"] == "DELETED":
                assert change["record"] is None
                copy.pop(key, None)
            else:
                copy[key] = change["record"]
        after = page["pageInfo"]["endCursor"]
        assert after is not None
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert after is not None
    return after


async def _history(client: httpx.AsyncClient, issuer: Issuer, world: World) -> None:
    """A day of work through the API: registration, submission, moves, a hire, consent, erasure."""
    acme, sam = token_of(issuer, "acme"), token_of(issuer, "sam")
    profile = {"displayName": "New Comer", "email": "new@example.test"}
    assert await mutate(client, "registerRecruiter", profile, issuer.token("auth0|newbie")) == []
    fresh = await make_candidate(world.sam)
    submit = {
        "jobId": global_id("Job", world.open_job),
        "candidateId": global_id("Candidate", fresh),
    }
    assert await mutate(client, "submitCandidate", submit, sam) == []
    sam_sid, rita_sid = (
        global_id("Submission", s) for s in (world.sam_submission, world.rita_submission)
    )
    assert await mutate(client, "moveSubmission", {"id": sam_sid, "stage": "SCREENING"}, acme) == []
    assert (
        await mutate(client, "publishJob", {"jobId": global_id("Job", world.draft_job)}, acme) == []
    )
    assert await mutate(client, "moveSubmission", {"id": rita_sid, "stage": "OFFER"}, acme) == []
    hire = {"id": rita_sid, "startDate": "2026-06-01", "annualSalary": SALARY}
    assert await mutate(client, "hireSubmission", hire, acme) == []  # fills the open job
    person = {"candidateId": global_id("Candidate", world.submitted)}
    assert await mutate(client, "revokeCandidateConsent", person, issuer.admin_token()) == []
    assert await mutate(client, "eraseCandidate", person, sam) == []
    reject = {"id": sam_sid, "stage": "REJECTED", "rejectReason": "OTHER"}
    assert await mutate(client, "moveSubmission", reject, acme) == []


async def test_replays_from_the_start_and_from_a_middle_cursor_build_the_same_copy(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    await _history(anonymous_client, issuer, world)
    admin = issuer.admin_token()

    whole: Copy = {}
    end = await _follow(anonymous_client, admin, whole, None, first=2)
    halves: Copy = {}
    middle = await _follow(anonymous_client, admin, halves, None, first=3, pages=2)
    assert middle != end
    again = await _follow(anonymous_client, admin, halves, middle, first=100)
    from_zero: Copy = {}
    await _follow(anonymous_client, admin, from_zero, encode_position(0), first=7)

    assert whole == halves == from_zero
    assert again == end
    erased = ("CANDIDATE", global_id("Candidate", world.submitted))
    assert erased not in whole  # the erasure arrived as a deletion
    types = {kind for kind, _ in whole}
    assert types == {"SUBMISSION", "JOB", "PLACEMENT", "RECRUITER"}
    assert whole[("SUBMISSION", global_id("Submission", world.rita_submission))] == {
        "id": global_id("Submission", world.rita_submission),
        "stage": "HIRED",
    }
    assert whole[("JOB", global_id("Job", world.open_job))]["status"] == "FILLED"
    quiet = await _page(anonymous_client, admin, end, 10)
    assert quiet["edges"] == [] and quiet["pageInfo"]["endCursor"] == end


async def test_each_viewer_follows_only_what_they_may_see(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    await _history(anonymous_client, issuer, world)

    seen = {}
    for role in ("rita", "sam", "acme", "globex"):
        copy: Copy = {}
        await _follow(anonymous_client, token_of(issuer, role), copy, None, first=100)
        seen[role] = copy
    placement = [k for k in seen["acme"] if k[0] == "PLACEMENT"]
    rita = {("SUBMISSION", global_id("Submission", world.rita_submission)), *placement}
    assert set(seen["rita"]) == rita
    assert {kind for kind, _ in seen["sam"]} == {"SUBMISSION"}  # his candidate was erased
    assert {kind for kind, _ in seen["acme"]} == {"SUBMISSION", "JOB", "PLACEMENT"}
    assert seen["globex"] == {}
    empty = await _page(anonymous_client, token_of(issuer, "globex"), None, 5)
    assert empty["edges"] == [] and empty["pageInfo"]["endCursor"] is not None

    only_jobs = await _page(anonymous_client, token_of(issuer, "acme"), None, 100, types=["JOB"])
    assert {e["node"]["recordType"] for e in only_jobs["edges"]} == {"JOB"}
    assert len(only_jobs["edges"]) == 2  # the draft published, the open job filled by the hire
    anonymous = await gql(anonymous_client, CHANGES, {}, expect_errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_poll_from_the_end_cursor_sees_only_what_came_after(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    acme = token_of(issuer, "acme")
    start = await _page(anonymous_client, acme, None, 10)
    assert start["edges"] == []
    cursor = start["pageInfo"]["endCursor"]

    sid = global_id("Submission", world.sam_submission)
    assert (
        await mutate(anonymous_client, "moveSubmission", {"id": sid, "stage": "SCREENING"}, acme)
        == []
    )
    polled = await _page(anonymous_client, acme, cursor, 10)

    [edge] = polled["edges"]
    assert edge["node"]["operation"] == "UPDATED"
    assert edge["node"]["record"] == {"id": sid, "stage": Stage.SCREENING.name}
    assert edge["node"]["changedFields"] == ["history", "stage"]
    assert polled["pageInfo"]["endCursor"] == edge["cursor"]


async def test_bad_arguments_are_named(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    admin = issuer.admin_token()
    for variables, argument in (
        ({"after": "bogus"}, "after"),
        ({"after": global_id("Job", (await build_world()).open_job)}, "after"),
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
    ):
        body = await gql(anonymous_client, CHANGES, variables, as_=admin, expect_errors=True)
        [error] = body["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}, variables
