"""Schema-driven fuzzing (hypothesis-graphql) of every query and mutation against the real app."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, IntValueNode, StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, queries

from crowdhire.graphql.schema import build_schema
from tests.conftest import AppFactory
from tests.factories import make_jobs_page_graph

SCHEMA: GraphQLSchema = build_schema()._schema
SCALARS = {
    "Date": st.dates().map(lambda d: StringValueNode(value=d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: StringValueNode(value=d.isoformat() + "Z")),
    "JSON": st.one_of(
        st.text(max_size=20).map(lambda t: StringValueNode(value=t)),
        st.integers(-(2**31), 2**31 - 1).map(lambda i: IntValueNode(value=str(i))),
    ),
}
LEAKS = re.compile(
    r"Traceback|File \"|NoneType|object has no attribute|pymongo|bson|pydantic|KeyError|"
    r"TypeError|ValueError|AttributeError|/work/|site-packages",
    re.IGNORECASE,
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.fixture
async def fuzz_client(app_factory: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    """An app with a little data and a budget the fuzzer cannot exhaust."""
    async with app_factory(cost_budget_points=10**9) as (_, client):
        await make_jobs_page_graph(3, 2)
        yield client


async def check(client: httpx.AsyncClient, document: str) -> None:
    """The observable rules every answer must keep, whatever the document."""
    response = await client.post("/graphql", json={"query": document})
    assert response.status_code < 500, (document, response.text)
    body: dict[str, Any] = response.json()
    assert "data" in body or "errors" in body
    assert not LEAKS.search(response.text), (document, response.text)
    for error in body.get("errors", []):
        code = error.get("extensions", {}).get("code")
        assert code != "INTERNAL_SERVER_ERROR", (document, error)


@FUZZ
@given(document=queries(SCHEMA, custom_scalars=SCALARS))
async def test_fuzzed_queries_never_fail_unexpectedly(
    fuzz_client: httpx.AsyncClient, document: str
) -> None:
    await check(fuzz_client, document)


@FUZZ
@given(document=mutations(SCHEMA, custom_scalars=SCALARS))
async def test_fuzzed_mutations_never_fail_unexpectedly(
    fuzz_client: httpx.AsyncClient, document: str
) -> None:
    await check(fuzz_client, document)
