"""Static query cost, the per-query cap, and the per-identity budget shared through memcached."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from graphql import parse
from starlette.applications import Starlette

from crowdhire.dev.servers import free_port
from crowdhire.graphql.cost import query_cost, query_work
from crowdhire.graphql.schema import build_schema
from crowdhire.server import create_app
from crowdhire.settings import Settings
from tests.support import CommandCounter, error_codes

SCHEMA = build_schema()._schema
CHEAP = "{ jobs { nodes { title } } }"  # 16 + 5 (one batch) + 0.4 * 21 objects = 29.4 -> 30


def cost(query: str, **variables: Any) -> int:
    """The static cost of a document."""
    return query_cost(SCHEMA, parse(query), None, variables)


def work(query: str, **variables: Any) -> tuple[int, int]:
    """Loader batches and objects a document may cause."""
    counted = query_work(SCHEMA, parse(query), None, variables)
    return counted.batches, counted.objects


def test_work_of_known_queries() -> None:
    assert work("{ __typename jobs { totalCount } }") == (1, 1)
    assert work(CHEAP) == (1, 21) and cost(CHEAP) == 30
    query = "{ jobs(first: 10) { edges { node { company { name } } } pageInfo { hasNextPage } } }"
    assert work(query) == (2, 1 + 10 * 3 + 1)
    query = "{ jobs(last: 5) { nodes { submissions(first: 3) { nodes { stage } } } } }"
    assert work(query) == (2, 1 + 5 * (1 + 1 + 3))
    assert work("query($n: Int = 5) { jobs(first: $n) { nodes { id } } }") == (1, 6)
    assert work("query($n: Int = 5) { jobs(first: $n) { nodes { id } } }", n=7) == (1, 8)
    assert work('{ nodes(ids: ["a", "b", "c"]) { id } }') == (1, 3)
    assert work("{ jobs(first: 1000) { nodes { id } } }") == (1, 101)  # capped like the resolvers
    fragment = "fragment J on Job { company { name } } "
    assert work(fragment + "{ jobs(first: 4) { nodes { ...J ... on Job { title } } } }") == (2, 9)


def test_page_sizes_are_priced_as_the_resolver_reads_them() -> None:
    query = "query($n: Int) { jobs(first: $n) { nodes { id } } }"
    assert (
        cost(query, n=100.0) == cost(query, n=100) == cost("{ jobs(first: 100) { nodes { id } } }")
    )
    assert cost(query, n=None) == cost("{ jobs { nodes { id } } }")  # null: the default 20
    # what the estimator cannot read is priced at the maximum, never the default
    assert work(query, n="many") == work(query, n=2.5) == work(query, n=True) == (1, 101)
    assert work("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids="x") == (1, 100)


def test_readme_jobs_page_costs() -> None:
    page = """{ jobs(first: 50, filter: { status: [OPEN] }) { totalCount
      edges { cursor node { title company { name } submissions(first: 10) {
        totalCount nodes { stage candidate { fullName skills } recruiter { displayName } } } } }
      pageInfo { hasNextPage endCursor } } }"""
    assert work(page) == (5, 1 + 50 * (1 + 1 + 1 + (1 + 10 * 3)) + 1)
    assert cost(page) == 722  # 16 + 5 * 5 + 0.4 * 1702, rounded up


def within(k: int, m: int) -> str:
    """A document with 3 loader batches and 1 + k * (3 + m) objects."""
    inner = f"company {{ jobs(first: {m}) {{ nodes {{ id }} }} }}"
    return f"{{ jobs(first: {k}) {{ nodes {{ {inner} }} }} }}"


async def test_a_thousand_points_run_one_more_is_refused_unexecuted(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    assert cost(within(44, 52)) == 1000 and cost(within(24, 98)) == 1001
    response = await client.post("/graphql", json={"query": within(44, 52)})
    assert "errors" not in response.json()
    assert response.json()["extensions"]["cost"]["requested"] == 1000

    mongo_commands.reset()
    response = await client.post("/graphql", json={"query": within(24, 98)})
    body = response.json()
    assert response.status_code == 200 and body["data"] is None
    assert error_codes(body) == ["COST_LIMIT_EXCEEDED"]
    assert body["errors"][0]["extensions"]["cost"] == 1001
    assert body["extensions"]["cost"]["requested"] == 0
    assert mongo_commands.count == 0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # a window boundary (divisible by 60)

    def __call__(self) -> float:
        """Seconds since the epoch."""
        return self.now


Started = Callable[..., Any]


@pytest.fixture
def start(settings: Settings, mongo_commands: CommandCounter) -> Started:
    """Start apps on the session's servers with a given clock and setting overrides."""

    @asynccontextmanager
    async def run(
        clock: Clock, **overrides: Any
    ) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
        app: Starlette = create_app(
            settings.model_copy(update=overrides), mongo_listeners=[mongo_commands], clock=clock
        )
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield app, client

    return run


async def test_budget_exhaustion_answers_429_then_resets(
    start: Started, mongo_commands: CommandCounter
) -> None:
    clock = Clock()
    async with start(clock, cost_budget_points=80) as (_, client):
        first = (await client.post("/graphql", json={"query": CHEAP})).json()
        assert first["extensions"]["cost"] == {
            "requested": 30, "limit": 80, "remaining": 50, "resetAt": "2027-01-15T08:01:00Z"
        }  # fmt: skip
        await client.post("/graphql", json={"query": CHEAP})
        clock.now += 15
        mongo_commands.reset()
        refused = await client.post("/graphql", json={"query": CHEAP})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "45"
        assert error_codes(refused.json()) == ["RATE_LIMITED"]
        assert refused.json()["data"] is None
        assert refused.json()["extensions"]["cost"]["remaining"] == 20
        assert mongo_commands.count == 0

        clock.now += 45
        again = await client.post("/graphql", json={"query": CHEAP})
        assert again.status_code == 200 and "errors" not in again.json()
        assert again.json()["extensions"]["cost"]["remaining"] == 50


async def test_budget_is_per_identity(start: Started) -> None:
    async with start(Clock(), cost_budget_points=30) as (app, client):
        await client.post("/graphql", json={"query": CHEAP})
        refused = await client.post("/graphql", json={"query": CHEAP})
        assert refused.status_code == 429
        other = httpx.ASGITransport(app=app, client=("10.0.0.7", 1234))
        async with httpx.AsyncClient(transport=other, base_url="http://test") as elsewhere:
            assert (await elsewhere.post("/graphql", json={"query": CHEAP})).status_code == 200


async def test_two_app_instances_share_one_budget_through_memcached(start: Started) -> None:
    clock = Clock()
    # Sharing is what is tested, not an outage: on a loaded machine a 50 ms memcached timeout
    # fires and each replica rightly falls back to its own ledger, so give memcached a second.
    shared = {"cost_budget_points": 80, "cache_timeout_ms": 1000}
    async with (
        start(clock, **shared) as (app_one, one),
        start(clock, **shared) as (app_two, two),
    ):
        assert (await one.post("/graphql", json={"query": CHEAP})).status_code == 200
        await app_one.state.budget.ledger.settle()
        assert (await two.post("/graphql", json={"query": CHEAP})).status_code == 200
        await app_two.state.budget.ledger.settle()
        free = await two.post("/graphql", json={"query": "{ __typename }"})
        cost = free.json()["extensions"]["cost"]
        assert cost["remaining"] == 80 - 30 - 30 - cost["requested"]  # one's 30 points too
        # `one` charges its own ledger without a round trip: it has not heard of `two`'s
        # request yet, so one more fits (the overshoot is bounded by one query per replica)...
        assert (await one.post("/graphql", json={"query": CHEAP})).status_code == 200
        await app_one.state.budget.ledger.settle()
        # ...and once memcached answered, both replicas refuse
        assert (await one.post("/graphql", json={"query": CHEAP})).status_code == 429
        assert (await two.post("/graphql", json={"query": CHEAP})).status_code == 429


async def test_budget_holds_per_process_when_memcached_is_down(start: Started) -> None:
    down = f"127.0.0.1:{free_port()}"  # nothing listens there
    async with start(Clock(), cost_budget_points=50, memcached_url=down) as (_, client):
        first = await client.post("/graphql", json={"query": CHEAP})
        assert first.status_code == 200 and "errors" not in first.json()
        assert first.json()["extensions"]["cost"]["remaining"] == 20
        for _ in range(2):
            refused = await client.post("/graphql", json={"query": CHEAP})
            assert refused.status_code == 429
            assert refused.json()["extensions"]["cost"]["remaining"] == 20


async def test_every_response_carries_cost(client: httpx.AsyncClient) -> None:
    for query in [CHEAP, "{ nope }", "{ jobs(first: 1000) { totalCount } }", "{"]:
        body = (await client.post("/graphql", json={"query": query})).json()
        assert set(body["extensions"]["cost"]) == {"requested", "limit", "remaining", "resetAt"}
