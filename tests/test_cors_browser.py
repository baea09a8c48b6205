"""CORS as the two SPAs meet it: real chromium preflights from two allowed origins and one other."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from crowdhire.dev.servers import free_port
from crowdhire.graphql.cors import EXPOSED_RESPONSE_HEADERS
from crowdhire.server import create_app
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.browser_support import OfflineBrowser, offline_chromium, served

# What a SPA's GraphQL client sends: every header here needs the preflight's approval.
SPA_FETCH = """async ([url, token, clientName]) => {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/graphql-response+json, application/json;q=0.9",
        "Authorization": "Bearer " + token,
        "X-Request-ID": "spa-" + clientName,
        "apollographql-client-name": clientName,
        "apollographql-client-version": "1.0.0",
      },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    return { ok: true, status: response.status, requestId: response.headers.get("x-request-id"),
             body: await response.json() };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}"""


class RequestLog:
    """Wraps an ASGI app and notes (method, Origin) of every HTTP request that reaches it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Record, then pass through unchanged."""
        if scope["type"] == "http":
            origin = dict(scope["headers"]).get(b"origin", b"").decode()
            self.seen.append((scope["method"], origin))
        await self.app(scope, receive, send)

    def count(self, method: str, origin: str) -> int:
        """How many requests with that method came from that origin."""
        return self.seen.count((method, origin))


async def blank_page(_: Request) -> HTMLResponse:
    """A SPA's origin: any page will do, the test runs its fetch from there."""
    return HTMLResponse("<!doctype html><title>spa</title>")


@pytest.fixture
async def chromium() -> AsyncIterator[OfflineBrowser]:
    """Debian's headless chromium, loopback only."""
    async with offline_chromium() as browser:
        yield browser


async def test_both_spas_pass_a_cached_preflight_and_a_third_origin_is_refused(
    settings: Settings, chromium: OfflineBrowser, issuer: Issuer
) -> None:
    ports = {name: free_port() for name in ("user", "admin", "other")}
    origins = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    api = create_app(
        settings.model_copy(update={"cors_allow_origins": [origins["user"], origins["admin"]]})
    )
    log = RequestLog(api)
    spa = Starlette(routes=[Route("/", blank_page)])
    answers: dict[str, list[dict[str, Any]]] = {}
    async with served(log) as api_url:
        for name, port in ports.items():
            async with served(spa, port):
                page = await chromium.browser.new_page()
                await page.goto(origins[name] + "/")
                answers[name] = [
                    await page.evaluate(
                        SPA_FETCH, [f"{api_url}/graphql", issuer.admin_token(), name]
                    )
                    for _ in range(2)
                ]
                await page.close()
        await api.state.services.mongo.drop_database(settings.mongodb_db)

    for name in ("user", "admin"):
        for answer in answers[name]:
            assert answer["ok"], answer
            assert answer["status"] == 200
            assert answer["body"]["data"] == {"__typename": "Query"}
            assert answer["requestId"] == f"spa-{name}"  # exposed to the page's script
        assert log.count("OPTIONS", origins[name]) == 1  # the second fetch reused the preflight
        assert log.count("POST", origins[name]) == 2
    assert [answer["ok"] for answer in answers["other"]] == [False, False]
    assert "Failed to fetch" in answers["other"][0]["error"]
    assert log.count("POST", origins["other"]) == 0  # refused at the preflight, never executed
    assert chromium.blocked == []


async def test_the_preflight_names_the_spa_headers_exposed_headers_and_max_age(
    settings: Settings,
) -> None:
    origin = "https://admin.crowdhire.example"
    api = create_app(settings.model_copy(update={"cors_allow_origins": [origin]}))
    async with api.router.lifespan_context(api):
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            preflight = await http.options(
                "/graphql",
                headers={
                    "origin": origin,
                    "access-control-request-method": "POST",
                    "access-control-request-headers": (
                        "authorization,content-type,x-request-id,apollo-require-preflight,"
                        "x-apollo-operation-name,apollographql-client-name"
                    ),
                },
            )
            simple = await http.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"origin": origin}
            )
            unknown = await http.options(
                "/graphql",
                headers={
                    "origin": origin,
                    "access-control-request-method": "POST",
                    "access-control-request-headers": "x-something-else",
                },
            )
        await api.state.services.mongo.drop_database(settings.mongodb_db)

    assert preflight.status_code == 200
    assert preflight.headers["access-control-max-age"] == str(settings.cors_max_age_seconds)
    exposed = {
        h.strip().lower() for h in simple.headers["access-control-expose-headers"].split(",")
    }
    assert exposed == {h.lower() for h in EXPOSED_RESPONSE_HEADERS}
    assert {"x-request-id", "retry-after", "x-ratelimit-remaining"} <= exposed
    assert "origin" in simple.headers["vary"].lower()
    assert unknown.status_code == 400
