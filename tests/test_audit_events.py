"""The admins-only `auditEvents` connection: access, filters, order, pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId
from starlette.applications import Starlette

from crowdhire.models import AuditEvent, CompanyMember
from crowdhire.schema.ids import encode_global_id
from tests.auth_support import Issuer
from tests.factories import make_company, make_recruiter
from tests.support import gql

EVENTS = """query($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount
    nodes { action actor changedFields at targets { kind id } }
    pageInfo { hasNextPage endCursor }
  }
}"""
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
JOB_X, COMPANY_Y = ObjectId(), ObjectId()


async def events(client: httpx.AsyncClient, token: str, **variables: Any) -> dict[str, Any]:
    """The auditEvents connection as an admin sees it (no errors allowed)."""
    body = await gql(client, EVENTS, variables=variables, as_=token, expect_errors=True)
    assert "errors" not in body, body["errors"]
    connection: dict[str, Any] = body["data"]["auditEvents"]
    return connection


def actions(connection: dict[str, Any]) -> list[str]:
    """The actions of a page, in order."""
    return [node["action"] for node in connection["nodes"]]


@pytest.fixture
async def trail(app: Starlette) -> None:
    """Four events an hour apart: e1 and e3 by alice, e2 and e4 by bob."""
    rows = [
        ("auth0|alice", "e1", {"job": JOB_X}),
        ("auth0|bob", "e2", {"job": JOB_X, "company": COMPANY_Y}),
        ("auth0|alice", "e3", {"company": COMPANY_Y}),
        ("auth0|bob", "e4", {}),
    ]
    for hour, (actor, action, targets) in enumerate(rows):
        ids = {kind: str(value) for kind, value in targets.items()}
        await AuditEvent(
            actor_sub=actor,
            action=action,
            targets=ids,
            target_ids=sorted(ids.values()),
            changed_fields=["status"],
            at=T0 + timedelta(hours=hour),
        ).insert()


@pytest.mark.parametrize(
    ("who", "code"),
    [(None, "UNAUTHENTICATED"), ("auth0|recruiter", "FORBIDDEN"), ("auth0|member", "FORBIDDEN")],
)
async def test_only_admins_read_the_audit_trail(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, trail: None, who: str | None, code: str
) -> None:
    await make_recruiter(sub="auth0|recruiter")
    company = await make_company()
    await CompanyMember(company_id=company.id, sub="auth0|member").insert()

    body = await gql(
        anonymous_client, EVENTS, as_=issuer.token(who) if who else None, expect_errors=True
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    assert "e1" not in str(body)


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        (None, ["e4", "e3", "e2", "e1"]),
        ({"actor": "auth0|alice"}, ["e3", "e1"]),
        ({"actor": "auth0|nobody"}, []),
        ({"target": encode_global_id("Job", JOB_X)}, ["e2", "e1"]),
        ({"target": encode_global_id("Company", COMPANY_Y)}, ["e3", "e2"]),
        ({"target": encode_global_id("Candidate", COMPANY_Y)}, ["e3", "e2"]),
        ({"after": (T0 + timedelta(hours=1)).isoformat()}, ["e4", "e3", "e2"]),
        ({"before": (T0 + timedelta(hours=1)).isoformat()}, ["e1"]),
        (
            {
                "after": (T0 + timedelta(minutes=30)).isoformat(),
                "before": (T0 + timedelta(hours=3)).isoformat(),
            },
            ["e3", "e2"],
        ),
        ({"actor": "auth0|bob", "target": encode_global_id("Job", JOB_X)}, ["e2"]),
    ],
)
async def test_filters_newest_first(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    trail: None,
    filter_: dict[str, Any] | None,
    expected: list[str],
) -> None:
    connection = await events(anonymous_client, issuer.admin_token(), filter=filter_)

    assert actions(connection) == expected
    assert connection["totalCount"] == len(expected)


async def test_cursor_pagination(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, trail: None
) -> None:
    admin = issuer.admin_token()

    first = await events(anonymous_client, admin, first=3)
    second = await events(anonymous_client, admin, first=3, after=first["pageInfo"]["endCursor"])

    assert actions(first) == ["e4", "e3", "e2"] and first["pageInfo"]["hasNextPage"] is True
    assert actions(second) == ["e1"] and second["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"filter": {"target": "not-an-id"}}, "filter.target"),
        ({"filter": {"actor": "a" * 257}}, "filter.actor"),
        ({"first": 0}, "first"),
        ({"after": "garbage"}, "after"),
    ],
)
async def test_bad_arguments_are_named(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    trail: None,
    variables: dict[str, Any],
    argument: str,
) -> None:
    body = await gql(
        anonymous_client, EVENTS, variables=variables, as_=issuer.admin_token(), expect_errors=True
    )

    error = body["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}


async def test_mutations_are_audited_with_resolvable_targets_and_no_values(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    admin = issuer.admin_token()
    create = """mutation($input: CreateCompanyInput!) {
      createCompany(input: $input) { company { id } userErrors { code } } }"""
    update = """mutation($input: UpdateCompanyInput!) {
      updateCompany(input: $input) { userErrors { code } } }"""
    created = await gql(
        anonymous_client,
        create,
        variables={
            "input": {"name": "Secret Name Ltd", "slug": "secret", "ownerSub": "auth0|boss"}
        },
        as_=admin,
        expect_errors=True,
    )
    company_id = created["data"]["createCompany"]["company"]["id"]
    await gql(
        anonymous_client,
        update,
        variables={"input": {"companyId": company_id, "description": "Private plans"}},
        as_=issuer.token("auth0|boss"),
        expect_errors=True,
    )

    connection = await events(anonymous_client, admin, filter={"target": company_id})
    node = await gql(
        anonymous_client,
        "query($id: ID!) { node(id: $id) { id } }",
        variables={"id": connection["nodes"][0]["targets"][0]["id"]},
        as_=admin,
        expect_errors=True,
    )

    nodes = connection["nodes"]
    assert [(n["action"], n["actor"]) for n in nodes] == [
        ("updateCompany", "auth0|boss"),
        ("createCompany", "auth0|test-admin"),
    ]
    assert nodes[0]["changedFields"] == ["description"]
    assert nodes[0]["targets"] == [{"kind": "company", "id": company_id}]
    assert [t["kind"] for t in nodes[1]["targets"]] == ["company", "member"]
    assert node["data"]["node"] == {"id": company_id}
    assert "Secret Name" not in str(connection) and "Private plans" not in str(connection)
