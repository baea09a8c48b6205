"""Vectors in MongoDB: one per (kind, owner), float32 binData, with the model version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from bson import ObjectId
from bson.binary import Binary, BinaryVectorDtype
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.matching.embeddings import Vectors
from crowdhire.models.common import utcnow
from crowdhire.models.embeddings import EmbeddedKind, Embedding

WATERMARK_OVERLAP = timedelta(seconds=5)
"""A row stamped this long before a poll started is assumed committed by then: writes commit
slightly out of order and instances' clocks differ a little."""


@dataclass(frozen=True)
class StoredVector:
    """A vector as read back (deleted ones have `vector` None)."""

    kind: EmbeddedKind
    owner_id: ObjectId
    model_version: str
    text_hash: str
    vector: Vectors | None
    updated_at: datetime


def _collection() -> Any:
    return Embedding.get_pymongo_collection()


def as_binary(vector: Vectors) -> Binary:
    """The BSON float32 vector form."""
    return Binary.from_vector(vector.astype(np.float32).tolist(), BinaryVectorDtype.FLOAT32)


def _from_row(row: dict[str, Any]) -> StoredVector:
    raw = row.get("vector")
    vector = None
    if raw and not row.get("deleted"):
        vector = np.frombuffer(bytes(raw)[2:], dtype="<f4")  # 2 header bytes: dtype, padding
    return StoredVector(EmbeddedKind(row["kind"]), row["owner_id"], row["model_version"],
                        row.get("text_hash", ""), vector, row["updated_at"])  # fmt: skip


async def save(
    kind: EmbeddedKind, owner_id: ObjectId, model_version: str, text_hash: str, vector: Vectors
) -> None:
    """Store or replace the vector of one job or candidate."""
    values = {"model_version": model_version, "text_hash": text_hash,
              "vector": as_binary(vector), "updated_at": utcnow(), "deleted": False}  # fmt: skip
    await _collection().update_one(
        {"kind": kind.value, "owner_id": owner_id}, {"$set": values}, upsert=True
    )


async def delete(
    kind: EmbeddedKind, owner_id: ObjectId, session: AsyncClientSession | None = None
) -> None:
    """Drop the vector, leaving a tombstone so other instances' polls see the removal."""
    values = {"vector": b"", "text_hash": "", "deleted": True, "updated_at": utcnow()}
    await _collection().update_one(
        {"kind": kind.value, "owner_id": owner_id},
        {"$set": values, "$setOnInsert": {"model_version": ""}},
        upsert=True,
        session=session,
    )


async def find(kind: EmbeddedKind, owner_id: ObjectId) -> StoredVector | None:
    """One stored vector (or its tombstone), or None."""
    row = await _collection().find_one({"kind": kind.value, "owner_id": owner_id})
    return None if row is None else _from_row(row)


async def changed_since(since: datetime | None) -> list[StoredVector]:
    """Every row written after `since` (all rows when None), oldest first."""
    match: dict[str, Any] = {}
    if since is not None:
        match["updated_at"] = {"$gt": since}
    cursor = _collection().find(match).sort("updated_at", 1)
    return [_from_row(row) async for row in cursor]


async def missing_or_stale(
    kind: EmbeddedKind, owner_ids: list[ObjectId], version: str
) -> set[ObjectId]:
    """Which of these owners have no live vector of this model version."""
    cursor = _collection().find(
        {"kind": kind.value, "owner_id": {"$in": owner_ids}, "model_version": version,
         "deleted": False}, {"owner_id": 1},
    )  # fmt: skip
    fresh = {row["owner_id"] async for row in cursor}
    return set(owner_ids) - fresh


async def save_many(
    kind: EmbeddedKind, model_version: str, rows: list[tuple[ObjectId, str, Vectors]]
) -> None:
    """Store many vectors in one bulk write: (owner, text hash, vector) each."""
    if not rows:
        return
    now = utcnow()
    operations = [
        UpdateOne(
            {"kind": kind.value, "owner_id": owner_id},
            {
                "$set": {
                    "model_version": model_version,
                    "text_hash": digest,
                    "vector": as_binary(vector),
                    "updated_at": now,
                    "deleted": False,
                }
            },
            upsert=True,
        )
        for owner_id, digest, vector in rows
    ]
    await _collection().bulk_write(operations, ordered=False)
