"""Snapshots, the oplog archive and point-in-time restores on the session's real mongod."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId, Timestamp
from pymongo import AsyncMongoClient

from crowdhire import __version__
from crowdhire.backup import oplog
from crowdhire.backup.archive import Archive
from crowdhire.backup.errors import BackupError
from crowdhire.backup.files import BsonWriter, file_sha256
from crowdhire.backup.manifest import Position, Segment, write_json
from crowdhire.backup.plan import plan_restore
from crowdhire.backup.restore import ensure_empty, restore
from crowdhire.backup.retention import prune
from crowdhire.backup.service import Schedule
from crowdhire.backup.snapshot import take_snapshot
from crowdhire.backup.times import ts_name
from crowdhire.backup.verify import verify
from tests.backup_support import caught_up, following, raw_dump

SCHEMA = Path(__file__).parent.parent / "schema.graphql"


@pytest.fixture
async def mongo(mongodb_uri: str) -> AsyncIterator[tuple[AsyncMongoClient[Any], str]]:
    """A client and a fresh source database name; every database the test made is dropped."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongodb_uri, tz_aware=True)
    name = f"bk_{uuid.uuid4().hex[:10]}"
    before = set(await client.list_database_names())
    try:
        yield client, name
    finally:
        for made in set(await client.list_database_names()) - before:
            await client.drop_database(made)
        await client.close()


async def _restore(
    client: AsyncMongoClient[Any], archive: Archive, at: datetime | None, into: str,
    key: bytes | None = None, source: str | None = None,
) -> Any:  # fmt: skip
    plan = plan_restore(archive, at, key, datetime.now(UTC))
    await ensure_empty(client, into, force=False)
    return await restore(client, plan, into, key, source)


async def test_a_snapshot_reads_every_collection_at_one_cluster_time(
    mongo: tuple[AsyncMongoClient[Any], str], mongodb_uri: str, tmp_path: Path
) -> None:
    client, name = mongo
    db = client[name]
    await db.left.insert_many([{"pair": -i, "pad": "x" * 200} for i in range(1, 20_001)])
    await db.right.insert_many([{"pair": -i} for i in range(1, 20_001)])
    writing = True

    async def pairs() -> None:  # each transaction writes one document to each collection
        n = 0
        while writing:
            n += 1
            async with client.start_session() as session, await session.start_transaction():
                await db.left.insert_one({"pair": n}, session=session)
                await db.right.insert_one({"pair": n}, session=session)

    writer = asyncio.create_task(pairs())
    await asyncio.sleep(0.2)
    snapshot = await take_snapshot(client, name, Archive(tmp_path), key=None)
    writing = False
    await writer
    restored = f"{name}_r"
    await _restore(client, Archive(tmp_path), None, restored)
    left = {d["pair"] async for d in client[restored].left.find()}
    right = {d["pair"] async for d in client[restored].right.find()}
    assert left == right  # no transaction is half in the snapshot
    assert max(left) > 0  # and pairs were being written while it was read
    manifest = snapshot.manifest
    assert manifest.collections["left"].count == len(left)
    assert manifest.crowdhire_version == __version__
    assert manifest.schema_sha256 == hashlib.sha256(SCHEMA.read_bytes()).hexdigest()
    for collection in manifest.collections.values():
        assert file_sha256(snapshot.path / collection.file) == collection.sha256
    assert isinstance(manifest.cluster_time, Timestamp)


async def _writes_of_every_kind(client: AsyncMongoClient[Any], name: str, tag: str) -> None:
    db = client[name]
    await db.people.insert_many([{"tag": tag, "n": i, "skills": ["a"]} for i in range(50)])
    await db.people.update_many({"tag": tag}, {"$push": {"skills": tag}, "$set": {"seen": 1}})
    await db.people.delete_many({"tag": tag, "n": {"$lt": 5}})
    async with client.start_session() as session, await session.start_transaction():
        await db.people.insert_one({"tag": tag, "in": "transaction"}, session=session)
        await db[f"ledger_{tag}"].insert_one({"tag": tag}, session=session)  # created inside


async def test_restore_at_a_time_and_at_latest_is_byte_equal(
    mongo: tuple[AsyncMongoClient[Any], str], mongodb_uri: str, tmp_path: Path
) -> None:
    client, name = mongo
    archive = Archive(tmp_path / "bk")
    await _writes_of_every_kind(client, name, "a")
    async with following(client, name, archive):
        await take_snapshot(client, name, archive, key=None)
        await _writes_of_every_kind(client, name, "b")
        await caught_up(client, archive)
        at = datetime.now(UTC)
        state_at = raw_dump(mongodb_uri, name)
        await asyncio.sleep(0.05)
        await _writes_of_every_kind(client, name, "c")
        await client[name].drop_collection("ledger_a")
    latest = raw_dump(mongodb_uri, name)

    await _restore(client, archive, at, f"{name}_t")
    assert raw_dump(mongodb_uri, f"{name}_t") == state_at
    await _restore(client, archive, None, f"{name}_l")
    assert raw_dump(mongodb_uri, f"{name}_l") == latest
    assert "ledger_a" not in await client[f"{name}_l"].list_collection_names()
    indexes = await client[f"{name}_l"].recruiters.index_information()
    assert any(key == [("created_at", -1), ("_id", -1)] for key in
               (spec["key"] for spec in indexes.values()))  # fmt: skip
    report = verify(archive)
    assert report.ok and not report.warnings, report


async def test_an_encrypted_backup_restores_only_with_its_key(
    mongo: tuple[AsyncMongoClient[Any], str], mongodb_uri: str, tmp_path: Path
) -> None:
    client, name = mongo
    key = os.urandom(32)
    archive = Archive(tmp_path / "bk")
    await client[name].people.insert_one({"secret": "Zebulon Quartermain"})
    async with following(client, name, archive, key):
        await client[name].people.insert_one({"secret": "Ophelia Stormcrow"})
    stored = b"".join(p.read_bytes() for p in archive.root.rglob("*") if p.is_file())
    assert b"Zebulon" not in stored and b"Ophelia" not in stored
    assert verify(archive).ok  # checksums need no key
    with pytest.raises(BackupError, match=r"encrypted .* set BACKUP_ENCRYPTION_KEY"):
        plan_restore(archive, None, None, datetime.now(UTC))
    with pytest.raises(BackupError, match="is not the key this backup was written with"):
        plan_restore(archive, None, os.urandom(32), datetime.now(UTC))
    assert f"{name}_r" not in await client.list_database_names()
    await _restore(client, archive, None, f"{name}_r", key)
    assert raw_dump(mongodb_uri, f"{name}_r") == raw_dump(mongodb_uri, name)


async def test_follow_resumes_where_it_stopped_and_snapshots_on_schedule(
    mongo: tuple[AsyncMongoClient[Any], str], mongodb_uri: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    client, name = mongo
    archive = Archive(tmp_path / "bk")
    every_second = Schedule(0.1, 0.3, snapshot_hours=1 / 3600, keep_days=7.0)
    async with following(client, name, archive, schedule=every_second):
        await client[name].people.insert_one({"run": 1})
        await asyncio.sleep(2.5)
    assert len(archive.snapshots()) >= 2
    await client[name].people.insert_many([{"run": "stopped"} for _ in range(10)])  # no follower
    before = len(archive.segments())
    monkeypatch.setattr(oplog, "MAX_SEGMENT_ENTRIES", 4)  # the backlog is cut as it is read
    async with following(client, name, archive):
        await client[name].people.insert_one({"run": 2})
    segments = archive.segments()
    assert len(segments) - before >= 3
    assert all(b.after == a.last for a, b in itertools.pairwise(segments))
    await _restore(client, archive, None, f"{name}_r")
    assert raw_dump(mongodb_uri, f"{name}_r") == raw_dump(mongodb_uri, name)


async def test_a_gap_in_the_oplog_is_reported_loudly_and_a_snapshot_taken(
    mongo: tuple[AsyncMongoClient[Any], str], mongodb_uri: str, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    client, name = mongo
    archive = Archive(tmp_path / "bk")
    archive.prepare()
    # An archive whose follower stopped long ago: its position predates the whole oplog.
    long_ago = Timestamp(1_000_000_000, 1)
    file = f"{ts_name(Timestamp(1_000_000_000, 0))}_{ts_name(long_ago)}.bson.gz"
    written = BsonWriter(archive.oplog_dir / file, None).close()
    old = Segment(file, Timestamp(1_000_000_000, 0), long_ago, datetime(2001, 9, 9, tzinfo=UTC),
                  0, written.size, written.sha256, None)  # fmt: skip
    write_json(archive.oplog_dir / (file.split(".")[0] + ".json"), old.to_json())
    archive.save_position(Position(long_ago, long_ago, datetime(2001, 9, 9, tzinfo=UTC)))
    await client[name].people.insert_one({"after": "the gap"})
    with caplog.at_level(logging.WARNING, logger="crowdhire.backup"):
        async with following(client, name, archive):
            await asyncio.sleep(0.5)
    assert any("BACKUP GAP" in r.getMessage() for r in caplog.records)
    assert len(archive.snapshots()) == 1  # taken because of the gap
    report = verify(archive)
    assert report.ok
    assert any("GAP" in line for line in report.warnings)
    assert archive.segments()[-1].gap
    await _restore(client, archive, None, f"{name}_r")
    assert raw_dump(mongodb_uri, f"{name}_r") == raw_dump(mongodb_uri, name)


async def test_a_corrupt_segment_fails_verify_and_the_restore_writes_nothing(
    mongo: tuple[AsyncMongoClient[Any], str], tmp_path: Path
) -> None:
    client, name = mongo
    archive = Archive(tmp_path / "bk")
    async with following(client, name, archive):
        await client[name].people.insert_many([{"n": i} for i in range(100)])
    segment = archive.oplog_dir / archive.segments()[-1].file
    damaged = bytearray(segment.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    segment.write_bytes(bytes(damaged))
    report = verify(archive)
    assert not report.ok
    assert any(segment.name in p and "corrupt" in p for p in report.problems)
    with pytest.raises(BackupError, match=f"{segment.name} is corrupt"):
        await _restore(client, archive, None, f"{name}_r")
    assert f"{name}_r" not in await client.list_database_names()


async def test_retention_keeps_the_window_and_the_snapshot_before_it(
    mongo: tuple[AsyncMongoClient[Any], str], mongodb_uri: str, tmp_path: Path
) -> None:
    client, name = mongo
    archive = Archive(tmp_path / "bk")
    async with following(client, name, archive):
        for n in range(3):
            await client[name].people.insert_one({"n": n})
            await caught_up(client, archive)
            await asyncio.sleep(0.4)  # a segment per write
            await take_snapshot(client, name, archive, key=None)
    first, second, third, fourth = archive.snapshots()
    # A window that starts between the third and the fourth snapshot.
    window_start = third.manifest.wall + (fourth.manifest.wall - third.manifest.wall) / 2
    removed = prune(archive, keep_days=1.0, now=window_start + timedelta(days=1))
    assert [s.name for s in archive.snapshots()] == [third.name, fourth.name]
    assert first.name in removed and second.name in removed
    assert all(s.last > third.manifest.cluster_time for s in archive.segments())
    assert verify(archive).ok
    await _restore(client, archive, None, f"{name}_r")
    assert raw_dump(mongodb_uri, f"{name}_r") == raw_dump(mongodb_uri, name)
    ids = {d["_id"] async for d in client[f"{name}_r"].people.find()}
    assert len(ids) == 3 and all(isinstance(i, ObjectId) for i in ids)
