"""The JSON records of an archive: snapshot manifests, oplog segment records, the position."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bson import Timestamp

from crowdhire.backup.errors import BackupError
from crowdhire.backup.times import ts_from_json, ts_to_json, wall_from_json, wall_to_json

FORMAT = 1


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write a file whole or not at all (temporary name, fsync, rename)."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("w") as out:
        json.dump(data, out, indent=2, sort_keys=True)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    partial.rename(path)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from the archive, or a BackupError naming the file."""
    try:
        data = json.loads(path.read_text())
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from None
    except ValueError:
        raise BackupError(f"{path} is damaged (not valid JSON)") from None
    if not isinstance(data, dict):
        raise BackupError(f"{path} is damaged (not a JSON object)")
    return data


def schema_hash() -> str:
    """SHA-256 of the GraphQL SDL (`crowdhire schema`): which API the data was written by."""
    from crowdhire.graphql.schema import schema_sdl  # noqa: PLC0415 - building the schema takes a second

    return hashlib.sha256(schema_sdl().encode()).hexdigest()


@dataclass(frozen=True)
class CollectionFile:
    """One collection of a snapshot."""

    file: str
    count: int
    size: int
    sha256: str


@dataclass
class Manifest:
    """What a snapshot holds and the cluster time it was read at."""

    database: str
    cluster_time: Timestamp
    wall: datetime
    created_at: datetime
    crowdhire_version: str
    schema_sha256: str
    key_id: str | None
    collections: dict[str, CollectionFile] = field(default_factory=dict)

    @property
    def encrypted(self) -> bool:
        """Whether its files need BACKUP_ENCRYPTION_KEY."""
        return self.key_id is not None

    def to_json(self) -> dict[str, Any]:
        """The manifest.json object."""
        return {
            "format": FORMAT,
            "database": self.database,
            "cluster_time": ts_to_json(self.cluster_time),
            "wall": wall_to_json(self.wall),
            "created_at": wall_to_json(self.created_at),
            "crowdhire_version": self.crowdhire_version,
            "schema_sha256": self.schema_sha256,
            "encrypted": self.encrypted,
            "key_id": self.key_id,
            "collections": {name: asdict(c) for name, c in sorted(self.collections.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], where: Path) -> Manifest:
        """A manifest read back; BackupError when a field is missing or malformed."""
        try:
            return cls(
                database=str(data["database"]),
                cluster_time=ts_from_json(data["cluster_time"]),
                wall=wall_from_json(data["wall"]),
                created_at=wall_from_json(data["created_at"]),
                crowdhire_version=str(data["crowdhire_version"]),
                schema_sha256=str(data["schema_sha256"]),
                key_id=data.get("key_id"),
                collections={n: CollectionFile(**c) for n, c in data["collections"].items()},
            )
        except (KeyError, TypeError, ValueError, IndexError):
            raise BackupError(f"{where} is damaged (a field is missing or malformed)") from None


@dataclass(frozen=True)
class Segment:
    """A run of oplog entries covering (after, last]; `gap` = entries before it may be lost."""

    file: str
    after: Timestamp
    last: Timestamp
    last_wall: datetime
    count: int
    size: int
    sha256: str
    key_id: str | None
    gap_since: datetime | None = None  # set when the oplog had rolled past the archive

    @property
    def gap(self) -> bool:
        """Whether writes just before this segment are missing from the archive."""
        return self.gap_since is not None

    def to_json(self) -> dict[str, Any]:
        """The segment's .json record."""
        return {
            "file": self.file, "after": ts_to_json(self.after), "last": ts_to_json(self.last),
            "last_wall": wall_to_json(self.last_wall), "count": self.count, "size": self.size,
            "sha256": self.sha256, "key_id": self.key_id,
            "gap_since": wall_to_json(self.gap_since) if self.gap_since else None,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any], where: Path) -> Segment:
        """A segment record read back; BackupError when malformed."""
        try:
            return cls(
                file=str(data["file"]), after=ts_from_json(data["after"]),
                last=ts_from_json(data["last"]), last_wall=wall_from_json(data["last_wall"]),
                count=int(data["count"]), size=int(data["size"]), sha256=str(data["sha256"]),
                key_id=data.get("key_id"),
                gap_since=wall_from_json(data["gap_since"]) if data.get("gap_since") else None,
            )  # fmt: skip
        except (KeyError, TypeError, ValueError, IndexError):
            raise BackupError(f"{where} is damaged (a field is missing or malformed)") from None


@dataclass(frozen=True)
class Position:
    """How far the archive is complete: `chain_end` = last segment's end, `covered` ≥ it."""

    chain_end: Timestamp
    covered: Timestamp
    covered_wall: datetime

    def to_json(self) -> dict[str, Any]:
        """position.json."""
        return {"chain_end": ts_to_json(self.chain_end), "covered": ts_to_json(self.covered),
                "covered_wall": wall_to_json(self.covered_wall)}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any], where: Path) -> Position:
        """position.json read back."""
        try:
            return cls(ts_from_json(data["chain_end"]), ts_from_json(data["covered"]),
                       wall_from_json(data["covered_wall"]))  # fmt: skip
        except (KeyError, TypeError, ValueError, IndexError):
            raise BackupError(f"{where} is damaged (a field is missing or malformed)") from None
