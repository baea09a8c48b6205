"""The budget holds when memcached answers late: requests are charged without waiting for it."""

from __future__ import annotations

import asyncio
import logging

import pytest

from crowdhire.dev.servers import MemcachedServer
from tests.conftest import AppFactory

CHEAP = "{ jobs { nodes { title } } }"  # 30 points


async def test_budget_holds_while_memcached_is_frozen_and_reconciles_after(
    app_factory: AppFactory, memcached_server: MemcachedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="crowdhire.budget")
    overrides = {"memcached_url": memcached_server.address, "cost_budget_points": 200}
    async with app_factory(**overrides) as (app, client):
        warm = await client.post("/graphql", json={"query": CHEAP})
        assert warm.json()["extensions"]["cost"]["remaining"] == 170
        await app.state.budget.ledger.settle()

        memcached_server.pause()  # the kernel accepts, nothing answers: every call times out
        try:
            burst = await asyncio.gather(
                *(client.post("/graphql", json={"query": CHEAP}) for _ in range(10))
            )
        finally:
            memcached_server.resume()

        # 30 confirmed + at most half the budget unconfirmed (100): three more fit, seven wait
        statuses = sorted(response.status_code for response in burst)
        assert statuses == [200] * 3 + [429] * 7
        assert all(r.json()["extensions"]["cost"]["remaining"] is not None for r in burst)
        assert {r.headers["retry-after"] for r in burst if r.status_code == 429} == {"1"}

        await app.state.budget.ledger.settle()  # memcached answers again: the 90 points land
        after = await client.post("/graphql", json={"query": CHEAP})
        assert after.status_code == 200
        assert after.json()["extensions"]["cost"]["remaining"] == 200 - 5 * 30
    assert not any("not enforced" in record.getMessage() for record in caplog.records)
