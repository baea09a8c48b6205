"""`backup follow`: archive the oplog continuously, snapshot on schedule, prune past the window.

The schedule lives in the archive itself (the newest snapshot's time), so a restarted follower
neither repeats nor skips a snapshot. MongoDB being unreachable (an election, a restart) is
logged and retried; the oplog keeps what was missed, and a poll after it reads all of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo.errors import PyMongoError

from crowdhire.backup.archive import Archive, Snapshot
from crowdhire.backup.cluster_time import Client, majority_point
from crowdhire.backup.oplog import OplogArchiver
from crowdhire.backup.retention import prune
from crowdhire.backup.snapshot import take_snapshot

log = logging.getLogger("crowdhire.backup")

RETRY_SECONDS = 1.0


@dataclass(frozen=True)
class Schedule:
    """How often to poll, cut segments and snapshot, and how long to keep."""

    poll_seconds: float
    segment_seconds: float
    snapshot_hours: float
    keep_days: float


async def follow(
    client: Client, database: str, archive: Archive, key: bytes | None, schedule: Schedule,
    stop: asyncio.Event,
) -> None:  # fmt: skip
    """Run until `stop` is set; then write what is buffered."""
    with archive.follower_lock():
        archiver = OplogArchiver(client, database, archive, key, schedule.segment_seconds)
        await _start(client, database, archive, key, archiver)
        while not stop.is_set():
            try:
                await archiver.poll()
                if archiver.gap_found or _snapshot_due(archive, schedule):
                    await _snapshot(client, database, archive, key)
                    archiver.gap_found = False
                    removed = prune(archive, schedule.keep_days, datetime.now(UTC))
                    if removed:
                        log.info("backup: pruned %d files older than the window", len(removed))
            except PyMongoError as error:
                log.warning("backup: MongoDB unavailable (%s); retrying", type(error).__name__)
                await _sleep(stop, RETRY_SECONDS)
                continue
            await _sleep(stop, schedule.poll_seconds)
        archiver.flush()


async def _start(
    client: Client, database: str, archive: Archive, key: bytes | None, archiver: OplogArchiver
) -> None:
    """Resume the chain, or begin it at a first snapshot."""
    while True:
        try:
            if archiver.resume():
                log.info("backup: resuming the oplog archive of %s in %s", database, archive.root)
                return
            snapshot = await _snapshot(client, database, archive, key)
            archiver.start_at(snapshot.manifest.cluster_time, snapshot.manifest.wall)
            return
        except PyMongoError as error:
            log.warning("backup: MongoDB unavailable at start (%s); retrying", type(error).__name__)
            await asyncio.sleep(RETRY_SECONDS)


async def _snapshot(client: Client, database: str, archive: Archive, key: bytes | None) -> Snapshot:
    snapshot = await take_snapshot(client, database, archive, key)
    documents = sum(c.count for c in snapshot.manifest.collections.values())
    log.info("backup: snapshot %s (%d documents)", snapshot.name, documents)
    return snapshot


def _snapshot_due(archive: Archive, schedule: Schedule) -> bool:
    snapshots = archive.snapshots()
    if not snapshots:
        return True
    newest = snapshots[-1].manifest.created_at
    return datetime.now(UTC) - newest >= timedelta(hours=schedule.snapshot_hours)


async def wait_archived(client: Client, archive: Archive, patience_seconds: float) -> bool:
    """Wait until a follower has archived everything the majority has committed by now."""
    target, _ = await majority_point(client)
    deadline = asyncio.get_running_loop().time() + patience_seconds
    while asyncio.get_running_loop().time() < deadline:
        position = archive.position()
        if position is not None and position.covered >= target:
            return True
        await asyncio.sleep(0.1)
    return False


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
