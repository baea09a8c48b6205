"""Roles of a signed-in subject, from our data: recruiter profile and company memberships.

Cached roles are versioned so a slow read can never put back roles that changed under it:
`roles_key(sub)` holds a random version token (created with memcached `add`, so one reader
wins) and the roles live under that token's own key. A change forgets `roles_key(sub)` after it
commits; a read that fetched its roles from MongoDB before the commit writes them under the old
token, which no later read looks up (tokens are random and never come back).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

import orjson
from bson import ObjectId
from strawberry.dataloader import DataLoader

from crowdhire.cache import ObjectCache, cache_key
from crowdhire.footprints import note_partitions
from crowdhire.models.companies import CompanyMember, MemberRole
from crowdhire.models.recruiters import Recruiter


@dataclass(frozen=True)
class SubjectRoles:
    """What our data says a subject is."""

    recruiter_id: ObjectId | None
    company_roles: dict[ObjectId, MemberRole]


def roles_key(sub: str) -> str:
    """The cache key of a subject's roles version (forgotten when they change)."""
    return cache_key("roles", sub)


def _entry_key(sub: str, version: str) -> str:
    return cache_key("roles-entry", f"{version}:{sub}")


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

    async def _versions(self, subs: list[str]) -> dict[str, str]:
        """Each subject's current version token, created where none exists."""
        raw = await self._cache.get_many([roles_key(sub) for sub in subs], tally=False)
        versions = {sub: value.decode() for sub, value in zip(subs, raw, strict=True) if value}
        new = {sub: secrets.token_hex(8) for sub in subs if sub not in versions}
        added = await asyncio.gather(
            *(self._cache.add(roles_key(sub), token.encode()) for sub, token in new.items())
        )
        # Lost the race (or no cache): these roles are read from MongoDB and not kept.
        won = zip(new.items(), added, strict=True)
        versions.update((sub, token) for (sub, token), ok in won if ok)
        return versions

    async def _load(self, subs: list[str]) -> list[SubjectRoles]:
        # An answer showing someone's roles depends on them, also when they come from the cache.
        note_partitions(Recruiter.get_pymongo_collection().name, "sub", subs)
        note_partitions(CompanyMember.get_pymongo_collection().name, "sub", subs)
        versions = await self._versions(subs)
        keyed = [sub for sub in subs if sub in versions]
        cached = await self._cache.get_many([_entry_key(sub, versions[sub]) for sub in keyed])
        found = {sub: _decode(raw) for sub, raw in zip(keyed, cached, strict=True) if raw}
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
            kept = {
                _entry_key(s, versions[s]): _encode(r) for s, r in fresh.items() if s in versions
            }
            await self._cache.set_many(kept)
            found.update(fresh)
        return [found[sub] for sub in subs]
