"""The backup directory: where snapshots, oplog segments and the position live, and reading them."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from crowdhire.backup.errors import BackupError
from crowdhire.backup.manifest import Manifest, Position, Segment, read_json, write_json

MANIFEST = "manifest.json"
PARTIAL = ".partial"


@dataclass(frozen=True)
class Snapshot:
    """A finished snapshot directory and its manifest."""

    path: Path
    manifest: Manifest

    @property
    def name(self) -> str:
        """The directory name (sorts by cluster time)."""
        return self.path.name


@dataclass(frozen=True)
class Archive:
    """One backup directory (`--to` / `--from`)."""

    root: Path

    @property
    def snapshots_dir(self) -> Path:
        """snapshots/: one directory per snapshot."""
        return self.root / "snapshots"

    @property
    def oplog_dir(self) -> Path:
        """oplog/: segments, their records and position.json."""
        return self.root / "oplog"

    @property
    def position_file(self) -> Path:
        """How far the oplog archive is complete."""
        return self.oplog_dir / "position.json"

    def prepare(self) -> None:
        """Create the directories (mode 0700: backups hold every record)."""
        for path in (self.root, self.snapshots_dir, self.oplog_dir):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)

    def require(self) -> None:
        """Refuse a directory that is not a backup archive."""
        if not self.root.is_dir():
            raise BackupError(f"no backup directory at {self.root}")
        if not self.snapshots_dir.is_dir():
            raise BackupError(f"{self.root} is not a backup directory (no snapshots/ in it)")

    def snapshots(self) -> list[Snapshot]:
        """Finished snapshots, oldest first (half-written ones have no manifest yet)."""
        if not self.snapshots_dir.is_dir():
            return []
        found = []
        for path in sorted(self.snapshots_dir.iterdir()):
            if path.is_dir() and not path.name.endswith(PARTIAL) and (path / MANIFEST).exists():
                manifest = Manifest.from_json(read_json(path / MANIFEST), path / MANIFEST)
                found.append(Snapshot(path, manifest))
        return sorted(found, key=lambda s: s.manifest.cluster_time)

    def segments(self) -> list[Segment]:
        """Oplog segments in time order (a data file without its record is unfinished)."""
        if not self.oplog_dir.is_dir():
            return []
        records = [p for p in self.oplog_dir.glob("*.json") if p.name != self.position_file.name]
        found = [Segment.from_json(read_json(p), p) for p in records]
        return sorted(found, key=lambda s: s.last)

    def position(self) -> Position | None:
        """position.json, when a follower has written one."""
        if not self.position_file.exists():
            return None
        return Position.from_json(read_json(self.position_file), self.position_file)

    def save_position(self, position: Position) -> None:
        """Record how far the archive is complete."""
        write_json(self.position_file, position.to_json())

    @contextmanager
    def follower_lock(self) -> Iterator[None]:
        """One follower per directory: a second one would write a diverging chain."""
        self.prepare()
        fd = os.open(self.root / "follow.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BackupError(f"another `backup follow` is writing to {self.root}") from None
            yield
        finally:
            os.close(fd)
