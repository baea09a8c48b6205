"""Oplog entries applied to another database with the server's own `applyOps`.

`applyOps` understands every entry format the server writes (including the `$v: 2` update
diffs), so replayed documents end byte for byte as they were. Entries are renamed to the target
database and stripped of collection UUIDs and session fields; a transaction's operations are
applied when its last part is reached (never if it aborted). Index commands are skipped: the
restore builds the indexes once at the end.
"""

from __future__ import annotations

import logging
from typing import Any

from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

from crowdhire.backup.cluster_time import Client

log = logging.getLogger("crowdhire.backup")

ENTRY = CodecOptions(document_class=RawBSONDocument, tz_aware=True)
BATCH_OPS = 1000
BATCH_BYTES = 8 << 20
_SKIPPED = {"createIndexes", "dropIndexes", "collMod", "startIndexBuild", "commitIndexBuild",
            "abortIndexBuild"}  # fmt: skip


def entry(raw: bytes) -> RawBSONDocument:
    """An oplog entry read lazily from its bytes (fields decoded on access)."""
    return RawBSONDocument(raw, ENTRY)


class Replayer:
    """Applies entries of `source` to `target` in order, in batches."""

    def __init__(self, client: Client, source: str, target: str, collections: set[str]) -> None:
        self._client, self._source, self._target = client, source, target
        self._existing = set(collections)
        self._batch: list[dict[str, Any]] = []
        self._bytes = 0
        self._partial: dict[tuple[bytes, int], list[RawBSONDocument]] = {}
        self.applied = 0

    async def add(self, doc: RawBSONDocument) -> None:
        """One top-level oplog entry."""
        if doc["ns"] == "admin.$cmd" and doc["op"] == "c":
            await self._transaction(doc)
        else:
            await self._operation(doc)

    async def _transaction(self, doc: RawBSONDocument) -> None:
        command = doc["o"]
        key = (doc["lsid"].raw if "lsid" in doc else b"", int(doc.get("txnNumber", -1)))
        if "abortTransaction" in command:
            self._partial.pop(key, None)
            return
        if "applyOps" not in command:
            return
        parts = self._partial.pop(key, []) + list(command["applyOps"])
        if doc.get("partialTxn"):
            self._partial[key] = parts
            return
        for operation in parts:
            await self._operation(operation)

    async def _operation(self, doc: RawBSONDocument) -> None:
        ns: str = doc["ns"]
        if not ns.startswith(self._source + ".") or doc["op"] == "n":
            return
        op: dict[str, Any] = {"op": doc["op"], "ns": self._target + ns[len(self._source) :],
                              "o": doc["o"]}  # fmt: skip
        if "o2" in doc:
            op["o2"] = doc["o2"]
        if doc["op"] == "c" and not self._command(doc["o"]):
            return
        self._batch.append(op)
        self._bytes += len(doc.raw)
        if len(self._batch) >= BATCH_OPS or self._bytes >= BATCH_BYTES:
            await self.flush()

    def _command(self, command: RawBSONDocument) -> bool:
        """Whether to replay a database command (and track which collections exist)."""
        name = next(iter(command))
        if name == "create":
            if command["create"] in self._existing:
                return False
            self._existing.add(command["create"])
            return True
        if name == "drop":
            self._existing.discard(command["drop"])
            return True
        if name == "dropDatabase":
            self._existing.clear()
            return True
        if name not in _SKIPPED:
            log.warning("restore: oplog command %s is not replayed", name)
        return False

    async def flush(self) -> None:
        """Apply the batch."""
        if self._batch:
            await self._client.admin.command("applyOps", self._batch)
            self.applied += len(self._batch)
            self._batch, self._bytes = [], 0
