"""Company.members is batched and cached like every other relation, and stays fresh after writes."""

from __future__ import annotations

import pytest

from crowdhire.cache import ObjectCache
from crowdhire.models import CompanyMember
from crowdhire.models.companies import MemberRole
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import make_company
from tests.support import CommandCounter, gql

PAGE = "{ companies(first: 30) { nodes { name members { sub role } } } }"
ADD = """mutation($input: AddCompanyMemberInput!) {
  addCompanyMember(input: $input) { member { sub } userErrors { field code message } }
}"""
REMOVE = """mutation($input: RemoveCompanyMemberInput!) {
  removeCompanyMember(input: $input) { removed userErrors { field code message } }
}"""


async def _companies_with_members(count: int) -> None:
    for n in range(count):
        company = await make_company()
        assert company.id is not None
        for role, sub in [
            (MemberRole.OWNER, f"auth0|owner{n}"),
            (MemberRole.MEMBER, f"auth0|m{n}"),
        ]:
            await CompanyMember(company_id=company.id, sub=sub, role=role).insert()


@pytest.mark.parametrize("companies", [2, 20])
async def test_members_of_a_page_of_companies_cost_one_find_cold_and_none_warm(
    app_factory: AppFactory, issuer: Issuer, mongo_commands: CommandCounter, companies: int
) -> None:
    overrides = {"response_cache_enabled": False, "cache_timeout_ms": 1000}
    async with app_factory(**overrides) as (app, client):
        client.headers["Authorization"] = f"Bearer {issuer.admin_token()}"
        cache: ObjectCache = app.state.services.cache
        await _companies_with_members(companies)

        mongo_commands.reset()
        cold = (await gql(client, PAGE))["data"]["companies"]["nodes"]
        cold_names = list(mongo_commands.names)
        mongo_commands.reset()
        warm = (await gql(client, PAGE))["data"]["companies"]["nodes"]
        warm_names = list(mongo_commands.names)

    assert len(cold) == companies and warm == cold
    assert all([m["role"] for m in node["members"]] == ["OWNER", "MEMBER"] for node in cold)
    # companies find + members $in find, whatever the number of companies
    assert cold_names == ["find", "find"], cold_names
    assert warm_names == ["find"], warm_names  # the companies page; members come from memcached
    assert cache.stats.hits >= companies


async def test_adding_and_removing_a_member_shows_on_the_next_read(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(response_cache_enabled=False) as (_, client):
        client.headers["Authorization"] = f"Bearer {issuer.admin_token()}"
        await _companies_with_members(1)
        listed = (await gql(client, "{ companies { nodes { id } } }"))["data"]["companies"]
        company = listed["nodes"][0]["id"]
        query = "query($id: ID!) { node(id: $id) { ... on Company { members { sub } } } }"

        async def subs() -> list[str]:
            body = await gql(client, query, {"id": company})
            return [member["sub"] for member in body["data"]["node"]["members"]]

        assert await subs() == ["auth0|owner0", "auth0|m0"]  # now cached
        added = await gql(client, ADD, {"input": {"companyId": company, "sub": "auth0|new"}})
        assert added["data"]["addCompanyMember"]["userErrors"] == []
        assert await subs() == ["auth0|owner0", "auth0|m0", "auth0|new"]
        removed = await gql(client, REMOVE, {"input": {"companyId": company, "sub": "auth0|m0"}})
        assert removed["data"]["removeCompanyMember"]["userErrors"] == []
        assert await subs() == ["auth0|owner0", "auth0|new"]
