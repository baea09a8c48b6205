"""DuplicateAnswerCount: how many DUPLICATE_CANDIDATE answers a recruiter got on one UTC day.

Kept in MongoDB, not memcached: every instance shares it, an `$inc` upsert is atomic, a
memcached restart or eviction cannot hand a prober a fresh allowance, and the mutation it
guards needs MongoDB anyway (there is no separate outage to fail open or closed on). Days
expire on their own through a TTL index.
"""

from __future__ import annotations

from beanie import PydanticObjectId
from pymongo import ASCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime


class DuplicateAnswerCount(StoredDocument):
    """One recruiter's count for one day (`day` is the ISO date in UTC)."""

    recruiter_id: PydanticObjectId
    day: str
    answers: int = 0
    expires_at: UtcDatetime

    class Settings:
        name = "duplicate_answer_counts"
        use_cache = False
        indexes = [
            IndexModel([("recruiter_id", ASCENDING), ("day", ASCENDING)], unique=True),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        ]
