"""The cost estimator prices variables as execution will see them, never a guess below it."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import parse

from crowdhire.graphql.cost import query_cost
from crowdhire.graphql.schema import build_schema
from tests.support import error_codes

SCHEMA = build_schema()._schema
PROBE = """query($n: Int) { jobs(first: $n) { nodes { id
  submissions(first: $n) { nodes { id candidate { fullName } } } } } }"""


def cost(query: str, **variables: Any) -> int:
    """The static cost of a document with these (uncoerced, JSON-decoded) variables."""
    return query_cost(SCHEMA, parse(query), None, variables)


def test_a_float_page_size_costs_what_the_int_it_runs_as_costs() -> None:
    assert cost(PROBE, n=100.0) == cost(PROBE, n=100) > 1000


def test_page_sizes_the_estimator_cannot_read_are_priced_at_the_maximum() -> None:
    page = "query($n: Int) { jobs(first: $n) { nodes { id } } }"
    assert cost(page, n="many") == cost(page, n=100)
    assert cost(page, n=[3]) == cost(page, n=100)
    # null and an absent argument are the default page the resolvers use
    assert cost(page, n=None) == cost("{ jobs { nodes { id } } }") == cost(page, n=20)


async def test_the_probe_with_n_100_point_0_is_refused_unexecuted(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json={"query": PROBE, "variables": {"n": 100.0}})
    body = response.json()
    assert error_codes(body) == ["COST_LIMIT_EXCEEDED"]
    assert body["errors"][0]["extensions"]["cost"] == cost(PROBE, n=100)
    assert body["data"] is None
