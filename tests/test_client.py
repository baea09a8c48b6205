"""crowdhire.client (sync and async) and `crowdhire query`, against the real crowdhire app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from crowdhire.client import AsyncClient, Client, GraphQLRequestError
from crowdhire.dev.servers import free_port
from crowdhire.graphql.schema import build_schema
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.factories import make_candidate, make_jobs_page_graph, make_recruiter

JOBS = """
query Jobs($first: Int, $after: String) {
  jobs(first: $first, after: $after) {
    totalCount nodes { id title } pageInfo { hasNextPage endCursor } }
}
"""
JOB_EDGES = """
query JobEdges($after: String) {
  jobs(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }
}
"""
CANDIDATES = "query Candidates { candidates { totalCount } }"


class Wire:
    """The request bodies a client put on the wire (an httpx event hook)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    async def record(self, request: httpx.Request) -> None:
        """Keep the JSON body."""
        self.bodies.append(json.loads(request.content))

    def shapes(self) -> list[tuple[bool, bool]]:
        """(sent the query text, sent a persisted-query hash) per request."""
        return [
            ("query" in b, "persistedQuery" in (b.get("extensions") or {})) for b in self.bodies
        ]


def _in_process(app: Starlette, wire: Wire, token: str | None = None) -> AsyncClient:
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://test",
        event_hooks={"request": [wire.record]},
    )
    return AsyncClient("http://test/graphql", token, http=http)


async def test_async_client_sends_the_hash_first_registers_once_then_sends_hashes_only(
    app: Starlette, issuer: Issuer
) -> None:
    await make_jobs_page_graph(jobs=3, submissions_per_job=1)
    wire = Wire()
    client = _in_process(app, wire, issuer.admin_token())

    first = await client.execute(JOBS, {"first": 2})
    second = await client.execute(JOBS, {"first": 2})

    assert first == second
    assert first["jobs"]["totalCount"] == 3
    # hash only (PERSISTED_QUERY_NOT_FOUND), hash + text (registers), then hash only (a hit)
    assert wire.shapes() == [(False, True), (True, True), (False, True)]
    assert client.persisted_queries is True


async def test_client_falls_back_cleanly_when_the_server_has_no_persisted_queries() -> None:
    # the crowdhire schema behind Strawberry's stock view: a server without APQ
    plain = Starlette(routes=[Route("/graphql", GraphQL(build_schema()))])
    wire = Wire()
    client = _in_process(plain, wire)

    first = await client.execute("query Ping { __typename }")
    second = await client.execute("query Ping { __typename }")

    assert first == second == {"__typename": "Query"}
    # one refused hash-only attempt, then the text every time (no more hashes)
    assert wire.shapes() == [(False, True), (True, False), (True, False)]
    assert client.persisted_queries is False


async def test_errors_are_raised_with_their_graphql_codes(app: Starlette, issuer: Issuer) -> None:
    anonymous = _in_process(app, Wire())
    signed_in = _in_process(app, Wire(), issuer.admin_token())

    with pytest.raises(GraphQLRequestError) as unauthenticated:
        await anonymous.execute(CANDIDATES)
    with pytest.raises(GraphQLRequestError) as bad_cursor:
        await signed_in.execute(JOBS, {"after": "not-a-cursor"})
    with pytest.raises(GraphQLRequestError) as invalid:
        await signed_in.execute("query Nope { jobs { nope } }")

    assert unauthenticated.value.codes == ["UNAUTHENTICATED"]
    assert bad_cursor.value.codes == ["BAD_USER_INPUT"]
    assert bad_cursor.value.errors[0]["extensions"]["argument"] == "after"
    assert invalid.value.codes == ["GRAPHQL_VALIDATION_FAILED"]
    assert (await signed_in.execute(CANDIDATES))["candidates"]["totalCount"] == 0


async def test_async_paginate_walks_every_page_of_a_connection(
    app: Starlette, issuer: Issuer
) -> None:
    await make_jobs_page_graph(jobs=5, submissions_per_job=1)
    client = _in_process(app, Wire(), issuer.admin_token())

    pages = [page async for page in client.paginate(JOBS, "jobs", {"first": 2})]
    edge_pages = [page async for page in client.paginate(JOB_EDGES, "jobs")]

    assert [len(page) for page in pages] == [2, 2, 1]
    ids = [job["id"] for page in pages for job in page]
    assert len(set(ids)) == 5
    assert [job["id"] for page in edge_pages for job in page] == ids


# A real uvicorn for the sync client and the CLI


@pytest.fixture
def live_url(app: Starlette, settings: Settings) -> Iterator[str]:
    """`crowdhire serve` (real uvicorn) on the test's database; `app` seeds and drops it."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MONGODB", "MEMCACHED"))},
        "CROWDHIRE_ENV": "test",
        "PORT": str(port),
        "MONGODB_URI": settings.mongodb_uri or "",
        "MONGODB_DB": settings.mongodb_db,
        "MEMCACHED_URL": settings.memcached_url or "",
        "AUTH0_ISSUER": settings.auth0_issuer or "",
        "AUTH0_JWKS_URL": settings.auth0_jwks_url or "",
        "AUTH0_AUDIENCE": settings.auth0_audience or "",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "crowdhire.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve did not become ready"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.terminate()
        server.wait(60)


async def test_sync_client_executes_and_paginates_against_a_live_server(
    live_url: str, issuer: Issuer
) -> None:
    await make_jobs_page_graph(jobs=5, submissions_per_job=1)

    with Client(live_url, issuer.admin_token()) as client:
        total = client.execute(JOBS, {"first": 1})["jobs"]["totalCount"]
        pages = list(client.paginate(JOBS, "jobs", {"first": 2}))
        with pytest.raises(GraphQLRequestError) as error:
            client.execute(JOBS, {"after": "not-a-cursor"})
    with Client(live_url) as anonymous, pytest.raises(GraphQLRequestError) as refused:
        anonymous.execute(CANDIDATES)

    assert total == 5
    assert [len(page) for page in pages] == [2, 2, 1]
    assert error.value.codes == ["BAD_USER_INPUT"]
    assert refused.value.codes == ["UNAUTHENTICATED"]


async def test_cli_query_prints_json_and_fails_on_errors(
    live_url: str, issuer: Issuer, tmp_path: Path
) -> None:
    recruiter = await make_recruiter()
    await make_candidate(recruiter, full_name="Ada Lovelace")
    document = tmp_path / "candidates.graphql"
    document.write_text("query($first: Int) { candidates(first: $first) { nodes { fullName } } }")
    env = {**os.environ, "CROWDHIRE_TOKEN": issuer.admin_token()}

    def crowdhire(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "crowdhire.cli", "query", *args, "--url", live_url]
        return subprocess.run(
            command, env={**env, **extra}, capture_output=True, text=True, timeout=60
        )

    ok = crowdhire(str(document), "--var", "first=1")
    anonymous = crowdhire(str(document), "--var", "first=1", CROWDHIRE_TOKEN="")
    malformed = crowdhire(str(document), "--var", "first")

    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {
        "data": {"candidates": {"nodes": [{"fullName": "Ada Lovelace"}]}}
    }
    assert anonymous.returncode == 1
    assert [e["extensions"]["code"] for e in json.loads(anonymous.stdout)["errors"]] == [
        "UNAUTHENTICATED"
    ]
    assert malformed.returncode == 2
    assert "--var must look like key=value" in malformed.stderr
