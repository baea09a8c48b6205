"""A computed ranking as the ranking cache stores it (JSON in memcached, never pickle: a
cache entry is data, not code).

Besides the ranked entries it keeps what serving it again must check: the versions of the
tags it read (shared by every instance) and a digest of the vectors it used, which each
instance compares with its own index (vectors reach instances by polling, at their own pace).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from bson import ObjectId
from bson.errors import InvalidId

from crowdhire.matching.score import Component, MatchScore


@dataclass(frozen=True)
class StoredRanking:
    """Every ranked entry of one ranking, best first, and what it was computed from."""

    versions: dict[str, str]
    pool: list[ObjectId]  # whose cosines the ranking used, in the digest's order
    digest: str
    computed_at: datetime
    entries: list[tuple[ObjectId, MatchScore]]


def encode_ranking(ranking: StoredRanking) -> bytes:
    """The stored bytes."""
    entries = [
        [str(oid), match.score, [[c.name, c.weight, c.value, c.reason] for c in match.components]]
        for oid, match in ranking.entries
    ]
    return orjson.dumps(
        {
            "versions": ranking.versions,
            "pool": [str(oid) for oid in ranking.pool],
            "digest": ranking.digest,
            "at": ranking.computed_at.timestamp(),
            "entries": entries,
        }
    )


def decode_ranking(raw: bytes) -> StoredRanking | None:
    """A ranking from its stored bytes (None when they are not one, e.g. an older format)."""
    try:
        data: dict[str, Any] = orjson.loads(raw)
        at = datetime.fromtimestamp(float(data["at"]), UTC)
        entries = [
            (ObjectId(oid), MatchScore(float(score), tuple(Component(*c) for c in parts), at))
            for oid, score, parts in data["entries"]
        ]
        return StoredRanking(
            versions={str(tag): str(version) for tag, version in data["versions"].items()},
            pool=[ObjectId(oid) for oid in data["pool"]],
            digest=str(data["digest"]),
            computed_at=at,
            entries=entries,
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, InvalidId):
        return None
