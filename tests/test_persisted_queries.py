"""Automatic persisted queries (Apollo), safelist mode, GET rules and `crowdhire persist`."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from crowdhire.cache import ObjectCache, cache_key
from crowdhire.cli import main, persist_files
from crowdhire.models.persisted_queries import PersistedQuery
from crowdhire.settings import Settings
from tests.conftest import AppFactory
from tests.support import CommandCounter, error_codes

QUERY = "{ jobs(first: 2) { totalCount } }"
JSON = {"accept": "application/json"}
HASH = hashlib.sha256(QUERY.encode()).hexdigest()


def apq(sha256: str = HASH, query: str | None = None) -> dict[str, Any]:
    """An APQ request body."""
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}}}
    if query is not None:
        body["query"] = query
    return body


def get_params(sha256: str) -> dict[str, str]:
    """Query-string parameters of a persisted GET."""
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256}}
    return {"extensions": json.dumps(extensions)}


async def test_unknown_hash_then_register_then_hit(
    client: httpx.AsyncClient, cache: ObjectCache
) -> None:
    missing = await client.post("/graphql", json=apq())
    assert missing.status_code == 200
    assert error_codes(missing.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert "cost" in missing.json()["extensions"]

    registered = await client.post("/graphql", json=apq(query=QUERY))
    assert registered.json()["data"] == {"jobs": {"totalCount": 0}}
    stored = await PersistedQuery.find_one(PersistedQuery.sha256 == HASH)
    assert stored is not None and stored.query == QUERY
    assert await cache.get_many([cache_key("persisted", HASH)]) == [QUERY.encode()]

    hit = await client.post("/graphql", json=apq())
    assert hit.json()["data"] == {"jobs": {"totalCount": 0}}


async def test_registered_queries_survive_a_cache_flush(
    client: httpx.AsyncClient, cache: ObjectCache
) -> None:
    await client.post("/graphql", json=apq(query=QUERY))
    await cache.delete_many([cache_key("persisted", HASH)])
    hit = await client.post("/graphql", json=apq())
    assert hit.json()["data"] == {"jobs": {"totalCount": 0}}


async def test_a_hash_that_does_not_match_its_document_is_refused(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    mongo_commands.reset()
    response = await client.post("/graphql", json=apq("0" * 64, QUERY))
    assert response.status_code == 400
    assert error_codes(response.json()) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    assert mongo_commands.count == 0
    assert await PersistedQuery.count() == 0


async def test_malformed_persisted_query_extension_is_a_bad_request(
    client: httpx.AsyncClient,
) -> None:
    body = {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": HASH}}}
    response = await client.post("/graphql", json=body)
    assert response.status_code == 400 and error_codes(response.json()) == ["BAD_REQUEST"]


async def test_get_runs_persisted_queries_only(client: httpx.AsyncClient) -> None:
    plain = await client.get("/graphql", params={"query": QUERY}, headers=JSON)
    assert plain.status_code == 400, plain.text
    assert error_codes(plain.json()) == ["PERSISTED_QUERY_REQUIRED"]

    await client.post("/graphql", json=apq(query=QUERY))
    persisted = await client.get("/graphql", params=get_params(HASH), headers=JSON)
    assert persisted.status_code == 200
    assert persisted.json()["data"] == {"jobs": {"totalCount": 0}}


async def test_get_never_runs_a_mutation(client: httpx.AsyncClient) -> None:
    mutation = "mutation { __typename }"
    sha256 = hashlib.sha256(mutation.encode()).hexdigest()
    await client.post("/graphql", json=apq(sha256, mutation))
    response = await client.get("/graphql", params=get_params(sha256), headers=JSON)
    assert response.status_code == 400
    assert "mutations are not allowed when using GET" in response.json()["errors"][0]["message"]


async def test_safelist_mode_runs_registered_documents_only(
    app_factory: AppFactory, settings: Settings, tmp_path: Path
) -> None:
    document = tmp_path / "jobs.graphql"
    document.write_text(QUERY)
    # Registered ahead of time, as a deploy would (the CLI binds Beanie to its own client).
    assert await persist_files(settings, [document]) == [(HASH, document)]
    async with app_factory(crowdhire_persisted_only=True) as (_, client):
        plain = await client.post("/graphql", json={"query": QUERY})
        assert plain.status_code == 400
        assert error_codes(plain.json()) == ["PERSISTED_QUERY_REQUIRED"]

        hit = await client.post("/graphql", json=apq())
        assert hit.json()["data"] == {"jobs": {"totalCount": 0}}, hit.text

        other = "{ jobs(first: 3) { totalCount } }"
        sha256 = hashlib.sha256(other.encode()).hexdigest()
        refused = await client.post("/graphql", json=apq(sha256, other))
        assert refused.status_code == 400
        assert error_codes(refused.json()) == ["PERSISTED_QUERY_NOT_ALLOWED"]
        assert await PersistedQuery.count() == 1


def test_persist_command_prints_hashes(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    one, two = tmp_path / "one.graphql", tmp_path / "two.graphql"
    one.write_text(QUERY)
    two.write_text("{ companies { totalCount } }")
    assert settings.mongodb_uri
    for name, value in {
        "CROWDHIRE_ENV": "test",
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DB": settings.mongodb_db,
        "MEMCACHED_URL": settings.memcached_url or "",
    }.items():
        monkeypatch.setenv(name, value)
    try:
        main(["persist", str(one), str(two)])
        lines = capsys.readouterr().out.splitlines()
        assert lines == [
            f"{HASH}  {one}",
            f"{hashlib.sha256(two.read_bytes()).hexdigest()}  {two}",
        ]
        mongo: MongoClient[dict[str, Any]]
        with MongoClient(settings.mongodb_uri) as mongo:
            assert mongo[settings.mongodb_db]["persisted_queries"].count_documents({}) == 2
    finally:
        cleanup: MongoClient[dict[str, Any]]
        with MongoClient(settings.mongodb_uri) as cleanup:
            cleanup.drop_database(settings.mongodb_db)


def test_persist_command_refuses_invalid_documents(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.graphql"
    bad.write_text("{ nope }")
    monkeypatch.setenv("MONGODB_URI", settings.mongodb_uri or "")
    monkeypatch.setenv("CROWDHIRE_ENV", "test")
    with pytest.raises(SystemExit) as exit_info:
        main(["persist", str(bad)])
    assert "is not a valid document: Cannot query field 'nope'" in str(exit_info.value)
    assert os.path.exists(bad)
