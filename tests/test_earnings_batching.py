"""Recruiter.earnings for a page of recruiters costs two aggregations, not two per recruiter."""

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
from tests.support import CommandCounter, gql

EARNINGS = (
    "{ recruiters(first: 10) { nodes { displayName earnings { currency pending earned } } } }"
)


async def test_earnings_of_many_recruiters_are_batched(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    job = await make_job(await make_company())
    for n, status in enumerate([PaymentStatus.PAID, PaymentStatus.UNPAID, PaymentStatus.PAID]):
        recruiter = await make_recruiter(display_name=f"R{n}")
        hired = await make_submission(job, await make_candidate(recruiter), stage=Stage.HIRED)
        await make_placement(hired, job, payment_status=status)
    mongo_commands.reset()

    body = await gql(client, EARNINGS)

    by_name = {n["displayName"]: n["earnings"] for n in body["data"]["recruiters"]["nodes"]}
    share = 980_000  # 70 % of a 20 % fee on 70,000.00 EUR
    assert by_name == {
        "R0": [{"currency": "EUR", "pending": 0, "earned": share}],
        "R1": [{"currency": "EUR", "pending": share, "earned": 0}],
        "R2": [{"currency": "EUR", "pending": 0, "earned": share}],
    }
    # recruiters find + one placements and one refunds aggregation for all three
    assert mongo_commands.names.count("aggregate") == 2, mongo_commands.names
