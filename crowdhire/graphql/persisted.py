"""Persisted queries: durable in MongoDB, read through memcached, keyed by SHA-256."""

from __future__ import annotations

import contextlib

from pymongo.errors import DuplicateKeyError

from crowdhire.cache import ObjectCache, cache_key
from crowdhire.models.persisted_queries import PersistedQuery, document_hash


def _key(sha256: str) -> str:
    return cache_key("persisted", sha256)


class PersistedQueries:
    """Look up and register documents by hash; memcached in front of MongoDB."""

    def __init__(self, cache: ObjectCache) -> None:
        self.cache = cache

    async def get(self, sha256: str) -> str | None:
        """The document registered under this hash, or None."""
        (cached,) = await self.cache.get_many([_key(sha256)])
        if cached is not None:
            return cached.decode()
        found = await PersistedQuery.find_one(PersistedQuery.sha256 == sha256)
        if found is None:
            return None
        await self.cache.set_many({_key(sha256): found.query.encode()})
        return found.query

    async def register(self, query: str) -> str:
        """Store a document (idempotent); returns its hash."""
        sha256 = document_hash(query)
        with contextlib.suppress(DuplicateKeyError):  # already registered: same text
            await PersistedQuery(sha256=sha256, query=query).insert()
        await self.cache.set_many({_key(sha256): query.encode()})
        return sha256
