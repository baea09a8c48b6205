"""A company's members, many companies per batch, read through the object cache."""

from __future__ import annotations

import orjson
from bson import ObjectId
from pymongo import ASCENDING
from strawberry.dataloader import DataLoader

from crowdhire.cache import ObjectCache
from crowdhire.footprints import note_partitions
from crowdhire.loaders.base import CachedKind, decode_document, object_key
from crowdhire.models.companies import CompanyMember


def _encode(members: list[CompanyMember]) -> bytes:
    return b"[" + b",".join(m.model_dump_json(by_alias=True).encode() for m in members) + b"]"


def _decode(raw: bytes) -> list[CompanyMember]:
    return [CompanyMember.model_validate(item) for item in orjson.loads(raw)]


class MembersByCompanyIdLoader(DataLoader[ObjectId, list[CompanyMember]]):
    """Members per company, oldest first: one cache multi-get, one `$in` find for the misses.

    The whole list is one cache entry (key `members:<company id>`), so the writes that change a
    company's membership forget it with `(CachedKind.MEMBERS, company_id)`.
    """

    def __init__(self, cache: ObjectCache) -> None:
        super().__init__(load_fn=self._load)
        self._cache = cache

    async def _load(self, company_ids: list[ObjectId]) -> list[list[CompanyMember]]:
        collection = CompanyMember.get_pymongo_collection()
        note_partitions(collection.name, "company_id", company_ids)  # also when cached
        keys = [object_key(CachedKind.MEMBERS, company_id) for company_id in company_ids]
        cached = await self._cache.get_many(keys)
        found = {cid: _decode(raw) for cid, raw in zip(company_ids, cached, strict=True) if raw}
        misses = [cid for cid in company_ids if cid not in found]
        if misses:
            fresh: dict[ObjectId, list[CompanyMember]] = {cid: [] for cid in misses}
            cursor = collection.find({"company_id": {"$in": misses}}).sort(
                [("company_id", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)]
            )
            async for raw_doc in cursor:
                fresh[raw_doc["company_id"]].append(decode_document(CompanyMember, raw_doc))
            await self._cache.set_many(
                {object_key(CachedKind.MEMBERS, cid): _encode(m) for cid, m in fresh.items()}
            )
            found.update(fresh)
        return [found[cid] for cid in company_ids]
