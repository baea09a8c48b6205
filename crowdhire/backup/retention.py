"""Retention: keep BACKUP_KEEP_DAYS of point-in-time restore, delete what is older.

The newest snapshot older than the window is kept too (restores early in the window start from
it), and with it every oplog segment that a kept snapshot's replay may need; segments inside the
window stay too (a recorded gap remains visible to `backup verify`).
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

from crowdhire.backup.archive import Archive


def prune(archive: Archive, keep_days: float, now: datetime) -> list[str]:
    """Delete snapshots and segments no restore inside the window needs; returns their names."""
    cutoff = now - timedelta(days=keep_days)
    snapshots = archive.snapshots()
    older = [s for s in snapshots if s.manifest.wall < cutoff]
    doomed = older[:-1] if older else []
    if len(doomed) == len(snapshots):
        doomed = doomed[:-1]  # never the last snapshot
    kept = [s for s in snapshots if s not in doomed]
    removed: list[str] = []
    for snapshot in doomed:
        shutil.rmtree(snapshot.path)
        removed.append(snapshot.name)
    if not kept:
        return removed
    start = kept[0].manifest.cluster_time
    for segment in archive.segments():
        if segment.last <= start and segment.last_wall < cutoff:
            (archive.oplog_dir / segment.file).unlink(missing_ok=True)
            record = segment.file.split(".", 1)[0] + ".json"
            (archive.oplog_dir / record).unlink(missing_ok=True)
            removed.append(segment.file)
    return removed
