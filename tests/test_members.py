"""registerRecruiter and company membership mutations: rules, user errors, retries, audit."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from bson import ObjectId
from starlette.applications import Starlette

from crowdhire.models import AuditEvent, Company, CompanyMember, Recruiter
from crowdhire.models.companies import MemberRole
from crowdhire.models.jobs import JobStatus
from crowdhire.schema.ids import encode_global_id
from tests.auth_support import Issuer
from tests.factories import make_company, make_job
from tests.support import global_id, gql

REGISTER = """mutation($input: RegisterRecruiterInput!) {
  registerRecruiter(input: $input) {
    recruiter { id displayName email }
    userErrors { field code message }
  }
}"""
ADD = """mutation($input: AddCompanyMemberInput!) {
  addCompanyMember(input: $input) { member { sub role } userErrors { field code message } }
}"""
REMOVE = """mutation($input: RemoveCompanyMemberInput!) {
  removeCompanyMember(input: $input) { removed userErrors { field code message } }
}"""
DRAFTS = "{ jobs(filter: { status: [DRAFT] }) { totalCount } }"


PROFILE = {"displayName": "Nia", "email": "Nia@Example.test", "specialties": ["data"]}


async def test_register_recruiter_creates_once_and_makes_the_subject_a_recruiter(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    token = issuer.token("auth0|nia")
    before = (await gql(anonymous_client, "{ recruiters { totalCount } }", as_=token))["data"]

    first = (await gql(anonymous_client, REGISTER, variables={"input": PROFILE}, as_=token))["data"]
    again = (
        await gql(
            anonymous_client,
            REGISTER,
            variables={"input": {**PROFILE, "displayName": "X"}},
            as_=token,
        )
    )["data"]
    after = (await gql(anonymous_client, "{ recruiters { nodes { displayName } } }", as_=token))[
        "data"
    ]

    assert before["recruiters"]["totalCount"] == 0
    created = first["registerRecruiter"]
    assert created["userErrors"] == []
    assert created["recruiter"]["displayName"] == "Nia"
    assert created["recruiter"]["email"] == "nia@example.test"
    assert again["registerRecruiter"]["recruiter"]["id"] == created["recruiter"]["id"]
    assert after["recruiters"]["nodes"] == [{"displayName": "Nia"}]
    assert await Recruiter.find({"sub": "auth0|nia"}).count() == 1
    events = await AuditEvent.find({"action": "registerRecruiter"}).to_list()
    assert [e.actor_sub for e in events] == ["auth0|nia"]
    assert "nia@example.test" not in str(events[0].model_dump())


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"displayName": "", "email": "a@b.co"}, ["displayName"]),
        ({"displayName": "A", "email": "not-an-email"}, ["email"]),
        ({"displayName": "A", "email": "a@b.co", "bio": "x" * 2001}, ["bio"]),
        ({"displayName": "A", "email": "a@b.co", "specialties": ["s"] * 21}, ["specialties"]),
    ],
)
async def test_register_recruiter_refuses_bad_input_and_changes_nothing(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, profile: dict[str, Any], field: list[str]
) -> None:
    data = (
        await gql(
            anonymous_client, REGISTER, variables={"input": profile}, as_=issuer.token("auth0|bad")
        )
    )["data"]

    payload = data["registerRecruiter"]
    assert payload["recruiter"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, "INVALID_INPUT")]
    assert await Recruiter.find_all().count() == 0
    assert await AuditEvent.find_all().count() == 0


async def test_register_recruiter_needs_a_token(anonymous_client: httpx.AsyncClient) -> None:
    data = (await gql(anonymous_client, REGISTER, variables={"input": PROFILE}))["data"]

    assert data["registerRecruiter"]["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_client_mutation_id_returns_the_first_result_and_refuses_other_input(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    token = issuer.token("auth0|retry")
    keyed = {**PROFILE, "clientMutationId": "signup-1"}

    first, second = (
        body["data"]
        for body in await asyncio.gather(
            gql(anonymous_client, REGISTER, variables={"input": keyed}, as_=token),
            gql(anonymous_client, REGISTER, variables={"input": keyed}, as_=token),
        )
    )
    reused = (
        await gql(
            anonymous_client,
            REGISTER,
            variables={"input": {**keyed, "displayName": "Someone else"}},
            as_=token,
        )
    )["data"]

    assert first == second
    assert await Recruiter.find({"sub": "auth0|retry"}).count() == 1
    assert await AuditEvent.find({"action": "registerRecruiter"}).count() == 1
    assert reused["registerRecruiter"]["userErrors"] == [
        {
            "field": ["clientMutationId"],
            "code": "IDEMPOTENCY_KEY_REUSED",
            "message": "clientMutationId was already used with other input",
        }
    ]


@pytest.fixture
async def acme(app: Starlette) -> Company:
    """A company with one owner and one draft job."""
    company = await make_company(slug="acme")
    await CompanyMember(company_id=company.id, sub="auth0|owner", role=MemberRole.OWNER).insert()
    await make_job(company, status=JobStatus.DRAFT)
    return company


async def test_owner_adds_a_member_who_then_sees_company_drafts_and_loses_them_on_removal(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, acme: Company
) -> None:
    owner, newcomer = issuer.token("auth0|owner"), issuer.token("auth0|newcomer")
    company_id = global_id("Company", acme)
    assert (await gql(anonymous_client, DRAFTS, as_=newcomer))["data"]["jobs"]["totalCount"] == 0

    added = (
        await gql(
            anonymous_client,
            ADD,
            variables={"input": {"companyId": company_id, "sub": "auth0|newcomer"}},
            as_=owner,
        )
    )["data"]
    as_member = (await gql(anonymous_client, DRAFTS, as_=newcomer))["data"]
    removed = (
        await gql(
            anonymous_client,
            REMOVE,
            variables={"input": {"companyId": company_id, "sub": "auth0|newcomer"}},
            as_=owner,
        )
    )["data"]
    as_stranger = (await gql(anonymous_client, DRAFTS, as_=newcomer))["data"]

    assert added["addCompanyMember"] == {
        "member": {"sub": "auth0|newcomer", "role": "MEMBER"},
        "userErrors": [],
    }
    assert as_member["jobs"]["totalCount"] == 1
    assert removed["removeCompanyMember"] == {"removed": True, "userErrors": []}
    assert as_stranger["jobs"]["totalCount"] == 0
    actions = [e.action for e in await AuditEvent.find_all().sort("at").to_list()]
    assert actions == ["addCompanyMember", "removeCompanyMember"]


@pytest.mark.parametrize(
    ("who", "input_overrides", "code", "field"),
    [
        (None, {}, "UNAUTHENTICATED", []),
        ("auth0|stranger", {}, "FORBIDDEN", ["companyId"]),
        ("auth0|plain-member", {}, "FORBIDDEN", ["companyId"]),
        ("auth0|owner", {"companyId": "garbage"}, "INVALID_INPUT", ["companyId"]),
        ("auth0|owner", {"sub": "has space"}, "INVALID_INPUT", ["sub"]),
        ("auth0|owner", {"sub": "auth0|owner", "role": "MEMBER"}, "LAST_OWNER", ["role"]),
        ("admin", {"companyId": encode_global_id("Company", ObjectId())}, "NOT_FOUND",
         ["companyId"]),
        ("auth0|stranger", {"companyId": encode_global_id("Company", ObjectId())}, "FORBIDDEN",
         ["companyId"]),
    ],
)  # fmt: skip
async def test_add_member_user_errors(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    acme: Company,
    who: str | None,
    input_overrides: dict[str, Any],
    code: str,
    field: list[str],
) -> None:
    await CompanyMember(company_id=acme.id, sub="auth0|plain-member").insert()
    token = None if who is None else (
        issuer.admin_token() if who == "admin" else issuer.token(who)
    )  # fmt: skip
    members_before = await CompanyMember.find_all().count()
    request = {"companyId": global_id("Company", acme), "sub": "auth0|x", **input_overrides}

    data = (await gql(anonymous_client, ADD, variables={"input": request}, as_=token))["data"]

    payload = data["addCompanyMember"]
    assert payload["member"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert await CompanyMember.find_all().count() == members_before
    assert await CompanyMember.find_one({"sub": "auth0|owner"}) is not None


async def test_remove_member_user_errors(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, acme: Company
) -> None:
    owner = issuer.token("auth0|owner")
    company_id = global_id("Company", acme)

    missing = (
        await gql(
            anonymous_client,
            REMOVE,
            variables={"input": {"companyId": company_id, "sub": "auth0|nobody"}},
            as_=owner,
        )
    )["data"]
    last = (
        await gql(
            anonymous_client,
            REMOVE,
            variables={"input": {"companyId": company_id, "sub": "auth0|owner"}},
            as_=owner,
        )
    )["data"]

    assert missing["removeCompanyMember"]["userErrors"][0]["code"] == "NOT_A_MEMBER"
    assert last["removeCompanyMember"]["userErrors"][0]["code"] == "LAST_OWNER"
    assert last["removeCompanyMember"]["removed"] is False
    assert await CompanyMember.find({"company_id": acme.id}).count() == 1


async def test_members_list_is_private_to_the_company(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, acme: Company
) -> None:
    query = "query($id: ID!) { node(id: $id) { ... on Company { members { sub role } } } }"
    company_id = global_id("Company", acme)

    as_owner = await anonymous_client.post(
        "/graphql",
        json={"query": query, "variables": {"id": company_id}},
        headers={"Authorization": f"Bearer {issuer.token('auth0|owner')}"},
    )
    as_stranger = await anonymous_client.post(
        "/graphql",
        json={"query": query, "variables": {"id": company_id}},
        headers={"Authorization": f"Bearer {issuer.token('auth0|stranger')}"},
    )

    assert as_owner.json()["data"]["node"]["members"] == [{"sub": "auth0|owner", "role": "OWNER"}]
    assert as_stranger.json()["data"]["node"]["members"] is None
    assert as_stranger.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
