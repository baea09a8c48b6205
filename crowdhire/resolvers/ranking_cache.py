"""The ranking cache: a computed ranking is stored in memcached and served again while nothing
it was computed from has changed.

What it read from MongoDB (the job or candidate, the pool's documents) is guarded by cache tags
(crowdhire.tags), whose versions are read *before* the data they guard: a write that commits
later bumps them after its commit, so the stored ranking is stale from then on, on every
instance. What it read from this process's vector index is guarded by a digest of the nearest
owners and the cosines it used, checked against the index of the instance serving it.

Each list served is still audited by the caller: the cache saves the ranking's CPU, not the
record of who was shown what.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace

from bson import ObjectId

from crowdhire.cache import ObjectCache, cache_key
from crowdhire.context import Context
from crowdhire.footprints import announce_writes
from crowdhire.matching.embeddings import loaded_encoder
from crowdhire.matching.rank import Ranked
from crowdhire.matching.ranking_codec import StoredRanking, encode_ranking
from crowdhire.models.common import utcnow
from crowdhire.observability.stats import RANKING_CACHE
from crowdhire.tags.versions import TagVersions


class Guard:
    """The versions of the tags a ranking reads, each taken before what it guards is read."""

    def __init__(self, cache: ObjectCache | None) -> None:
        self._versions = TagVersions(cache) if cache is not None else None
        self.read: dict[str, str] = {}
        self.complete = cache is not None

    async def before_reading(self, tags: Iterable[str]) -> None:
        """Take the versions of `tags` now (a cache outage: the ranking is not stored)."""
        if self._versions is None:
            return
        versions = await self._versions.complete(tags)
        if versions is None:
            self.complete = False
        else:
            self.read |= versions


@dataclass
class Computed:
    """A ranking just computed: entries best first, and the vectors it used."""

    entries: list[Ranked[None]]
    pool: list[ObjectId]
    digest: str

    @classmethod
    def empty(cls) -> Computed:
        """Nothing to rank (the job is gone, the person opted out since the request began)."""
        return cls([], [], vector_digest([], {}, []))


def vector_digest(
    nearest: list[ObjectId], cosines: dict[ObjectId, float], pool: list[ObjectId]
) -> str:
    """What a ranking used of the vector index: the nearest owners it proposed and the cosine
    of each pooled owner (absent: no vector). Rounded, so float noise never reads as change."""
    digest = hashlib.blake2b(digest_size=16)
    for owner_id in nearest:
        digest.update(owner_id.binary)
    digest.update(b"|")
    for owner_id in pool:
        cosine = cosines.get(owner_id)
        digest.update(b"-" if cosine is None else struct.pack("<f", round(cosine, 5)))
    return digest.hexdigest()


def ranking_key(context: Context, *parts: str) -> str:
    """The cache key of one ranking: what it ranks, for whom, by which model (and whether the
    model is loaded here: skill names are compared semantically only then, which moves scores)."""
    matching = context.matching
    model = matching.model_version if matching is not None else "none"
    names = "names" if loaded_encoder() is not None else "plain"
    return cache_key("ranking", ":".join((*parts, model, names)))


async def cached_ranking(
    context: Context,
    key: str,
    compute: Callable[[Guard], Awaitable[Computed]],
    vectors_now: Callable[[list[ObjectId]], Awaitable[str]],
) -> list[Ranked[None]]:
    """The stored ranking under `key` while it is fresh, else `compute`'s (stored for the next
    request). `vectors_now(pool)` gives this instance's digest of the vectors for that pool."""
    ttl = context.settings.matching_ranking_cache_seconds
    usable = ttl > 0 and await announce_writes(context.cache, context.settings.mongodb_db, None)
    if usable:
        stored = await context.loaders.ranking_by_key.load(key)
        if stored is not None and await vectors_now(stored.pool) == stored.digest:
            RANKING_CACHE.labels("hit").inc()
            return [Ranked(owner_id, None, match) for owner_id, match in stored.entries]
        RANKING_CACHE.labels("miss").inc()
    guard = Guard(context.cache if usable else None)
    computed = await compute(guard)
    now = utcnow()
    entries = [
        Ranked(e.owner_id, None, replace(e.match, computed_at=now)) for e in computed.entries
    ]
    if usable and guard.complete:
        ranking = StoredRanking(
            versions=guard.read,
            pool=computed.pool,
            digest=computed.digest,
            computed_at=now,
            entries=[(entry.owner_id, entry.match) for entry in entries],
        )
        await context.cache.set_many({key: encode_ranking(ranking)}, ttl=ttl)
    return entries
