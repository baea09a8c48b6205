"""hireSubmission and recordPlacementDeparture: server-side fees, one transaction, refunds."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest
from bson import ObjectId

from crowdhire.models import AuditEvent, Job, Placement, Submission
from crowdhire.models.common import Money
from crowdhire.models.jobs import FeeTerms, JobStatus
from crowdhire.models.submissions import Stage
from crowdhire.schema.ids import encode_global_id
from tests.auth_support import Issuer
from tests.factories import make_candidate, make_placement, make_submission
from tests.support import codes, global_id, gql
from tests.workflow_support import HR, OTHER_HR, RECRUITER_A, RECRUITER_B, World
from tests.workflow_support import make_world as _make_world

HIRE = """mutation($input: HireSubmissionInput!) {
  hireSubmission(input: $input) {
    submission { stage history { fromStage toStage actor } }
    placement { startDate guaranteeEndDate paymentStatus annualSalary { amount currency }
                fee { amount currency } recruiterShare { amount currency } }
    userErrors { field code message }
  }
}"""
DEPART = """mutation($input: RecordPlacementDepartureInput!) {
  recordPlacementDeparture(input: $input) {
    placement { departureDate refundDue { amount currency } }
    userErrors { field code message }
  }
}"""
JOB_STATUS = "query($id: ID!) { node(id: $id) { ... on Job { status } } }"
PLACEMENT = """query($id: ID!) { node(id: $id) { ... on Placement {
  departureDate refundDue { amount currency } } } }"""


async def make_world(**job_fields: Any) -> World:
    """The shared world, created inside a test (the app fixture must be running)."""
    return await _make_world(**job_fields)


async def at_offer(world: World) -> Submission:
    """Candidate A's submission to the world's job, at OFFER."""
    return await make_submission(world.job, world.candidate_a, stage=Stage.OFFER)


def hire_input(submission: Submission, **overrides: Any) -> dict[str, Any]:
    """hireSubmission's input: a 75,000.00 EUR salary starting 2026-05-01."""
    return {"id": global_id("Submission", submission), "startDate": "2026-05-01",
            "annualSalary": {"amount": 75_000_00, "currency": "EUR"}, **overrides}  # fmt: skip


async def test_hire_computes_fee_share_and_guarantee_on_the_server(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any
) -> None:
    world = await make_world(openings=2)
    submission = await at_offer(world)

    data = (
        await gql(
            anonymous_client,
            HIRE,
            variables={"input": hire_input(submission)},
            as_=issuer.token(HR),
        )
    )["data"]

    payload = data["hireSubmission"]
    assert payload["userErrors"] == []
    assert payload["placement"] == {
        "startDate": "2026-05-01",
        "guaranteeEndDate": "2026-07-30",  # + 90 guarantee days
        "paymentStatus": "UNPAID",
        "annualSalary": {"amount": 75_000_00, "currency": "EUR"},
        "fee": {"amount": 15_000_00, "currency": "EUR"},  # 20 % of the salary
        "recruiterShare": {"amount": 10_500_00, "currency": "EUR"},  # 70 % of the fee
    }
    assert payload["submission"]["stage"] == "HIRED"
    assert payload["submission"]["history"][-1] == {
        "fromStage": "OFFER", "toStage": "HIRED", "actor": HR}  # fmt: skip
    job = await Job.get(world.job.id)
    assert job is not None and job.status is JobStatus.OPEN  # one of two openings filled
    placement = await Placement.find_one({"submission_id": submission.id})
    assert placement is not None and placement.recruiter_id == world.recruiter_a.id
    events = await AuditEvent.find({"action": "hireSubmission"}).to_list()
    assert [e.actor_sub for e in events] == [HR]
    assert events[0].targets["placement"] == str(placement.id)
    assert "7500000" not in str(events[0].model_dump())


async def test_flat_fee_in_the_fee_currency_with_the_jobs_share(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any
) -> None:
    terms = FeeTerms(flat_amount=5_000_00, currency="USD", guarantee_days=30,
                     recruiter_share_percent=60)  # fmt: skip
    world = await make_world(salary=None, fee_terms=terms)
    request = hire_input(await at_offer(world),
                         annualSalary={"amount": 90_000_00, "currency": "CHF"})  # fmt: skip

    hr = issuer.token(HR)
    data = (await gql(anonymous_client, HIRE, variables={"input": request}, as_=hr))["data"]

    placement = data["hireSubmission"]["placement"]
    assert placement["fee"] == {"amount": 5_000_00, "currency": "USD"}
    assert placement["recruiterShare"] == {"amount": 3_000_00, "currency": "USD"}
    assert placement["guaranteeEndDate"] == "2026-05-31"


async def test_filling_the_last_opening_marks_the_job_filled_on_the_next_read(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any
) -> None:
    world = await make_world(openings=1)
    hr, job_id = issuer.token(HR), global_id("Job", world.job)
    before = (await gql(anonymous_client, JOB_STATUS, variables={"id": job_id}, as_=hr))[
        "data"
    ]  # warms the cache

    data = (
        await gql(
            anonymous_client, HIRE, variables={"input": hire_input(await at_offer(world))}, as_=hr
        )
    )["data"]
    after = (await gql(anonymous_client, JOB_STATUS, variables={"id": job_id}, as_=hr))["data"]

    assert data["hireSubmission"]["userErrors"] == []
    assert before["node"]["status"] == "OPEN"
    assert after["node"]["status"] == "FILLED"


async def test_concurrent_hires_for_the_last_openings_never_overfill_the_job(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any
) -> None:
    world = await make_world(openings=2)
    candidates = [world.candidate_a, world.candidate_b]
    candidates += [await make_candidate(world.recruiter_b) for _ in range(4)]
    offers = [await make_submission(world.job, c, stage=Stage.OFFER) for c in candidates]

    results = await asyncio.gather(
        *(
            gql(anonymous_client, HIRE, variables={"input": hire_input(s)}, as_=issuer.token(HR))
            for s in offers
        )
    )

    errors = sorted(str(codes(r["data"]["hireSubmission"])) for r in results)
    assert errors == ["[(['id'], 'NO_OPENINGS_LEFT')]"] * 4 + ["[]"] * 2
    assert await Placement.find({"job_id": world.job.id}).count() == 2
    assert await Submission.find({"stage": Stage.HIRED.value}).count() == 2
    job = await Job.get(world.job.id)
    assert job is not None and job.status is JobStatus.FILLED


@pytest.mark.parametrize(
    ("who", "case", "field", "code"),
    [
        (None, "plain", [], "UNAUTHENTICATED"),
        (RECRUITER_A, "plain", ["id"], "FORBIDDEN"),
        ("admin", "plain", ["id"], "FORBIDDEN"),
        (OTHER_HR, "plain", ["id"], "NOT_FOUND"),
        (RECRUITER_B, "plain", ["id"], "NOT_FOUND"),
        (HR, "missing", ["id"], "NOT_FOUND"),
        (HR, "bad-id", ["id"], "INVALID_INPUT"),
        (HR, "zero-salary", ["annualSalary", "amount"], "INVALID_INPUT"),
        (HR, "bad-currency", ["annualSalary", "currency"], "INVALID_INPUT"),
        (HR, "not-at-offer", ["id"], "ILLEGAL_TRANSITION"),
        (HR, "other-currency", ["annualSalary", "currency"], "CURRENCY_MISMATCH"),
        (HR, "no-openings", ["id"], "NO_OPENINGS_LEFT"),
    ],
)
async def test_hire_user_errors_change_nothing(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    app: Any,
    who: str | None,
    case: str,
    field: list[str],
    code: str,
) -> None:
    world = await make_world(openings=1)
    submission = await at_offer(world)
    request = hire_input(submission)
    if case == "missing":
        request["id"] = encode_global_id("Submission", ObjectId())
    elif case == "bad-id":
        request["id"] = "garbage"
    elif case == "zero-salary":
        request["annualSalary"] = {"amount": 0, "currency": "EUR"}
    elif case == "bad-currency":
        request["annualSalary"] = {"amount": 1, "currency": "eur"}
    elif case == "other-currency":
        request["annualSalary"] = {"amount": 75_000_00, "currency": "USD"}
    elif case == "not-at-offer":
        await submission.set({"stage": Stage.INTERVIEWING.value})
    elif case == "no-openings":
        other = await make_submission(world.job, await make_candidate(world.recruiter_b),
                                      stage=Stage.HIRED)  # fmt: skip
        await make_placement(other, world.job)
    placements_before = await Placement.find_all().count()

    data = (
        await gql(
            anonymous_client, HIRE, variables={"input": request}, as_=world.token(issuer, who)
        )
    )["data"]

    assert codes(data["hireSubmission"]) == [(field, code)]
    assert data["hireSubmission"]["placement"] is None
    assert await Placement.find_all().count() == placements_before
    stored = await Submission.get(submission.id)
    assert stored is not None and stored.stage in {Stage.OFFER, Stage.INTERVIEWING}
    assert len(stored.history) == 1
    assert await AuditEvent.find_all().count() == 0


async def _nothing_left_behind(world: World, submission: Submission, placements: int) -> None:
    stored = await Submission.get(submission.id)
    assert stored is not None and stored.stage is Stage.OFFER and len(stored.history) == 1
    assert await Placement.find_all().count() == placements
    job = await Job.get(world.job.id)
    assert job is not None and job.status is JobStatus.OPEN
    assert await AuditEvent.find_all().count() == 0


async def test_a_unique_violation_halfway_rolls_the_whole_hire_back(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any
) -> None:
    world = await make_world(openings=2)
    submission = await at_offer(world)
    await make_placement(submission, world.job)  # the placement insert will collide

    data = (
        await gql(
            anonymous_client,
            HIRE,
            variables={"input": hire_input(submission)},
            as_=issuer.token(HR),
        )
    )["data"]

    assert codes(data["hireSubmission"]) == [(["id"], "ALREADY_HIRED")]
    await _nothing_left_behind(world, submission, placements=1)


async def test_a_server_side_write_failure_halfway_leaves_nothing_behind(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any
) -> None:
    world = await make_world(openings=1)
    submission = await at_offer(world)
    database = Placement.get_pymongo_collection().database
    # MongoDB itself refuses every placement insert: the submission was already written by then
    await database.command("collMod", "placements",
                           validator={"$jsonSchema": {"required": ["no_such_field"]}})  # fmt: skip
    headers = {"Authorization": f"Bearer {issuer.token(HR)}"}

    response = await anonymous_client.post(
        "/graphql", json={"query": HIRE, "variables": {"input": hire_input(submission)}},
        headers=headers,
    )  # fmt: skip

    body = response.json()
    assert body["errors"][0]["message"] == "Unexpected error"
    assert "placements" not in response.text and "no_such_field" not in response.text
    await _nothing_left_behind(world, submission, placements=0)


async def test_hire_retry_with_client_mutation_id_returns_the_same_placement(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any
) -> None:
    world = await make_world(openings=3)
    keyed = {**hire_input(await at_offer(world)), "clientMutationId": "hire-1"}

    hr = issuer.token(HR)
    first = (await gql(anonymous_client, HIRE, variables={"input": keyed}, as_=hr))["data"]
    retry = (await gql(anonymous_client, HIRE, variables={"input": keyed}, as_=hr))["data"]

    assert first["hireSubmission"]["userErrors"] == []
    assert retry == first
    assert await Placement.find_all().count() == 1


async def _placement(world: World, **fields: Any) -> Placement:
    """A placement starting 2026-03-01 with a 90-day guarantee (ends 2026-05-30), fee 14,000.00."""
    submission = await make_submission(world.job, world.candidate_a, stage=Stage.HIRED)
    return await make_placement(submission, world.job, **fields)


@pytest.mark.parametrize(
    ("departure", "refund"),
    [
        ("2026-03-01", 14_000_00),  # first day: everything back
        ("2026-03-31", 9_333_33),  # 60 of 90 days left: 933,333.33 cents, rounded
        ("2026-05-30", 0),  # the guarantee's last day: nothing back
    ],
)
async def test_departure_inside_the_guarantee_stores_the_prorated_refund(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any, departure: str, refund: int
) -> None:
    world = await make_world()
    placement = await _placement(world)
    hr, placement_id = issuer.token(HR), global_id("Placement", placement)
    before = (await gql(anonymous_client, PLACEMENT, variables={"id": placement_id}, as_=hr))[
        "data"
    ]  # warms the cache

    data = (
        await gql(
            anonymous_client,
            DEPART,
            variables={"input": {"placementId": placement_id, "date": departure}},
            as_=hr,
        )
    )["data"]
    after = (await gql(anonymous_client, PLACEMENT, variables={"id": placement_id}, as_=hr))["data"]

    assert before["node"] == {"departureDate": None, "refundDue": None}
    expected = {"departureDate": departure, "refundDue": {"amount": refund, "currency": "EUR"}}
    assert data["recordPlacementDeparture"] == {"placement": expected, "userErrors": []}
    assert after["node"] == expected
    events = await AuditEvent.find({"action": "recordPlacementDeparture"}).to_list()
    assert [e.changed_fields for e in events] == [["departure_date", "refund_due"]]


async def test_refund_rounds_half_up_to_a_minor_unit(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any
) -> None:
    world = await make_world()
    placement = await _placement(world, fee=Money(amount=100, currency="EUR"),
                                 guarantee_end_date=date(2026, 3, 9))  # 8 days  # fmt: skip

    data = (
        await gql(
            anonymous_client,
            DEPART,
            variables={
                "input": {"placementId": global_id("Placement", placement), "date": "2026-03-08"}
            },
            as_=issuer.admin_token(),
        )
    )["data"]

    # 100 * 1 / 8 = 12.5, rounded half up to 13
    assert data["recordPlacementDeparture"]["placement"]["refundDue"]["amount"] == 13


@pytest.mark.parametrize(
    ("who", "case", "field", "code"),
    [
        (None, "plain", [], "UNAUTHENTICATED"),
        (RECRUITER_A, "plain", ["placementId"], "FORBIDDEN"),
        (OTHER_HR, "plain", ["placementId"], "NOT_FOUND"),
        (HR, "missing", ["placementId"], "NOT_FOUND"),
        (HR, "bad-id", ["placementId"], "INVALID_INPUT"),
        (HR, "before-start", ["date"], "INVALID_INPUT"),
        (HR, "after-guarantee", ["date"], "OUTSIDE_GUARANTEE"),
        ("admin", "recorded", ["placementId"], "DEPARTURE_ALREADY_RECORDED"),
    ],
)
async def test_departure_user_errors_change_nothing(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    app: Any,
    who: str | None,
    case: str,
    field: list[str],
    code: str,
) -> None:
    world = await make_world()
    placement = await _placement(world)
    request = {"placementId": global_id("Placement", placement), "date": "2026-04-01"}
    if case == "missing":
        request["placementId"] = encode_global_id("Placement", ObjectId())
    elif case == "bad-id":
        request["placementId"] = global_id("Job", world.job)
    elif case == "before-start":
        request["date"] = "2026-02-28"
    elif case == "after-guarantee":
        request["date"] = "2026-05-31"
    elif case == "recorded":
        placement.departure_date = date(2026, 3, 15)
        await placement.save()
    stored_before = await Placement.get_pymongo_collection().find_one({"_id": placement.id})

    data = (
        await gql(
            anonymous_client, DEPART, variables={"input": request}, as_=world.token(issuer, who)
        )
    )["data"]

    assert codes(data["recordPlacementDeparture"]) == [(field, code)]
    assert data["recordPlacementDeparture"]["placement"] is None
    stored = await Placement.get_pymongo_collection().find_one({"_id": placement.id})
    assert stored == stored_before
    assert await AuditEvent.find_all().count() == 0
