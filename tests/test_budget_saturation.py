"""The budget holds when memcached answers late: requests are charged without waiting for it."""

from __future__ import annotations

import asyncio
import logging

import pytest

from crowdhire.dev.servers import MemcachedServer
from tests.conftest import AppFactory

CHEAP = "{ jobs { nodes { title } } }"  # 21 points


async def test_budget_holds_while_memcached_is_frozen_and_reconciles_after(
    app_factory: AppFactory, memcached_server: MemcachedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="crowdhire.budget")
    overrides = {"memcached_url": memcached_server.address, "cost_budget_points": 100}
    async with app_factory(**overrides) as (app, client):
        warm = await client.post("/graphql", json={"query": CHEAP})
        assert warm.json()["extensions"]["cost"]["remaining"] == 79
        await app.state.budget.ledger.settle()

        memcached_server.pause()  # the kernel accepts, nothing answers: every call times out
        try:
            burst = await asyncio.gather(
                *(client.post("/graphql", json={"query": CHEAP}) for _ in range(10))
            )
        finally:
            memcached_server.resume()

        # 21 confirmed + at most half the budget unconfirmed (50): two more fit, eight wait
        statuses = sorted(response.status_code for response in burst)
        assert statuses == [200] * 2 + [429] * 8
        assert all(r.json()["extensions"]["cost"]["remaining"] is not None for r in burst)
        assert {r.headers["retry-after"] for r in burst if r.status_code == 429} == {"1"}

        await app.state.budget.ledger.settle()  # memcached answers again: the 42 points land
        after = await client.post("/graphql", json={"query": CHEAP})
        assert after.status_code == 200
        assert after.json()["extensions"]["cost"]["remaining"] == 100 - 4 * 21
    assert not any("not enforced" in record.getMessage() for record in caplog.records)
