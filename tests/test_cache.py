"""The memcached layer: read-through, JSON values, invalidation, and failing open."""

from __future__ import annotations

import asyncio
import faulthandler
import logging
from collections.abc import AsyncIterator, Iterator

import aiomcache
import httpx
import orjson
import pytest
from pymongo import AsyncMongoClient

from crowdhire.cache import MAX_KEY_LENGTH, cache_key, parse_memcached_url
from crowdhire.dev.servers import MemcachedServer
from crowdhire.models import Job
from crowdhire.schema.ids import encode_global_id
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import make_company, make_job
from tests.support import CommandCounter, gql

JOB_TITLE = "query($id: ID!) { node(id: $id) { ... on Job { title } } }"
HANG_GUARD_SECONDS = 10  # not a speed assertion: only stops a hung request from hanging CI


async def _title(client: httpx.AsyncClient, job: Job) -> str:
    assert job.id is not None
    body = await asyncio.wait_for(
        gql(client, JOB_TITLE, {"id": encode_global_id("Job", job.id)}), HANG_GUARD_SECONDS
    )
    title: str = body["data"]["node"]["title"]
    return title


RENAME = """mutation($input: UpdateJobInput!) {
  updateJob(input: $input) { job { title } userErrors { code } } }"""


async def _rename(client: httpx.AsyncClient, token: str, job: Job, title: str) -> None:
    """Change the title through the API's write path (an admin's updateJob)."""
    assert job.id is not None
    variables = {"input": {"jobId": encode_global_id("Job", job.id), "title": title}}
    response = await client.post(
        "/graphql",
        json={"query": RENAME, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["data"]["updateJob"] == {"job": {"title": title}, "userErrors": []}


async def _memcached_get(address: str, key: str) -> bytes | None:
    host, port = parse_memcached_url(address)
    client = aiomcache.Client(host, port)
    try:
        value: bytes | None = await client.get(key.encode())
        return value
    finally:
        await client.close()


def test_keys_are_versioned_and_hashed_past_memcacheds_limit() -> None:
    assert cache_key("jobs", "abc") == "crowdhire:v1:jobs:abc"
    long_key = cache_key("jobs", "x" * 400)
    assert len("d" * 64 + ":" + long_key) <= MAX_KEY_LENGTH
    assert long_key.startswith("crowdhire:v1:jobs:h:")
    assert cache_key("jobs", "with space") != "crowdhire:v1:jobs:with space"


@pytest.fixture
async def patient_client(
    app_factory: AppFactory, issuer: Issuer
) -> AsyncIterator[httpx.AsyncClient]:
    """An admin's client of an app whose memcached calls get time on a loaded machine: with the
    default 50 ms, a collection pause in this test process turned a store into a miss."""
    async with app_factory(cache_timeout_ms=1000) as (_, http):
        http.headers["Authorization"] = f"Bearer {issuer.admin_token()}"
        yield http


async def test_second_read_comes_from_memcached_as_json(
    patient_client: httpx.AsyncClient, mongo_commands: CommandCounter, settings: Settings
) -> None:
    job = await make_job(await make_company(), title="Cached title")
    await _title(patient_client, job)
    mongo_commands.reset()

    assert await _title(patient_client, job) == "Cached title"

    assert mongo_commands.count == 0
    assert settings.memcached_url is not None
    key = f"{settings.mongodb_db}:crowdhire:v1:jobs:{job.id}"
    stored = await _memcached_get(settings.memcached_url, key)
    assert stored is not None
    assert orjson.loads(stored)["title"] == "Cached title"


async def test_write_path_forgets_the_key_so_the_next_read_sees_it(
    patient_client: httpx.AsyncClient, settings: Settings, issuer: Issuer
) -> None:
    job = await make_job(await make_company(), title="Before")
    assert await _title(patient_client, job) == "Before"
    # a write that bypasses the write path is not seen: the cache really serves reads
    raw = AsyncMongoClient[dict[str, object]](settings.mongodb_uri)
    await raw[settings.mongodb_db]["jobs"].update_one({"_id": job.id}, {"$set": {"title": "Raw"}})
    await raw.close()
    assert await _title(patient_client, job) == "Before"

    await _rename(patient_client, issuer.admin_token(), job, "After")

    assert await _title(patient_client, job) == "After"


@pytest.fixture
def own_memcached() -> Iterator[MemcachedServer]:
    """A memcached this test may stop, freeze and restart."""
    with MemcachedServer() as server:
        yield server


async def test_memcached_down_serves_from_mongodb_logs_once_and_recovers(
    app_factory: AppFactory, own_memcached: MemcachedServer, caplog: pytest.LogCaptureFixture
) -> None:
    port = int(own_memcached.address.rsplit(":", 1)[1])
    # object-cache hits are counted exactly below: no response cache in between
    async with app_factory(memcached_url=own_memcached.address, response_cache_enabled=False) as (
        app,
        client,
    ):
        job = await make_job(await make_company(), title="Resilient")
        await _title(client, job)
        own_memcached.stop()
        caplog.set_level(logging.WARNING, logger="crowdhire.cache")

        titles = [await _title(client, job) for _ in range(3)]
        await asyncio.sleep(0.3)
        titles.append(await _title(client, job))

        assert titles == ["Resilient"] * 4
        outages = [r for r in caplog.records if "unavailable" in r.getMessage()]
        assert len(outages) == 1
        assert "serving from MongoDB" in outages[0].getMessage()

        with MemcachedServer(port=port):
            await asyncio.sleep(0.3)
            await _title(client, job)  # miss, written back
            hits_before = app.state.services.cache.stats.hits
            assert await _title(client, job) == "Resilient"
            assert app.state.services.cache.stats.hits == hits_before + 1
        assert any("answers again" in r.getMessage() for r in caplog.records)


async def test_frozen_memcached_gives_up_and_resumes_after_thaw(
    app_factory: AppFactory, own_memcached: MemcachedServer
) -> None:
    overrides = {"cache_timeout_ms": 50, "response_cache_enabled": False}  # exact hit counts
    async with app_factory(memcached_url=own_memcached.address, **overrides) as (app, client):
        stats = app.state.services.cache.stats
        job = await make_job(await make_company(), title="Thawed")
        await _title(client, job)
        own_memcached.pause()
        try:
            assert await _title(client, job) == "Thawed"
            assert stats.errors >= 1
        finally:
            own_memcached.resume()
        await asyncio.sleep(0.3)

        await _title(client, job)
        hits_before = stats.hits
        assert await _title(client, job) == "Thawed"
        assert stats.hits == hits_before + 1


async def test_without_memcached_url_an_in_process_cache_serves_repeats(
    app_factory: AppFactory, mongo_commands: CommandCounter
) -> None:
    async with app_factory(memcached_url=None) as (_, client):
        job = await make_job(await make_company(), title="Local")
        await _title(client, job)
        mongo_commands.reset()

        assert await _title(client, job) == "Local"
        assert mongo_commands.count == 0


async def test_cache_disabled_reads_mongodb_every_time(
    app_factory: AppFactory, mongo_commands: CommandCounter
) -> None:
    async with app_factory(cache_enabled=False) as (_, client):
        job = await make_job(await make_company(), title="Uncached")
        await _title(client, job)
        mongo_commands.reset()

        assert await _title(client, job) == "Uncached"
        assert mongo_commands.names == ["find"]


async def test_writes_after_memcached_dies_do_not_spin(
    app_factory: AppFactory, own_memcached: MemcachedServer, issuer: Issuer
) -> None:
    # aiomcache spins without yielding when a server closes mid-command; asyncio timeouts
    # cannot fire then, so the guard is faulthandler: it kills a hung run with a traceback.
    faulthandler.dump_traceback_later(60, exit=True)
    try:
        async with app_factory(memcached_url=own_memcached.address) as (_, client):
            job = await make_job(await make_company(), title="Before")
            await _title(client, job)  # connections to memcached are now open and idle
            own_memcached.kill()

            await _rename(client, issuer.admin_token(), job, "After")

            assert await _title(client, job) == "After"
    finally:
        faulthandler.cancel_dump_traceback_later()
