"""Recruiter.stats: counts, conversion rates, fee shares per currency; private; batched."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from crowdhire.models.common import Money
from crowdhire.models.placements import PaymentStatus
from crowdhire.models.submissions import Stage, StageChange
from tests.auth_support import Issuer
from tests.factories import (
    BASE_TIME,
    make_candidate,
    make_placement,
    make_recruiter,
    make_submission,
)
from tests.support import CommandCounter, global_id
from tests.workflow_support import HR, RECRUITER_A, RECRUITER_B, World, make_world

STATS = """query($id: ID!) { node(id: $id) { ... on Recruiter { stats {
  submissions interviews hires interviewRate hireRate
  feesPending { amount currency } feesEarned { amount currency } } } } }"""
PAGE = """{ recruiters(first: 10) { nodes { displayName stats { submissions hires
  feesPending { amount currency } } } } }"""


def _history(*stages: Stage) -> list[StageChange]:
    steps = [None, *stages]
    return [StageChange(from_stage=a, to_stage=b, at=BASE_TIME, actor="t")
            for a, b in itertools.pairwise(steps)]  # fmt: skip


async def _pipeline(world: World) -> None:
    """Recruiter A: 8 submissions, 6 reached interviewing, 4 hired (one refunded)."""
    s, sc, i, o = Stage.SUBMITTED, Stage.SCREENING, Stage.INTERVIEWING, Stage.OFFER
    usd = {"fee": Money(amount=2_000_00, currency="USD"),
           "recruiter_share": Money(amount=1_000_00, currency="USD")}  # fmt: skip
    plans: list[tuple[list[Stage], PaymentStatus | None, dict[str, Any]]] = [
        ([s], None, {}),
        ([s, sc, Stage.REJECTED], None, {}),  # rejected before interviewing
        ([s, sc, i], None, {}),
        ([s, sc, i, Stage.REJECTED], None, {}),  # interviewed, then rejected
        ([s, sc, i, o, Stage.HIRED], PaymentStatus.UNPAID, {}),
        ([s, sc, i, o, Stage.HIRED], PaymentStatus.PROCESSING, usd),
        ([s, sc, i, o, Stage.HIRED], PaymentStatus.PAID, {}),
        ([s, sc, i, o, Stage.HIRED], PaymentStatus.REFUNDED, {}),
    ]
    for stages, status, money in plans:
        candidate = await make_candidate(world.recruiter_a)
        submission = await make_submission(world.job, candidate, stage=stages[-1],
                                           history=_history(*stages))  # fmt: skip
        if status is not None:
            await make_placement(submission, world.job, payment_status=status, **money)
    await make_submission(world.job, world.candidate_b)  # recruiter B's, not counted for A


async def _stats(client: httpx.AsyncClient, token: str, recruiter_id: str) -> dict[str, Any]:
    request = {"query": STATS, "variables": {"id": recruiter_id}}
    headers = {"Authorization": f"Bearer {token}"}
    response = await client.post("/graphql", json=request, headers=headers)
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("who", [RECRUITER_A, "admin"])
async def test_stats_count_the_pipeline_and_sum_fee_shares_per_currency(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any, who: str
) -> None:
    world = await make_world()
    await _pipeline(world)
    token = issuer.admin_token() if who == "admin" else issuer.token(who)

    body = await _stats(anonymous_client, token, global_id("Recruiter", world.recruiter_a))

    assert "errors" not in body
    assert body["data"]["node"]["stats"] == {
        "submissions": 8,
        "interviews": 6,
        "hires": 4,
        "interviewRate": 6 / 8,
        "hireRate": 4 / 8,
        # UNPAID 70 % of 14,000.00 EUR; PROCESSING 1,000.00 USD; REFUNDED counts nowhere
        "feesPending": [{"amount": 9_800_00, "currency": "EUR"},
                        {"amount": 1_000_00, "currency": "USD"}],
        "feesEarned": [{"amount": 9_800_00, "currency": "EUR"}],
    }  # fmt: skip


async def test_a_recruiter_without_work_has_zero_stats(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any
) -> None:
    newcomer = await make_recruiter(sub="auth0|newcomer")

    body = await _stats(anonymous_client, issuer.token("auth0|newcomer"),
                        global_id("Recruiter", newcomer))  # fmt: skip

    assert body["data"]["node"]["stats"] == {
        "submissions": 0, "interviews": 0, "hires": 0, "interviewRate": 0.0, "hireRate": 0.0,
        "feesPending": [], "feesEarned": []}  # fmt: skip


@pytest.mark.parametrize("who", [RECRUITER_B, HR])
async def test_stats_are_forbidden_to_others(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any, who: str
) -> None:
    world = await make_world()
    await _pipeline(world)

    body = await _stats(anonymous_client, issuer.token(who),
                        global_id("Recruiter", world.recruiter_a))  # fmt: skip

    assert body["data"]["node"]["stats"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["node", "stats"]


async def test_stats_of_a_page_of_recruiters_take_one_aggregation_each(
    client: httpx.AsyncClient, mongo_commands: CommandCounter, app: Any
) -> None:
    world = await make_world()
    await _pipeline(world)
    for _ in range(3):
        await make_submission(world.job, await make_candidate(await make_recruiter()))
    mongo_commands.reset()

    response = await client.post("/graphql", json={"query": PAGE})

    nodes = response.json()["data"]["recruiters"]["nodes"]
    assert len(nodes) == 5
    assert sorted(n["stats"]["submissions"] for n in nodes) == [1, 1, 1, 1, 8]
    # one $group over submissions and one over placements, for all five recruiters
    assert mongo_commands.names.count("aggregate") == 2
