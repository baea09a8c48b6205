"""Error answers stay small: nested literals are not echoed in full, errors are counted out."""

from __future__ import annotations

import httpx

from crowdhire.graphql.error_bounds import MAX_ERRORS, MAX_MESSAGE_CHARS
from crowdhire.models.jobs import JobStatus
from tests.factories import make_company, make_job
from tests.support import error_codes


def nested(depth: int) -> str:
    """An object literal `depth` levels deep (graphql-core pretty-prints it into its message)."""
    return "{a:" * depth + "1" + "}" * depth


async def test_a_small_document_with_nested_literals_gets_a_small_answer(
    anonymous_client: httpx.AsyncClient,
) -> None:
    query = f"{{ jobs(first: {nested(80)}) {{ totalCount }} }}"
    assert len(query) < 360

    response = await anonymous_client.post("/graphql", json={"query": query})

    body = response.json()
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert all(len(e["message"]) <= MAX_MESSAGE_CHARS for e in body["errors"])
    assert body["errors"][0]["message"].startswith(
        "Int cannot represent non-integer value: { a: { a:"
    )
    assert len(response.content) < 1_000


async def test_errors_past_the_cap_are_counted_in_one_error(
    anonymous_client: httpx.AsyncClient,
) -> None:
    company = await make_company()
    for i in range(MAX_ERRORS + 7):
        await make_job(company, title=f"Job {i}", status=JobStatus.OPEN)
    query = "{ jobs(first: 50) { nodes { title feeTerms { percent } } } }"

    body = (await anonymous_client.post("/graphql", json={"query": query})).json()

    assert len(body["data"]["jobs"]["nodes"]) == MAX_ERRORS + 7
    assert error_codes(body) == ["FORBIDDEN"] * MAX_ERRORS + ["TOO_MANY_ERRORS"]
    assert body["errors"][-1]["message"] == "7 more errors were left out"
    assert body["errors"][-1]["extensions"]["count"] == 7
