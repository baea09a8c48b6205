"""Oplog timestamps and wall-clock times as the archive's JSON files store them."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import Timestamp

from crowdhire.backup.errors import BackupError

LATEST = "latest"


def ts_to_json(ts: Timestamp) -> list[int]:
    """[seconds, increment]: JSON has no Timestamp."""
    return [ts.time, ts.inc]


def ts_from_json(value: list[int]) -> Timestamp:
    """The Timestamp a ts_to_json value stands for."""
    return Timestamp(int(value[0]), int(value[1]))


def ts_name(ts: Timestamp) -> str:
    """A file-name fragment that sorts like the timestamp."""
    return f"{ts.time:012d}-{ts.inc:010d}"


def as_utc(value: datetime) -> datetime:
    """MongoDB's naive datetimes are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def wall_to_json(value: datetime) -> str:
    """ISO 8601 with milliseconds (MongoDB's resolution) and a Z."""
    return as_utc(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def wall_from_json(value: str) -> datetime:
    """The datetime a wall_to_json value stands for."""
    return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


def parse_at(text: str) -> datetime | None:
    """`--at`: an ISO 8601 time with a zone (None for `latest`)."""
    if text.strip().lower() == LATEST:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BackupError(
            f"--at {text!r} is not a time: give ISO 8601 with a zone, e.g. "
            "2026-12-01T10:15:00Z, or `latest`"
        ) from None
    if value.tzinfo is None:
        raise BackupError(f"--at {text!r} has no time zone: add Z (UTC) or an offset like +01:00")
    return value.astimezone(UTC)
