"""Roles of a signed-in subject, from our data: recruiter profile and company memberships."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from bson import ObjectId
from strawberry.dataloader import DataLoader

from crowdhire.cache import ObjectCache, cache_key
from crowdhire.models.companies import CompanyMember, MemberRole
from crowdhire.models.recruiters import Recruiter


@dataclass(frozen=True)
class SubjectRoles:
    """What our data says a subject is."""

    recruiter_id: ObjectId | None
    company_roles: dict[ObjectId, MemberRole]


def roles_key(sub: str) -> str:
    """The cache key of a subject's roles (forgotten when they change)."""
    return cache_key("roles", sub)


def _encode(roles: SubjectRoles) -> bytes:
    return orjson.dumps(
        {
            "recruiter_id": str(roles.recruiter_id) if roles.recruiter_id else None,
            "companies": {str(k): v.value for k, v in roles.company_roles.items()},
        }
    )


def _decode(raw: bytes) -> SubjectRoles:
    data = orjson.loads(raw)
    recruiter = data["recruiter_id"]
    return SubjectRoles(
        recruiter_id=ObjectId(recruiter) if recruiter else None,
        company_roles={ObjectId(k): MemberRole(v) for k, v in data["companies"].items()},
    )


class RolesBySubLoader(DataLoader[str, SubjectRoles]):
    """Roles per subject: cache first, then one query per collection for the misses."""

    def __init__(self, cache: ObjectCache) -> None:
        super().__init__(load_fn=self._load)
        self._cache = cache

    async def _load(self, subs: list[str]) -> list[SubjectRoles]:
        cached = await self._cache.get_many([roles_key(sub) for sub in subs])
        found = {sub: _decode(raw) for sub, raw in zip(subs, cached, strict=True) if raw}
        misses = [sub for sub in subs if sub not in found]
        if misses:
            recruiters = Recruiter.get_pymongo_collection().find(
                {"sub": {"$in": misses}}, projection={"sub": 1}, limit=len(misses)
            )
            recruiter_ids = {doc["sub"]: doc["_id"] async for doc in recruiters}
            memberships = CompanyMember.get_pymongo_collection().find(
                {"sub": {"$in": misses}}, projection={"sub": 1, "company_id": 1, "role": 1}
            )
            companies: dict[str, dict[ObjectId, MemberRole]] = {sub: {} for sub in misses}
            async for doc in memberships:
                companies[doc["sub"]][doc["company_id"]] = MemberRole(doc["role"])
            fresh = {sub: SubjectRoles(recruiter_ids.get(sub), companies[sub]) for sub in misses}
            await self._cache.set_many({roles_key(s): _encode(r) for s, r in fresh.items()})
            found.update(fresh)
        return [found[sub] for sub in subs]
