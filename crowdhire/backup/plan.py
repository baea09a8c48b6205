"""What a restore will read, decided and checked before anything is written.

Refused with a BackupError: no archive or snapshot, a time in the future, before the first
snapshot or past what the archive holds, an oplog gap or break between the snapshot and the
time, a missing or corrupt file, an encrypted archive without (or with the wrong) key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from crowdhire.backup.archive import Archive, Snapshot
from crowdhire.backup.crypto import key_id
from crowdhire.backup.errors import BackupError
from crowdhire.backup.files import file_sha256
from crowdhire.backup.manifest import Segment
from crowdhire.backup.times import wall_to_json

CLOCK_SKEW = timedelta(seconds=1)


@dataclass(frozen=True)
class RestorePlan:
    """The snapshot, the segments to replay after it, and the time to stop at (None = all)."""

    archive: Archive
    snapshot: Snapshot
    segments: list[tuple[Segment, Path]]
    at: datetime | None
    newest: Snapshot
    later: list[tuple[Segment, Path]]  # segments after the newest snapshot (erasure ledger)
    end_wall: datetime


def plan_restore(
    archive: Archive, at: datetime | None, key: bytes | None, now: datetime
) -> RestorePlan:
    """Choose and check everything a restore to `at` needs (None = as late as the archive goes)."""
    archive.require()
    snapshots = archive.snapshots()
    if not snapshots:
        raise BackupError(f"no snapshot in {archive.root}: take one with "
                          f"`crowdhire backup create --to {archive.root}` first")  # fmt: skip
    first = snapshots[0].manifest.wall
    if at is not None and at > now + CLOCK_SKEW:
        raise BackupError(f"--at {wall_to_json(at)} is in the future (it is {wall_to_json(now)})")
    if at is not None and at < first:
        raise BackupError(f"--at {wall_to_json(at)} is before the first snapshot: the earliest"
                          f" time {archive.root} can restore is {wall_to_json(first)}")  # fmt: skip
    usable = [s for s in snapshots if at is None or s.manifest.wall <= at]
    snapshot = usable[-1]
    segments = archive.segments()
    chain, end_wall = _chain(archive, snapshot, segments)
    if at is not None and at > end_wall:
        raise BackupError(
            f"--at {wall_to_json(at)} is past the end of the archive: it is complete up to"
            f" {wall_to_json(end_wall)} (is `crowdhire backup follow` running?); use an earlier"
            " time or --at latest"
        )
    if at is not None:
        chain = _until(chain, at)
    newest = snapshots[-1]
    later = [(s, archive.oplog_dir / s.file) for s in segments
             if s.last > newest.manifest.cluster_time]  # fmt: skip
    _check_key([snapshot.manifest.key_id, newest.manifest.key_id,
                *(s.key_id for s in segments)], key)  # fmt: skip
    _check_files(snapshot)
    if newest is not snapshot:
        _check_files(newest)
    for segment, path in {s.file: (s, p) for s, p in [*chain, *later]}.values():
        _check_file(path, segment.sha256, f"oplog segment {segment.file}")
    return RestorePlan(archive, snapshot, chain, at, newest, later, end_wall)


def _chain(
    archive: Archive, snapshot: Snapshot, segments: list[Segment]
) -> tuple[list[tuple[Segment, Path]], datetime]:
    """Segments continuing the snapshot without a break; and where the archive then ends."""
    start = snapshot.manifest.cluster_time
    end, end_wall = start, snapshot.manifest.wall
    chain: list[tuple[Segment, Path]] = []
    for segment in (s for s in segments if s.last > start):
        continues = segment.after <= start if not chain else segment.after == end
        if not continues:
            kind = "a gap (the oplog rolled past the follower)" if segment.gap else "a break"
            raise BackupError(
                f"the oplog archive has {kind} after {wall_to_json(end_wall)}: no point-in-time"
                f" restore across it from snapshot {snapshot.name}; choose a time after the next"
                " snapshot, or restore an earlier time"
            )
        chain.append((segment, archive.oplog_dir / segment.file))
        end, end_wall = segment.last, segment.last_wall
    position = archive.position()
    if position is not None and position.chain_end <= end < position.covered:
        end, end_wall = position.covered, position.covered_wall
    return chain, end_wall


def _until(chain: list[tuple[Segment, Path]], at: datetime) -> list[tuple[Segment, Path]]:
    """The segments needed to reach `at` (up to the first that ends after it)."""
    needed = []
    for segment, path in chain:
        needed.append((segment, path))
        if segment.last_wall >= at:
            break
    return needed


def _check_key(key_ids: list[str | None], key: bytes | None) -> None:
    needed = sorted({k for k in key_ids if k})
    if not needed:
        return
    if key is None:
        raise BackupError(f"this backup is encrypted (key id {', '.join(needed)}): set"
                          " BACKUP_ENCRYPTION_KEY to the key it was written with")  # fmt: skip
    if needed != [key_id(key)]:
        raise BackupError(f"BACKUP_ENCRYPTION_KEY (key id {key_id(key)}) is not the key this"
                          f" backup was written with (key id {', '.join(needed)})")  # fmt: skip


def _check_files(snapshot: Snapshot) -> None:
    for name, collection in snapshot.manifest.collections.items():
        where = f"snapshot {snapshot.name}, collection {name}"
        _check_file(snapshot.path / collection.file, collection.sha256, where)


def _check_file(path: Path, sha256: str, what: str) -> None:
    if not path.exists():
        raise BackupError(f"{what}: file {path.name} is missing")
    if file_sha256(path) != sha256:
        raise BackupError(f"{what}: {path.name} is corrupt (its SHA-256 does not match)")
