"""The webhook mutations leave no stale cached answer.

The other mutations are covered by tests/test_cache_staleness.py, which lists these five. The
reads are what an owner's integration page shows (its endpoints and their deliveries) and the
admins' audit trail; after each mutation both answer what a server without the response cache
answers, and the endpoint listing shows the change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from bson import ObjectId

from crowdhire.models.events import EventType
from crowdhire.server import Services
from tests.auth_support import Issuer
from tests.cache_staleness_support import AUDIT
from tests.conftest import AppFactory
from tests.staleness_checks import Reads, check_answers, store_answers
from tests.support import global_id, gql
from tests.test_webhook_endpoints import (
    DELETE,
    ENDPOINTS,
    FAST,
    OWNER,
    REDELIVER,
    ROTATE,
    UPDATE,
    create,
    deliver_all,
    owned_company,
)
from tests.webhook_support import Receiver, running_receiver, write_event


@pytest.fixture
async def cached(
    app_factory: AppFactory,
) -> AsyncIterator[tuple[Services, httpx.AsyncClient, str]]:
    """The app with the response cache, a receiver on loopback, and its URL."""
    async with (
        app_factory(cache_timeout_ms=1000, **FAST) as (app, http),
        running_receiver(Receiver()) as receiver,
    ):
        yield app.state.services, http, receiver.url


Mutation = Callable[[httpx.AsyncClient, str, dict[str, Any]], Awaitable[dict[str, Any]]]


async def _create(http: httpx.AsyncClient, token: str, ids: dict[str, Any]) -> dict[str, Any]:
    return await create(http, token, companyId=ids["company"], url=ids["url"],
                        eventTypes=["JOB_PUBLISHED"])  # fmt: skip


async def _update(http: httpx.AsyncClient, token: str, ids: dict[str, Any]) -> dict[str, Any]:
    update = {"endpointId": ids["endpoint"], "eventTypes": ["JOB_CLOSED"], "enabled": False}
    body = await gql(http, UPDATE, {"input": update}, as_=token)
    payload: dict[str, Any] = body["data"]["updateWebhookEndpoint"]
    return payload


async def _by_id(document: str, field: str, key: str) -> Mutation:
    async def run(http: httpx.AsyncClient, token: str, ids: dict[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = (await gql(http, document, {"id": ids[key]}, as_=token))["data"][
            field
        ]
        return payload

    return run


async def _mutation(name: str) -> Mutation:
    if name == "createWebhookEndpoint":
        return _create
    if name == "updateWebhookEndpoint":
        return _update
    documents = {
        "rotateWebhookSecret": (ROTATE, "endpoint"),
        "deleteWebhookEndpoint": (DELETE, "endpoint"),
        "redeliverWebhook": (REDELIVER, "delivery"),
    }
    document, key = documents[name]
    return await _by_id(document, name, key)


@pytest.mark.parametrize(
    "name",
    [
        "createWebhookEndpoint",
        "updateWebhookEndpoint",
        "rotateWebhookSecret",
        "deleteWebhookEndpoint",
        "redeliverWebhook",
    ],
)
async def test_no_webhook_mutation_leaves_a_stale_cached_answer(
    name: str,
    cached: tuple[Services, httpx.AsyncClient, str],
    app_factory: AppFactory,
    issuer: Issuer,
) -> None:
    services, http, url = cached
    company = await owned_company()
    owner = issuer.token(OWNER)
    ids: dict[str, Any] = {"company": global_id("Company", company), "url": url}
    if name != "createWebhookEndpoint":
        made = await _create(http, owner, ids)
        ids["endpoint"] = made["webhookEndpoint"]["id"]
        await write_event(EventType.JOB_PUBLISHED, {"job": ObjectId(), "company": company.id})
        await deliver_all(services)
        listed = await gql(http, ENDPOINTS, {"company": ids["company"]}, as_=owner)
        ids["delivery"] = listed["data"]["webhookEndpoints"][0]["deliveries"]["nodes"][0]["id"]
    reads: Reads = [
        (ENDPOINTS, {"company": ids["company"]}, owner),
        (AUDIT, {}, issuer.admin_token()),
    ]
    before = await store_answers(http, reads)

    payload = await (await _mutation(name))(http, owner, ids)

    assert payload["userErrors"] == []
    changed = await check_answers(http, app_factory, reads, before)
    # A rotation changes no listed field (the secrets are never shown); the others do.
    assert changed[0] is (name != "rotateWebhookSecret")
