"""ErasureRecord: the ids of erased candidates, which a restore from backup erases again."""

from __future__ import annotations

from pydantic import Field

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow


class ErasureRecord(StoredDocument):
    """One erased candidate: `_id` is the candidate's own id; when; nothing about the person."""

    erased_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "erasure_ledger"
        use_cache = False
