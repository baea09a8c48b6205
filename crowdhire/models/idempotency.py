"""MutationReceipt: the first result of a mutation sent with a clientMutationId."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pymongo import ASCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow

RECEIPT_TTL_SECONDS = 24 * 3600


class MutationReceipt(StoredDocument):
    """Keyed by (subject, mutation, clientMutationId); kept for a day."""

    key: str
    input_digest: str
    result: dict[str, Any] = Field(default_factory=dict)
    created_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "mutation_receipts"
        use_cache = False
        indexes = [
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("created_at", ASCENDING)], expireAfterSeconds=RECEIPT_TTL_SECONDS),
        ]
