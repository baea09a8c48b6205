"""The crowd benchmark's own parts: its writes succeed, and its floor shows what crowdhire shows.

A benchmark that sends failing writes measures validation errors, and a floor that shows more
(or less) than the API is no floor; both are checked here on the demo data, through the API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from pymongo import AsyncMongoClient

from bench import floor_crowd, floor_writes
from bench.crowd_pages import Crowd, WritePool, load_crowd
from crowdhire.auth.dev import mint_dev_token
from crowdhire.dev.seed import seed_demo
from crowdhire.settings import Environment, Settings
from tests.auth_support import Issuer
from tests.support import gql


@dataclass
class Seeded:
    """The demo data at scale 0.1, its crowd, dev settings for the floor's tokens, a database."""

    uri: str
    db_name: str
    crowd: Crowd
    dev: Settings
    db: Any


@pytest.fixture
async def seeded(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Seeded]:
    """Seed, load the crowd, and connect the floor the way the benchmark does."""
    await seed_demo(scale=0.1, progress=False)
    uri = settings.mongodb_uri
    assert uri is not None
    crowd = load_crowd(uri, settings.mongodb_db, 5, 2, 1)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setattr(floor_crowd, "_KEY", {})
    dev = Settings(crowdhire_env=Environment.DEV, data_dir=tmp_path)
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        yield Seeded(uri, settings.mongodb_db, crowd, dev, mongo[settings.mongodb_db])
    finally:
        await mongo.close()


async def _floor_shows_what_crowdhire_shows(
    seeded: Seeded, client: httpx.AsyncClient, issuer: Issuer
) -> None:
    for sub, payload in dict.fromkeys(seeded.crowd.reads()):
        request = orjson.loads(payload)
        token = issuer.token(sub) if sub else None
        shown = await gql(client, request["query"], request["variables"], as_=token)
        page = floor_crowd.CROWD_OPERATIONS[request["operationName"]]
        authorization = f"Bearer {mint_dev_token(seeded.dev, sub, [])}" if sub else None
        floor = await page(seeded.db, request["variables"], authorization)
        assert orjson.loads(orjson.dumps(floor)) == shown["data"], (sub, request["operationName"])


async def test_every_kind_of_crowd_write_succeeds_once_through_the_api(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, seeded: Seeded
) -> None:
    writes = WritePool(seeded.uri, seeded.db_name, seeded.crowd).take(12)
    kinds = set()
    for sub, payload in writes:
        request = orjson.loads(payload)
        body = await gql(
            anonymous_client, request["query"], request["variables"], as_=issuer.token(sub)
        )
        ((name, result),) = body["data"].items()
        assert result["userErrors"] == [], (name, result)
        kinds.add(name)
    assert kinds == {
        "submitCandidate",
        "moveSubmission",
        "updateCandidate",
        "updateRecruiterProfile",
    }


async def test_the_floor_answers_each_identity_with_the_data_crowdhire_shows(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, seeded: Seeded
) -> None:
    await _floor_shows_what_crowdhire_shows(seeded, anonymous_client, issuer)


def _shape(value: object) -> object:
    """The keys of a payload, all the way down (the values name different objects)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


async def test_the_floor_writes_what_crowdhire_writes_and_then_still_shows_the_same(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, seeded: Seeded
) -> None:
    writes = WritePool(seeded.uri, seeded.db_name, seeded.crowd).take(8)  # two of each kind
    db = seeded.db
    audits = await db["audit_events"].count_documents({})
    by_api, by_floor = {}, {}
    for sub, payload in writes[:4]:
        request = orjson.loads(payload)
        body = await gql(anonymous_client, request["query"], request["variables"],
                         as_=issuer.token(sub))  # fmt: skip
        by_api[request["operationName"]] = body["data"]
    for sub, payload in writes[4:]:
        request = orjson.loads(payload)
        write = floor_writes.CROWD_WRITES[request["operationName"]]
        authorization = f"Bearer {mint_dev_token(seeded.dev, sub, [])}"
        by_floor[request["operationName"]] = orjson.loads(
            orjson.dumps(await write(db, request["variables"], authorization))
        )
    assert set(by_floor) == set(by_api) == set(floor_writes.CROWD_WRITES)
    for name, data in by_floor.items():
        assert _shape(data) == _shape(by_api[name]), name
        assert next(iter(data.values()))["userErrors"] == []
    assert await db["audit_events"].count_documents({}) == audits + 8  # one per write
    await _floor_shows_what_crowdhire_shows(seeded, anonymous_client, issuer)  # still agree
