"""Outbox retention: a TTL index from the setting, and a cursor behind it says CURSOR_EXPIRED."""

from __future__ import annotations

import asyncio
from pathlib import Path

from crowdhire.dev.servers import MongodServer
from crowdhire.events.retention import RETENTION_INDEX, ensure_retention_index
from crowdhire.models.events import OutboxEvent
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.events_support import mutate
from tests.permissions_support import build_world, token_of
from tests.support import global_id, gql

CHANGES = """query($after: String) { changes(after: $after, first: 50) {
  edges { cursor node { recordId operation } } pageInfo { endCursor } } }"""


async def _retention_seconds() -> int:
    indexes = await OutboxEvent.get_pymongo_collection().index_information()
    seconds: int = indexes[RETENTION_INDEX]["expireAfterSeconds"]
    return seconds


async def test_the_retention_index_follows_the_setting(app_factory: AppFactory) -> None:
    async with app_factory(outbox_retention_days=2):
        assert await _retention_seconds() == 2 * 86_400
        await ensure_retention_index(0.5)  # a later start with another setting alters it
        assert await _retention_seconds() == 43_200


class _FastTtlMongod(MongodServer):
    """A mongod whose TTL monitor runs every second (its default is a minute, and a changed
    setting only applies after the current sleep), so retention shows within a test."""

    def _argv(self, port: int) -> list[str]:
        return [*super()._argv(port), "--setParameter", "ttlMonitorSleepSecs=1"]


async def test_a_cursor_older_than_the_retention_is_refused_naming_the_oldest_kept(
    app_factory: AppFactory, issuer: Issuer, tmp_path: Path
) -> None:
    with _FastTtlMongod(tmp_path / "mongo") as mongod:
        await _expire_and_resume(app_factory, issuer, mongod.uri)


async def _expire_and_resume(app_factory: AppFactory, issuer: Issuer, uri: str) -> None:
    async with app_factory(mongodb_uri=uri, outbox_retention_days=1 / 86_400) as (_, client):
        world = await build_world()
        acme, admin = token_of(issuer, "acme"), issuer.admin_token()
        sid = global_id("Submission", world.sam_submission)
        assert await mutate(client, "moveSubmission", {"id": sid, "stage": "SCREENING"}, acme) == []
        first = (await gql(client, CHANGES, {}, as_=admin))["data"]["changes"]
        old_cursor = first["edges"][0]["cursor"]
        assert (
            await mutate(client, "moveSubmission", {"id": sid, "stage": "INTERVIEWING"}, acme) == []
        )

        for _ in range(60):  # the TTL monitor removes both events within a few seconds
            if await OutboxEvent.count() == 0:
                break
            await asyncio.sleep(0.5)
        assert await OutboxEvent.count() == 0
        await ensure_retention_index(30)  # keep what comes next
        assert await mutate(client, "moveSubmission", {"id": sid, "stage": "OFFER"}, acme) == []

        expired = await gql(client, CHANGES, {"after": old_cursor}, as_=admin, expect_errors=True)
        [error] = expired["errors"]
        assert error["extensions"]["code"] == "CURSOR_EXPIRED"
        assert error["extensions"]["argument"] == "after"
        assert "oldest change still kept" in error["message"]
        oldest = error["extensions"]["oldestCursor"]
        resumed = (await gql(client, CHANGES, {"after": oldest}, as_=admin))["data"]["changes"]
        fresh = (await gql(client, CHANGES, {}, as_=admin))["data"]["changes"]

        assert [e["node"]["recordId"] for e in resumed["edges"]] == [sid]
        assert resumed == fresh  # the oldest kept change is where a fresh copy starts too
