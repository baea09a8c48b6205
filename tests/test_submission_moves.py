"""moveSubmission and withdrawSubmission: the pipeline rules, authorization and fresh reads."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from bson import ObjectId

from crowdhire.models import AuditEvent, Submission
from crowdhire.models.submissions import Stage
from crowdhire.schema.ids import encode_global_id
from tests.auth_support import Issuer
from tests.factories import make_submission
from tests.support import codes, global_id, gql
from tests.workflow_support import HR, OTHER_HR, RECRUITER_A, RECRUITER_B, World, make_world

SUBMISSION = "query($id: ID!) { node(id: $id) { ... on Submission { stage history { toStage } } } }"
MOVE = """mutation($input: MoveSubmissionInput!) {
  moveSubmission(input: $input) {
    submission { id stage rejectReason history { fromStage toStage actor note } }
    userErrors { field code message }
  }
}"""
WITHDRAW = """mutation($input: WithdrawSubmissionInput!) {
  withdrawSubmission(input: $input) {
    submission { stage history { toStage actor } }
    userErrors { field code message }
  }
}"""


@pytest.fixture
async def world(app: Any) -> World:
    """Company, job, two recruiters with one consenting candidate each."""
    return await make_world()


async def _submitted(world: World, stage: Stage = Stage.SUBMITTED) -> str:
    submission = await make_submission(world.job, world.candidate_a, stage=stage)
    return global_id("Submission", submission)


async def test_company_moves_a_submission_to_offer_with_history_and_fresh_reads(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    hr, submission_id = issuer.token(HR), await _submitted(world)
    cached = (await gql(anonymous_client, SUBMISSION, variables={"id": submission_id}, as_=hr))[
        "data"
    ]  # warms the cache

    moves = []
    for stage in ("SCREENING", "INTERVIEWING", "OFFER"):
        request = {"id": submission_id, "stage": stage, "note": f"to {stage}"}
        data = (await gql(anonymous_client, MOVE, variables={"input": request}, as_=hr))["data"]
        moves.append(data["moveSubmission"])
    fresh = (await gql(anonymous_client, SUBMISSION, variables={"id": submission_id}, as_=hr))[
        "data"
    ]

    assert cached["node"]["stage"] == "SUBMITTED"
    assert all(move["userErrors"] == [] for move in moves)
    assert moves[-1]["submission"]["history"][1:] == [
        {"fromStage": "SUBMITTED", "toStage": "SCREENING", "actor": HR, "note": "to SCREENING"},
        {"fromStage": "SCREENING", "toStage": "INTERVIEWING", "actor": HR,
         "note": "to INTERVIEWING"},
        {"fromStage": "INTERVIEWING", "toStage": "OFFER", "actor": HR, "note": "to OFFER"},
    ]  # fmt: skip
    assert fresh["node"]["stage"] == "OFFER"
    assert [h["toStage"] for h in fresh["node"]["history"]] == [
        "SUBMITTED", "SCREENING", "INTERVIEWING", "OFFER"]  # fmt: skip
    events = await AuditEvent.find({"action": "moveSubmission"}).to_list()
    assert len(events) == 3 and {e.actor_sub for e in events} == {HR}
    assert all("to " not in str(e.model_dump()) for e in events)  # notes stay out of the audit


async def test_reject_needs_a_reason_from_the_enum(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    hr, submission_id = issuer.token(HR), await _submitted(world, Stage.SCREENING)

    missing = (
        await gql(
            anonymous_client,
            MOVE,
            variables={"input": {"id": submission_id, "stage": "REJECTED"}},
            as_=hr,
        )
    )["data"]
    stray = (
        await gql(
            anonymous_client,
            MOVE,
            variables={
                "input": {"id": submission_id, "stage": "INTERVIEWING", "rejectReason": "OTHER"}
            },
            as_=hr,
        )
    )["data"]
    rejected = (
        await gql(
            anonymous_client,
            MOVE,
            variables={
                "input": {
                    "id": submission_id,
                    "stage": "REJECTED",
                    "rejectReason": "SALARY_MISMATCH",
                }
            },
            as_=hr,
        )
    )["data"]
    after_final = (
        await gql(
            anonymous_client,
            MOVE,
            variables={"input": {"id": submission_id, "stage": "SCREENING"}},
            as_=hr,
        )
    )["data"]

    assert codes(missing["moveSubmission"]) == [(["rejectReason"], "REJECT_REASON_REQUIRED")]
    assert codes(stray["moveSubmission"]) == [(["rejectReason"], "INVALID_INPUT")]
    assert rejected["moveSubmission"]["submission"]["stage"] == "REJECTED"
    assert rejected["moveSubmission"]["submission"]["rejectReason"] == "SALARY_MISMATCH"
    assert codes(after_final["moveSubmission"]) == [(["stage"], "ILLEGAL_TRANSITION")]
    assert await AuditEvent.find({"action": "moveSubmission"}).count() == 1


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Stage.SUBMITTED, "INTERVIEWING"),
        (Stage.SUBMITTED, "OFFER"),
        (Stage.SCREENING, "SUBMITTED"),
        (Stage.INTERVIEWING, "SCREENING"),
        (Stage.OFFER, "HIRED"),
        (Stage.OFFER, "WITHDRAWN"),
        (Stage.HIRED, "REJECTED"),
        (Stage.WITHDRAWN, "SCREENING"),
    ],
)
async def test_illegal_transitions_are_refused_and_change_nothing(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World, current: Stage, target: str
) -> None:
    submission_id = await _submitted(world, current)
    request: dict[str, Any] = {"id": submission_id, "stage": target}

    data = (await gql(anonymous_client, MOVE, variables={"input": request}, as_=issuer.token(HR)))[
        "data"
    ]

    assert codes(data["moveSubmission"]) == [(["stage"], "ILLEGAL_TRANSITION")]
    assert data["moveSubmission"]["submission"] is None
    stored = await Submission.find_one({"candidate_id": world.candidate_a.id})
    assert stored is not None and stored.stage is current and len(stored.history) == 1
    assert await AuditEvent.find_all().count() == 0


@pytest.mark.parametrize(
    ("who", "overrides", "field", "code"),
    [
        (None, {}, [], "UNAUTHENTICATED"),
        (RECRUITER_A, {}, ["id"], "FORBIDDEN"),  # sees it, may not move it
        ("admin", {}, ["id"], "FORBIDDEN"),
        (OTHER_HR, {}, ["id"], "NOT_FOUND"),  # cannot see it: same as missing
        (RECRUITER_B, {}, ["id"], "NOT_FOUND"),
        (HR, {"id": encode_global_id("Submission", ObjectId())}, ["id"], "NOT_FOUND"),
        (HR, {"id": "garbage"}, ["id"], "INVALID_INPUT"),
        (HR, {"note": "n" * 2001}, ["note"], "INVALID_INPUT"),
    ],
)
async def test_move_authorization_and_input_errors(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    world: World,
    who: str | None,
    overrides: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    request = {"id": await _submitted(world), "stage": "SCREENING", **overrides}

    data = (
        await gql(
            anonymous_client, MOVE, variables={"input": request}, as_=world.token(issuer, who)
        )
    )["data"]

    assert codes(data["moveSubmission"]) == [(field, code)]
    stored = await Submission.find_one({"candidate_id": world.candidate_a.id})
    assert stored is not None and stored.stage is Stage.SUBMITTED
    assert await AuditEvent.find_all().count() == 0


async def test_recruiter_withdraws_once_and_not_from_a_final_stage(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    token, submission_id = issuer.token(RECRUITER_A), await _submitted(world, Stage.INTERVIEWING)

    withdrawn = (
        await gql(anonymous_client, WITHDRAW, variables={"input": {"id": submission_id}}, as_=token)
    )["data"]
    again = (
        await gql(anonymous_client, WITHDRAW, variables={"input": {"id": submission_id}}, as_=token)
    )["data"]
    seen_by_company = (
        await gql(
            anonymous_client, SUBMISSION, variables={"id": submission_id}, as_=issuer.token(HR)
        )
    )["data"]

    assert withdrawn["withdrawSubmission"]["userErrors"] == []
    assert withdrawn["withdrawSubmission"]["submission"]["history"][-1] == {
        "toStage": "WITHDRAWN", "actor": RECRUITER_A}  # fmt: skip
    assert codes(again["withdrawSubmission"]) == [(["id"], "ILLEGAL_TRANSITION")]
    assert seen_by_company["node"]["stage"] == "WITHDRAWN"
    assert await AuditEvent.find({"action": "withdrawSubmission"}).count() == 1


@pytest.mark.parametrize(
    ("who", "field", "code"),
    [(None, [], "UNAUTHENTICATED"), (HR, ["id"], "FORBIDDEN"), ("admin", ["id"], "FORBIDDEN"),
     (RECRUITER_B, ["id"], "NOT_FOUND"), (OTHER_HR, ["id"], "NOT_FOUND")],
)  # fmt: skip
async def test_withdraw_authorization(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    world: World,
    who: str | None,
    field: list[str],
    code: str,
) -> None:
    submission_id = await _submitted(world)

    data = (
        await gql(
            anonymous_client,
            WITHDRAW,
            variables={"input": {"id": submission_id, "note": "x"}},
            as_=world.token(issuer, who),
        )
    )["data"]

    assert codes(data["withdrawSubmission"]) == [(field, code)]
    stored = await Submission.find_one({"candidate_id": world.candidate_a.id})
    assert stored is not None and stored.stage is Stage.SUBMITTED
