"""The oplog archive: the app database's oplog entries, in time order, in checksummed segments.

Each poll reads the entries in (covered, M] where M is the replica set's majority commit point:
a tailable cursor would also return entries a failover can still roll back, while everything up to
M is durable and visible, so the archive is exactly complete up to M (position.json says so even
when nothing was written). Multi-document transactions are one `applyOps` entry in `admin.$cmd`;
those touching the database are archived too. A segment covers (after, last] and starts where the
previous one ended; when the oplog no longer reaches back to that point (it rolled past while
nobody followed), the next segment is marked as a gap and a warning is logged loudly.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime
from typing import Any

from bson import Timestamp
from bson.raw_bson import RawBSONDocument
from pymongo.asynchronous.collection import AsyncCollection

from crowdhire.backup.archive import Archive
from crowdhire.backup.cluster_time import Client, majority_point
from crowdhire.backup.crypto import key_id
from crowdhire.backup.files import BsonWriter, data_suffix
from crowdhire.backup.manifest import Position, Segment, write_json
from crowdhire.backup.snapshot import RAW
from crowdhire.backup.times import as_utc, ts_name, wall_to_json

log = logging.getLogger("crowdhire.backup")

MAX_SEGMENT_BYTES = 16 << 20
MAX_SEGMENT_ENTRIES = 50_000


def oplog_filter(database: str) -> dict[str, Any]:
    """Entries of `database`, its transactions, and aborts of transactions written in parts."""
    own = {"$regex": f"^{re.escape(database)}\\."}
    return {"$or": [
        {"ns": own},
        {"op": "c", "ns": "admin.$cmd", "o.applyOps.ns": own},
        {"op": "c", "ns": "admin.$cmd", "o.abortTransaction": {"$exists": True}},
    ]}  # fmt: skip


class OplogArchiver:
    """Appends the database's oplog to an archive; one per archive (see Archive.follower_lock)."""

    def __init__(
        self, client: Client, database: str, archive: Archive, key: bytes | None,
        segment_seconds: float,
    ) -> None:  # fmt: skip
        self._client, self._database, self._archive, self._key = client, database, archive, key
        self._segment_seconds = segment_seconds
        self._buffer: list[RawBSONDocument] = []
        self._buffer_bytes = 0
        self._buffer_since = 0.0
        self._gap: datetime | None = None
        self.gap_found = False  # set on a gap until the service has taken a new snapshot
        self._saved = Timestamp(0, 0)
        self.chain_end: Timestamp | None = None
        self.covered: tuple[Timestamp, datetime] | None = None

    def resume(self) -> bool:
        """Pick up where the archive ends; False when it has no oplog position yet."""
        segments, position = self._archive.segments(), self._archive.position()
        if segments:
            last = segments[-1]
            self.chain_end, self.covered = last.last, (last.last, last.last_wall)
        if position is not None and position.chain_end == (self.chain_end or position.chain_end):
            self.chain_end = position.chain_end
            self.covered = (position.covered, position.covered_wall)
        return self.covered is not None

    def start_at(self, at: Timestamp, wall: datetime) -> None:
        """Begin a new chain at a snapshot's cluster time."""
        self.chain_end, self.covered = at, (at, wall)
        self._save_position()

    async def check_gap(self) -> bool:
        """True (and a loud warning) when the oplog has rolled past the archive's position."""
        assert self.covered is not None
        oplog = self._client.local["oplog.rs"]
        oldest = await oplog.find({}, {"ts": 1, "wall": 1}).sort("$natural", 1).limit(1).to_list()
        if not oldest or oldest[0]["ts"] <= self.covered[0]:
            return False
        self._gap, self.gap_found = self.covered[1], True
        since, until = wall_to_json(self.covered[1]), wall_to_json(as_utc(oldest[0]["wall"]))
        first = oldest[0]["ts"]
        # the chain starts again just before the oldest entry the oplog still has
        restart = Timestamp(first.time, first.inc - 1) if first.inc else Timestamp(first.time, 0)
        self.chain_end = restart
        self.covered = (restart, as_utc(oldest[0]["wall"]))
        log.warning(
            "BACKUP GAP: the oplog no longer reaches back to the archive's position (%s); its"
            " oldest entry is from %s. Writes in between are lost to the archive: no"
            " point-in-time restore between %s and the next snapshot, which is taken now.",
            since, until, since,
        )  # fmt: skip
        return True

    async def poll(self) -> int:
        """Archive what the majority has committed since the last poll; returns entries read."""
        assert self.covered is not None
        await self.check_gap()
        majority, wall = await majority_point(self._client)
        found = 0
        if majority > self.covered[0]:
            found = await self._read(majority)
            self.covered = (majority, wall)
        full = self._full()
        due = self._buffer and time.monotonic() - self._buffer_since >= self._segment_seconds
        if self._gap is not None or full or due:
            self.flush()
        elif found == 0 and majority > self._saved:
            self._save_position()
        return found

    async def _read(self, majority: Timestamp) -> int:
        assert self.covered is not None
        query = {"ts": {"$gt": self.covered[0], "$lte": majority}, **oplog_filter(self._database)}
        oplog: AsyncCollection[RawBSONDocument] = self._client.local.get_collection(
            "oplog.rs", codec_options=RAW
        )  # type: ignore[assignment]  # the RAW codec makes its documents RawBSONDocument
        found = 0
        async for entry in oplog.find(query).sort("$natural", 1):
            if not self._buffer:
                self._buffer_since = time.monotonic()
            self._buffer.append(entry)
            self._buffer_bytes += len(entry.raw)
            found += 1
            if self._full():  # a backlog (after an outage) is cut into segments as it is read
                self.covered = (entry["ts"], as_utc(entry["wall"]))
                self.flush()
        return found

    def _full(self) -> bool:
        return self._buffer_bytes >= MAX_SEGMENT_BYTES or len(self._buffer) >= MAX_SEGMENT_ENTRIES

    def flush(self) -> Segment | None:
        """Write the buffered entries as one segment (a gap is recorded even when empty)."""
        nothing = not self._buffer and self._gap is None
        if nothing or self.covered is None or self.chain_end is None:
            return None
        after, (last, last_wall) = self.chain_end, self.covered
        name = f"{ts_name(after)}_{ts_name(last)}"
        file = name + data_suffix(self._key is not None)
        with BsonWriter(self._archive.oplog_dir / file, self._key) as out:
            for entry in self._buffer:
                out.write(entry.raw)
            written = out.close()
        sealed_with = key_id(self._key) if self._key else None
        segment = Segment(file, after, last, last_wall, written.count, written.size,
                          written.sha256, sealed_with, self._gap)  # fmt: skip
        write_json(self._archive.oplog_dir / f"{name}.json", segment.to_json())
        self._buffer, self._buffer_bytes, self._gap = [], 0, None
        self.chain_end = last
        self._save_position()
        log.info("backup: oplog segment %s, %d entries, complete up to %s",
                 file, written.count, wall_to_json(last_wall))  # fmt: skip
        return segment

    def _save_position(self) -> None:
        assert self.chain_end is not None and self.covered is not None
        if self._buffer:  # the position may only pass entries that are in a segment
            return
        self._archive.save_position(Position(self.chain_end, *self.covered))
        self._saved = self.covered[0]
