"""Embedding: the semantic vector of one job or candidate, tagged with the model that made it."""

from __future__ import annotations

from enum import StrEnum

from beanie import PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow


class EmbeddedKind(StrEnum):
    """What an embedding describes."""

    JOB = "job"
    CANDIDATE = "candidate"


class Embedding(StoredDocument):
    """One vector per (kind, owner); replaced when the text or the model version changes.

    `text_hash` lets a re-run skip unchanged texts; `updated_at` is the watermark other
    instances poll to keep their in-memory index in step.
    """

    kind: EmbeddedKind
    owner_id: PydanticObjectId
    model_version: str
    # BSON binData subtype 9 (float32 vector): a quarter of a list of doubles, and the form
    # Atlas `$vectorSearch` indexes.
    vector: bytes
    text_hash: str
    updated_at: UtcDatetime = Field(default_factory=utcnow)
    # Removed vectors stay as tombstones (empty vector) so pollers learn about the removal.
    deleted: bool = False

    class Settings:
        name = "embeddings"
        use_cache = False
        indexes = [
            IndexModel([("kind", ASCENDING), ("owner_id", ASCENDING)], unique=True),
            IndexModel([("updated_at", ASCENDING)]),
        ]
