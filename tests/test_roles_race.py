"""A roles read that started before a member's removal cannot cache the old roles afterwards.

The race needs one read to fetch roles from MongoDB before the removal commits and to write them
to memcached after the removal forgot them. `HeldWrites` makes that interleaving happen every
time: it passes every call straight to the app's real memcached-backed cache and only holds the
loader's write-back until the removal is done. Nothing stands in for a server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import httpx
from starlette.applications import Starlette

from crowdhire.cache import CacheStats, ObjectCache
from crowdhire.loaders.roles import RolesBySubLoader
from crowdhire.models import CompanyMember
from crowdhire.models.companies import MemberRole
from crowdhire.models.jobs import JobStatus
from tests.auth_support import Issuer
from tests.factories import make_company, make_job
from tests.support import global_id, gql

REMOVE = """mutation($input: RemoveCompanyMemberInput!) {
  removeCompanyMember(input: $input) { removed userErrors { field code message } } }"""
DRAFTS = "{ jobs(filter: { status: [DRAFT] }) { totalCount } }"
MEMBER = "auth0|leaving-member"


class HeldWrites:
    """The real cache, with set_many held until `release` is set."""

    def __init__(self, cache: ObjectCache) -> None:
        self.cache = cache
        self.stats: CacheStats = cache.stats
        self.stores = cache.stores
        self.writing = asyncio.Event()
        self.release = asyncio.Event()

    async def get_many(self, keys: Sequence[str], *, tally: bool = True) -> list[bytes | None]:
        """Straight through."""
        return await self.cache.get_many(keys, tally=tally)

    async def set_many(self, items: Mapping[str, bytes], ttl: int | None = None) -> bool:
        """Through, once released."""
        self.writing.set()
        await self.release.wait()
        return await self.cache.set_many(items, ttl)

    async def delete_many(self, keys: Sequence[str]) -> None:
        """Straight through."""
        await self.cache.delete_many(keys)

    async def add(self, key: str, value: bytes, ttl: int | None = None) -> bool:
        """Straight through."""
        return await self.cache.add(key, value, ttl)

    async def close(self) -> None:
        """The app closes the real cache."""

    async def ping(self) -> bool:
        """Straight through."""
        return await self.cache.ping()


async def test_a_slow_roles_read_does_not_bring_back_a_removed_membership(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette, cache: ObjectCache
) -> None:
    company = await make_company()
    await make_job(company, status=JobStatus.DRAFT)
    await CompanyMember(company_id=company.id, sub="auth0|owner", role=MemberRole.OWNER).insert()
    await CompanyMember(company_id=company.id, sub=MEMBER, role=MemberRole.MEMBER).insert()
    member_token, owner_token = issuer.token(MEMBER), issuer.token("auth0|owner")

    # A read of the member's roles (another instance, say) fetches them from MongoDB...
    held = HeldWrites(cache)
    slow_read = asyncio.ensure_future(RolesBySubLoader(held).load(MEMBER))
    await asyncio.wait_for(held.writing.wait(), 10)
    # ...the owner removes the member (committed, cached roles forgotten)...
    removal = {"companyId": global_id("Company", company), "sub": MEMBER}
    removed = (await gql(anonymous_client, REMOVE, {"input": removal}, as_=owner_token))["data"]
    assert removed["removeCompanyMember"]["userErrors"] == []
    # ...and only then does the slow read write what it read.
    held.release.set()
    assert (await slow_read).company_roles == {company.id: MemberRole.MEMBER}

    after = (await gql(anonymous_client, DRAFTS, as_=member_token))["data"]
    assert after["jobs"]["totalCount"] == 0
