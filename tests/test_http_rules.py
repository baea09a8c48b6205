"""HTTP rules before execution: body size, one operation, CSRF content types, CORS, deadline."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import ValidationError

from crowdhire.dev.servers import MemcachedServer
from crowdhire.settings import Settings
from tests.conftest import AppFactory
from tests.factories import make_company, make_job
from tests.support import CommandCounter, error_codes

QUERY = "{ jobs(first: 1) { totalCount } }"
LIMIT = 64 * 1024


def body_of(size: int) -> bytes:
    """A valid JSON request body of exactly `size` bytes (padded with spaces)."""
    raw = json.dumps({"query": QUERY}).encode()
    return raw[:-1] + b" " * (size - len(raw)) + b"}"


async def test_a_64_kib_body_runs_one_byte_more_is_413_unread(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    headers = {"content-type": "application/json"}
    ok = await client.post("/graphql", content=body_of(LIMIT), headers=headers)
    assert ok.status_code == 200 and ok.json()["data"] == {"jobs": {"totalCount": 0}}

    mongo_commands.reset()
    too_big = await client.post("/graphql", content=body_of(LIMIT + 1), headers=headers)
    assert too_big.status_code == 413
    assert error_codes(too_big.json()) == ["PAYLOAD_TOO_LARGE"]
    assert mongo_commands.count == 0


async def test_a_chunked_body_without_length_is_cut_off_at_the_limit(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    mongo_commands.reset()
    response = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert mongo_commands.count == 0


async def test_batches_are_refused_with_400(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    mongo_commands.reset()
    response = await client.post("/graphql", json=[{"query": QUERY}, {"query": QUERY}])
    assert response.status_code == 400
    assert error_codes(response.json()) == ["BATCH_NOT_SUPPORTED"]
    assert mongo_commands.count == 0


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
async def test_non_json_posts_are_refused_unexecuted(
    client: httpx.AsyncClient, mongo_commands: CommandCounter, content_type: str
) -> None:
    mongo_commands.reset()
    body = json.dumps({"query": QUERY})
    response = await client.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == 415
    assert error_codes(response.json()) == ["UNSUPPORTED_MEDIA_TYPE"]
    assert mongo_commands.count == 0


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
async def test_json_posts_run(client: httpx.AsyncClient, content_type: str) -> None:
    body = json.dumps({"query": QUERY})
    response = await client.post(
        "/graphql",
        content=body,
        headers={"content-type": content_type, "accept": "application/graphql-response+json"},
    )
    assert response.status_code == 200 and response.json()["data"] == {"jobs": {"totalCount": 0}}


async def test_cors_allows_listed_origins_only(app_factory: AppFactory) -> None:
    origins = ["https://app.crowdhire.example"]
    async with app_factory(cors_allow_origins=origins, cors_allow_credentials=True) as (_, client):
        preflight = {"access-control-request-method": "POST"}
        allowed = await client.options("/graphql", headers={"origin": origins[0], **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == origins[0]
        assert allowed.headers["access-control-allow-credentials"] == "true"

        evil = await client.options(
            "/graphql", headers={"origin": "https://evil.example", **preflight}
        )
        assert evil.status_code == 400
        assert "access-control-allow-origin" not in evil.headers

        simple = await client.post(
            "/graphql", json={"query": QUERY}, headers={"origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in simple.headers


async def test_an_spa_may_put_file_bytes_from_a_listed_origin_only(app_factory: AppFactory) -> None:
    """Uploads are a cross-site PUT of the raw bytes, so their preflight must pass for the SPAs."""
    origins = ["https://app.crowdhire.example"]
    async with app_factory(cors_allow_origins=origins) as (_, client):
        preflight = {"access-control-request-method": "PUT"}
        allowed = await client.options("/uploads/x", headers={"origin": origins[0], **preflight})
        evil = await client.options(
            "/uploads/x", headers={"origin": "https://evil.example", **preflight}
        )

    assert allowed.status_code == 200
    assert "PUT" in allowed.headers["access-control-allow-methods"]
    assert evil.status_code == 400 and "access-control-allow-origin" not in evil.headers


def test_wildcard_origin_with_credentials_is_refused_at_startup() -> None:
    with pytest.raises(ValidationError, match="may not contain"):
        Settings(cors_allow_origins=["*"], cors_allow_credentials=True)


async def test_no_cors_headers_without_an_allow_list(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": QUERY}, headers={"origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_a_slow_request_ends_with_a_timeout_while_others_answer(
    app_factory: AppFactory, memcached_server: MemcachedServer
) -> None:
    overrides = {
        "memcached_url": memcached_server.address,
        "cache_timeout_ms": 5000,
        "request_timeout_seconds": 0.5,
        "mongodb_operation_timeout_ms": 400,
    }
    async with app_factory(**overrides) as (_, client):
        await make_job(await make_company())
        memcached_server.pause()  # every memcached call now hangs for cache_timeout_ms
        try:
            slow = asyncio.create_task(
                client.post("/graphql", json={"query": "{ jobs { nodes { company { name } } } }"})
            )
            health = await client.get("/healthz")
            assert health.status_code == 200
            assert not slow.done()
            response = await slow
        finally:
            memcached_server.resume()
    assert response.status_code == 504
    assert error_codes(response.json()) == ["TIMEOUT"]
    assert (
        response.json()["errors"][0]["message"]
        == "The request took longer than 0.5s and was stopped"
    )


async def test_mongodb_operations_time_out_below_the_request_deadline(
    app_factory: AppFactory,
) -> None:
    async with app_factory() as (app, _):
        settings: Settings = app.state.services.settings
        assert settings.mongodb_operation_timeout_ms < settings.request_timeout_seconds * 1000
        assert (
            app.state.services.mongo.options.timeout == settings.mongodb_operation_timeout_ms / 1000
        )
    with pytest.raises(ValidationError, match="must be below"):
        Settings(request_timeout_seconds=1, mongodb_operation_timeout_ms=1000)
