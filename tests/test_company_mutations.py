"""createCompany and updateCompany: rules, user errors, atomicity, retries, cache and audit."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from bson import ObjectId
from starlette.applications import Starlette

from crowdhire.models import AuditEvent, Company, CompanyMember
from crowdhire.models.companies import MemberRole
from crowdhire.schema.ids import encode_global_id
from tests.auth_support import Issuer
from tests.factories import make_company, make_recruiter
from tests.support import codes, global_id, gql

CREATE = """mutation($input: CreateCompanyInput!) {
  createCompany(input: $input) {
    company { id name slug website description }
    userErrors { field code message }
  }
}"""
UPDATE = """mutation($input: UpdateCompanyInput!) {
  updateCompany(input: $input) {
    company { id name slug website description }
    userErrors { field code message }
  }
}"""
READ = """query($id: ID!) { node(id: $id) { ... on Company { name slug website description
  members { sub role } } } }"""
ACME = {"name": "Acme", "slug": "acme", "website": "https://acme.example", "description": "Rockets"}


async def counts() -> tuple[int, int, int]:
    """Companies, memberships and audit events stored."""
    return (
        await Company.find_all().count(),
        await CompanyMember.find_all().count(),
        await AuditEvent.find_all().count(),
    )


async def test_admin_creates_a_company_with_its_first_owner_who_can_then_manage_it(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    owner = issuer.token("auth0|founder")

    created = (
        await gql(
            anonymous_client,
            CREATE,
            variables={"input": {**ACME, "ownerSub": "auth0|founder"}},
            as_=issuer.admin_token(),
        )
    )["data"]
    payload = created["createCompany"]
    as_owner = (
        await gql(anonymous_client, READ, variables={"id": payload["company"]["id"]}, as_=owner)
    )["data"]
    renamed = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={"input": {"companyId": payload["company"]["id"], "name": "Acme Inc"}},
            as_=owner,
        )
    )["data"]

    assert payload["userErrors"] == []
    assert {k: v for k, v in payload["company"].items() if k != "id"} == ACME
    assert as_owner["node"]["members"] == [{"sub": "auth0|founder", "role": "OWNER"}]
    assert renamed["updateCompany"]["company"]["name"] == "Acme Inc"
    member = await CompanyMember.find_one({"sub": "auth0|founder"})
    assert member is not None and member.role is MemberRole.OWNER
    event = await AuditEvent.find_one({"action": "createCompany"})
    assert event is not None and event.actor_sub == "auth0|test-admin"
    assert set(event.targets) == {"company", "member"}
    assert event.changed_fields == ["description", "name", "slug", "website"]
    stored_event = str(event.model_dump())
    assert "Rockets" not in stored_event and "acme.example" not in stored_event


async def test_create_company_without_owner(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    data = (
        await gql(
            anonymous_client,
            CREATE,
            variables={"input": {"name": "  Solo  ", "slug": "solo"}},
            as_=issuer.admin_token(),
        )
    )["data"]

    assert data["createCompany"]["company"]["name"] == "Solo"
    assert data["createCompany"]["company"]["website"] is None
    assert await counts() == (1, 0, 1)


@pytest.mark.parametrize(
    ("who", "overrides", "expected"),
    [
        (None, {}, [([], "UNAUTHENTICATED")]),
        ("auth0|recruiter", {}, [([], "FORBIDDEN")]),
        ("auth0|owner", {}, [([], "FORBIDDEN")]),
        ("admin", {"slug": "Not A Slug"}, [(["slug"], "INVALID_INPUT")]),
        ("admin", {"slug": "-dash-first"}, [(["slug"], "INVALID_INPUT")]),
        ("admin", {"name": "   "}, [(["name"], "INVALID_INPUT")]),
        ("admin", {"website": "ftp://acme.example"}, [(["website"], "INVALID_INPUT")]),
        ("admin", {"website": "not a url"}, [(["website"], "INVALID_INPUT")]),
        ("admin", {"description": "x" * 5001}, [(["description"], "INVALID_INPUT")]),
        ("admin", {"ownerSub": "has space"}, [(["ownerSub"], "INVALID_INPUT")]),
        ("admin", {"slug": "taken"}, [(["slug"], "DUPLICATE_SLUG")]),
        (
            "admin",
            {"slug": "BAD", "name": ""},
            [(["slug"], "INVALID_INPUT"), (["name"], "INVALID_INPUT")],
        ),
    ],
)
async def test_create_company_user_errors_change_nothing(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    app: Starlette,
    who: str | None,
    overrides: dict[str, Any],
    expected: list[tuple[list[str], str]],
) -> None:
    taken = await make_company(slug="taken")
    await CompanyMember(company_id=taken.id, sub="auth0|owner", role=MemberRole.OWNER).insert()
    await make_recruiter(sub="auth0|recruiter")
    token = None if who is None else issuer.admin_token() if who == "admin" else issuer.token(who)
    before = await counts()

    data = (
        await gql(
            anonymous_client,
            CREATE,
            variables={"input": {**ACME, "ownerSub": "auth0|new-owner", **overrides}},
            as_=token,
        )
    )["data"]

    assert data["createCompany"]["company"] is None
    assert codes(data["createCompany"]) == expected
    assert await counts() == before
    assert await CompanyMember.find_one({"sub": "auth0|new-owner"}) is None


async def test_concurrent_creates_with_one_slug_leave_one_company_and_one_owner(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    admin = issuer.admin_token()

    results = await asyncio.gather(
        *(
            gql(
                anonymous_client,
                CREATE,
                variables={"input": {**ACME, "ownerSub": f"auth0|owner-{n}"}},
                as_=admin,
            )
            for n in range(4)
        )
    )

    payloads = [r["data"]["createCompany"] for r in results]
    winners = [p for p in payloads if p["company"] is not None]
    assert len(winners) == 1
    assert (
        sorted(codes(p) for p in payloads if p["company"] is None)
        == [[(["slug"], "DUPLICATE_SLUG")]] * 3
    )
    assert await counts() == (1, 1, 1)


async def test_create_company_retry_with_client_mutation_id_returns_the_first_result(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    admin = issuer.admin_token()
    keyed = {**ACME, "clientMutationId": "acme-1"}

    first = (await gql(anonymous_client, CREATE, variables={"input": keyed}, as_=admin))["data"]
    again = (await gql(anonymous_client, CREATE, variables={"input": keyed}, as_=admin))["data"]
    other = (
        await gql(
            anonymous_client, CREATE, variables={"input": {**keyed, "slug": "acme-2"}}, as_=admin
        )
    )["data"]

    assert first == again
    assert first["createCompany"]["userErrors"] == []
    assert codes(other["createCompany"]) == [(["clientMutationId"], "IDEMPOTENCY_KEY_REUSED")]
    assert await counts() == (1, 0, 1)


@pytest.fixture
async def acme(app: Starlette) -> Company:
    """A company with an owner and a plain member."""
    company = await make_company(**{k: v for k, v in ACME.items()})
    await CompanyMember(company_id=company.id, sub="auth0|owner", role=MemberRole.OWNER).insert()
    await CompanyMember(company_id=company.id, sub="auth0|member").insert()
    return company


async def test_owner_updates_some_fields_and_the_next_read_shows_them(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, acme: Company
) -> None:
    owner, company_id = issuer.token("auth0|owner"), global_id("Company", acme)
    warm = (
        await gql(
            anonymous_client, READ.replace("members { sub role }", ""), variables={"id": company_id}
        )
    )["data"]

    data = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={"input": {"companyId": company_id, "name": "Acme 2", "website": None}},
            as_=owner,
        )
    )["data"]
    after = (
        await gql(
            anonymous_client, READ.replace("members { sub role }", ""), variables={"id": company_id}
        )
    )["data"]

    assert warm["node"]["name"] == "Acme"
    assert data["updateCompany"]["userErrors"] == []
    assert after["node"] == {
        "name": "Acme 2",
        "slug": "acme",
        "website": None,
        "description": "Rockets",
    }
    event = await AuditEvent.find_one({"action": "updateCompany"})
    assert event is not None and event.changed_fields == ["name", "website"]
    assert event.targets == {"company": str(acme.id)}
    assert "Acme 2" not in str(event.model_dump())


async def test_admin_may_update_any_company(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, acme: Company
) -> None:
    data = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={"input": {"companyId": global_id("Company", acme), "description": "New"}},
            as_=issuer.admin_token(),
        )
    )["data"]

    assert data["updateCompany"]["company"]["description"] == "New"


@pytest.mark.parametrize(
    ("who", "overrides", "expected"),
    [
        (None, {}, [([], "UNAUTHENTICATED")]),
        ("auth0|member", {}, [(["companyId"], "FORBIDDEN")]),
        ("auth0|stranger", {}, [(["companyId"], "FORBIDDEN")]),
        (
            "auth0|stranger",
            {"companyId": encode_global_id("Company", ObjectId())},
            [(["companyId"], "FORBIDDEN")],
        ),
        (
            "admin",
            {"companyId": encode_global_id("Company", ObjectId())},
            [(["companyId"], "NOT_FOUND")],
        ),
        ("auth0|owner", {"companyId": "garbage"}, [(["companyId"], "INVALID_INPUT")]),
        ("auth0|owner", {"name": None}, [(["name"], "INVALID_INPUT")]),
        ("auth0|owner", {"name": ""}, [(["name"], "INVALID_INPUT")]),
        ("auth0|owner", {"website": "javascript:alert(1)"}, [(["website"], "INVALID_INPUT")]),
        ("auth0|owner", {"description": None}, [(["description"], "INVALID_INPUT")]),
    ],
)
async def test_update_company_user_errors_change_nothing(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    acme: Company,
    who: str | None,
    overrides: dict[str, Any],
    expected: list[tuple[list[str], str]],
) -> None:
    token = None if who is None else issuer.admin_token() if who == "admin" else issuer.token(who)
    request = {"companyId": global_id("Company", acme), "name": "Hijacked", **overrides}

    data = (await gql(anonymous_client, UPDATE, variables={"input": request}, as_=token))["data"]

    assert data["updateCompany"]["company"] is None
    assert codes(data["updateCompany"]) == expected
    stored = await Company.get(acme.id)
    assert stored is not None and (stored.name, stored.website) == ("Acme", ACME["website"])
    assert await AuditEvent.find_all().count() == 0


async def test_the_slug_cannot_be_changed(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, acme: Company
) -> None:
    body = await gql(
        anonymous_client,
        UPDATE,
        variables={"input": {"companyId": global_id("Company", acme), "slug": "other"}},
        as_=issuer.admin_token(),
        expect_errors=True,
    )

    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "slug" in body["errors"][0]["message"]
    stored = await Company.get(acme.id)
    assert stored is not None and stored.slug == "acme"
