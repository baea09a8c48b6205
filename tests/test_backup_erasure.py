"""Erasure survives restores: a candidate erased after the restore point comes back erased."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient

from crowdhire.backup.archive import Archive
from crowdhire.backup.plan import plan_restore
from crowdhire.backup.restore import restore
from crowdhire.dev.smtp import DevSmtpServer
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.backup_support import caught_up, following
from tests.conftest import AppFactory
from tests.support import gql
from tests.test_privacy import ERASE, PERSON, _person


async def _erased_state(client: AsyncMongoClient[Any], database: str) -> dict[str, Any]:
    db = client[database]
    candidate = await db.candidates.find_one({"email": {"$exists": True}})
    assert candidate is not None
    submissions = await db.submissions.find({"candidate_id": candidate["_id"]}).to_list()
    ledger = await db.erasure_ledger.find().to_list()
    return {
        "full_name": candidate["full_name"],
        "email": candidate["email"],
        "erased": candidate.get("erased_at") is not None,
        "pitches": [s["pitch"] for s in submissions],
        "ledger": [doc["_id"] for doc in ledger],
        "id": candidate["_id"],
    }


async def test_a_restore_from_before_an_erasure_keeps_the_candidate_erased(
    app_factory: AppFactory,
    issuer: Issuer,
    settings: Settings,
    tmp_path: Path,
    mailbox: DevSmtpServer,
) -> None:
    archive = Archive(tmp_path / "bk")
    client: AsyncMongoClient[Any] = AsyncMongoClient(settings.mongodb_uri, tz_aware=True)
    target = f"{settings.mongodb_db}_r"
    try:
        # leaving the app drops the live database: only the archive remembers the erasure
        async with following(client, settings.mongodb_db, archive), app_factory() as (app, http):
            cid, token, _ = await _person(app, http, issuer, mailbox)
            await caught_up(client, archive)
            before_erasure = datetime.now(UTC)
            await asyncio.sleep(0.05)
            erased = (await gql(http, ERASE, variables={"input": {"candidateId": cid}}, as_=token))[
                "data"
            ]
            assert erased["eraseCandidate"]["erased"] is True
            await caught_up(client, archive)
        plan = plan_restore(archive, before_erasure, None, datetime.now(UTC))
        done = await restore(client, plan, target, None, settings.mongodb_db)
        assert done.erased_again == 1
        state = await _erased_state(client, target)
        assert state["full_name"] == "Erased candidate" and state["email"] is None
        assert state["erased"] and state["pitches"] == [""]
        assert state["ledger"] == [state["id"]]
    finally:
        await client.drop_database(target)
        await client.close()


async def test_the_live_ledger_counts_when_the_archive_ends_before_the_erasure(
    app_factory: AppFactory,
    issuer: Issuer,
    settings: Settings,
    tmp_path: Path,
    mailbox: DevSmtpServer,
) -> None:
    archive = Archive(tmp_path / "bk")
    client: AsyncMongoClient[Any] = AsyncMongoClient(settings.mongodb_uri, tz_aware=True)
    target = f"{settings.mongodb_db}_r"
    try:
        async with app_factory() as (app, http):
            async with following(client, settings.mongodb_db, archive):
                cid, token, _ = await _person(app, http, issuer, mailbox)
            # the follower has stopped: the erasure is only in the live database
            erased = (await gql(http, ERASE, variables={"input": {"candidateId": cid}}, as_=token))[
                "data"
            ]
            assert erased["eraseCandidate"]["erased"] is True
            assert settings.mongodb_uri is not None
            env = {**os.environ, "CROWDHIRE_ENV": "test", "MONGODB_URI": settings.mongodb_uri,
                   "MONGODB_DB": settings.mongodb_db}  # fmt: skip
            command = [sys.executable, "-m", "crowdhire.cli", "backup", "restore", "--from",
                       str(archive.root), "--at", "latest", "--into", target]  # fmt: skip
            done = await asyncio.create_subprocess_exec(
                *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
            out, err = await done.communicate()
            assert done.returncode == 0, err.decode()
            assert "1 erased candidates erased again" in out.decode()
        state = await _erased_state(client, target)
        assert state["full_name"] == "Erased candidate" and state["email"] is None
        assert str(PERSON["fullName"]) not in str(await client[target].candidates.find().to_list())
        assert isinstance(state["id"], ObjectId)
    finally:
        await client.drop_database(target)
        await client.close()
