"""Well-typed input at the edges of what MongoDB and the calendar hold: typed errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crowdhire.models import Placement
from crowdhire.models.submissions import Stage
from tests.auth_support import Issuer
from tests.factories import make_submission
from tests.support import codes, error_codes, global_id, gql
from tests.workflow_support import HR, make_world

JOBS = "query($filter: JobFilter) { jobs(filter: $filter) { nodes { id } } }"
AUDIT = "query($filter: AuditEventFilter) { auditEvents(filter: $filter) { nodes { id } } }"
HIRE = """mutation($input: HireSubmissionInput!) { hireSubmission(input: $input) {
  placement { id } userErrors { field code message } } }"""
FAR_EAST_YEAR_ONE = "0001-01-01T00:00:00+14:00"


def bad_input_argument(body: dict[str, Any]) -> str:
    """The argument a single BAD_USER_INPUT error names."""
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    assert "Unexpected error" not in str(body)
    argument: str = body["errors"][0]["extensions"]["argument"]
    return argument


@pytest.mark.parametrize(
    ("filter_", "argument"),
    [
        ({"location": "\u0000"}, "filter.location"),
        ({"text": "python\u0000"}, "filter.text"),
        ({"createdAfter": FAR_EAST_YEAR_ONE}, "filter.createdAfter"),
        ({"createdBefore": "9999-12-31T23:59:59-14:00"}, "filter.createdBefore"),
    ],
)
async def test_job_filters_at_the_edges_are_bad_user_input(
    client: httpx.AsyncClient, filter_: dict[str, Any], argument: str
) -> None:
    response = await client.post("/graphql", json={"query": JOBS, "variables": {"filter": filter_}})
    assert bad_input_argument(response.json()) == argument


@pytest.mark.parametrize("field", ["after", "before"])
async def test_audit_filter_dates_out_of_range_are_bad_user_input(
    client: httpx.AsyncClient, field: str
) -> None:
    variables = {"filter": {field: FAR_EAST_YEAR_ONE}}
    response = await client.post("/graphql", json={"query": AUDIT, "variables": variables})
    assert bad_input_argument(response.json()) == f"filter.{field}"


async def test_a_hire_starting_on_the_last_calendar_day_is_an_input_error(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Any
) -> None:
    world = await make_world()
    submission = await make_submission(world.job, world.candidate_a, stage=Stage.OFFER)
    hire = {"id": global_id("Submission", submission), "startDate": "9999-12-31",
            "annualSalary": {"amount": 75_000_00, "currency": "EUR"}}  # fmt: skip

    data = (await gql(anonymous_client, HIRE, {"input": hire}, as_=issuer.token(HR)))["data"]

    assert codes(data["hireSubmission"]) == [(["startDate"], "INVALID_INPUT")]
    assert data["hireSubmission"]["placement"] is None
    assert await Placement.find_all().count() == 0
    retried = {"input": hire | {"startDate": "2026-05-01"}}
    body = await gql(anonymous_client, HIRE, retried, as_=issuer.token(HR))
    assert body["data"]["hireSubmission"]["userErrors"] == []
