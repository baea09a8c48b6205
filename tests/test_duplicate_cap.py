"""DUPLICATE_CANDIDATE answers are capped per recruiter and UTC day, lower for new recruiters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from prometheus_client import REGISTRY

from crowdhire.models import AuditEvent, Candidate
from crowdhire.models.common import utcnow
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import (
    make_candidate,
    make_company,
    make_job,
    make_placement,
    make_recruiter,
    make_submission,
)
from tests.support import gql

CREATE = """mutation($input: CreateCandidateInput!) { createCandidate(input: $input) {
  candidate { id } userErrors { field code message } } }"""
CAPS = {"duplicate_answers_per_day": 3, "duplicate_answers_per_day_new": 2}


def answered() -> float:
    """DUPLICATE_CANDIDATE answers counted in /metrics so far (this process)."""
    value = REGISTRY.get_sample_value(
        "crowdhire_duplicate_candidate_answers_total", {"outcome": "answered"}
    )
    return value or 0.0


async def _held_people(count: int) -> list[str]:
    holder = await make_recruiter(sub="auth0|holder")
    emails = [f"staff{i}@employer.test" for i in range(count)]
    for email in emails:
        await make_candidate(holder, email=email, phone=None)
    return emails


async def _probe(client: httpx.AsyncClient, token: str, email: str) -> dict[str, Any]:
    variables = {"input": {"fullName": "Probe", "email": email}}
    return await gql(client, CREATE, variables, as_=token, expect_errors=True)


async def test_an_established_recruiter_gets_three_answers_then_rate_limited(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**CAPS) as (_, first), app_factory(**CAPS) as (_, second):
        emails = await _held_people(5)
        prober = await make_recruiter(sub="auth0|prober", created_at=utcnow() - timedelta(days=90))
        job = await make_job(await make_company())
        placed = await make_submission(job, await make_candidate(prober, email="p@x.test"))
        await make_placement(placed, job)
        token, before = issuer.token("auth0|prober"), answered()

        # three answers, spread over two instances: the count is shared through MongoDB
        instances = [first, second, first]
        answers = [await _probe(client, token, email)
                   for client, email in zip(instances, emails[:3], strict=True)]  # fmt: skip
        refused = await _probe(second, token, emails[3])
        not_a_duplicate = await _probe(first, token, "someone.new@example.test")

    for body in answers:
        errors = body["data"]["createCandidate"]["userErrors"]
        assert [e["code"] for e in errors] == ["DUPLICATE_CANDIDATE"]
    for body in (refused, not_a_duplicate):  # past the cap nothing with an email is answered
        assert body["data"] is None
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["limit"] == 3 and error["extensions"]["retryAfter"] > 0
    assert answered() - before == 3


async def test_a_new_recruiter_gets_the_lower_cap_and_the_cap_is_audited(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**CAPS) as (_, client):
        emails = await _held_people(3)
        await make_recruiter(sub="auth0|newcomer", created_at=utcnow())
        token = issuer.token("auth0|newcomer")

        bodies = [await _probe(client, token, email) for email in emails]
        codes = [b["errors"][0]["extensions"]["code"] if "errors" in b else "answered"
                 for b in bodies]  # fmt: skip
        audits = await AuditEvent.find({"action": "duplicateCandidateCapReached"}).to_list()
        prober_candidates = await Candidate.find({"full_name": "Probe"}).count()

    assert codes == ["answered", "answered", "RATE_LIMITED"]
    assert bodies[2]["errors"][0]["extensions"]["limit"] == 2
    assert [(a.actor_sub, a.action) for a in audits] == [
        ("auth0|newcomer", "duplicateCandidateCapReached")
    ]
    assert prober_candidates == 0
