"""Helpers the job mutation tests share: a caller, roles, and the hiring company."""

from __future__ import annotations

from typing import Any

import httpx

from crowdhire.models import Company, CompanyMember
from crowdhire.models.companies import MemberRole
from tests.auth_support import Issuer
from tests.factories import make_company, make_recruiter

HR, OTHER_HR, RECRUITER = "auth0|hr", "auth0|other-hr", "auth0|recruiter"
READ = "query($id: ID!) { node(id: $id) { ... on Job { title status feeTerms { percent } } } }"
PUBLIC_READ = "query($id: ID!) { node(id: $id) { ... on Job { title status } } }"
MOVES = {
    name: f"""mutation($input: {name[0].upper() + name[1:]}Input!) {{
  {name}(input: $input) {{ job {{ status openedAt }} userErrors {{ field code message }} }} }}"""
    for name in ("publishJob", "pauseJob", "closeJob")
}


async def call(client: httpx.AsyncClient, token: str | None, query: str, **variables: Any) -> Any:
    """POST a document with an optional bearer token; no top-level errors allowed."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def codes(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    """A payload's user errors as (field, code) pairs."""
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


def token_for(issuer: Issuer, who: str | None) -> str | None:
    """A bearer token for a role name (None: anonymous)."""
    if who is None:
        return None
    return issuer.admin_token() if who == "admin" else issuer.token(who)


async def make_hiring_company() -> Company:
    """The hiring company (HR is a member), another company (OTHER_HR) and a recruiter."""
    hiring, other = await make_company(), await make_company()
    await CompanyMember(company_id=hiring.id, sub=HR).insert()
    await CompanyMember(company_id=other.id, sub=OTHER_HR, role=MemberRole.OWNER).insert()
    await make_recruiter(sub=RECRUITER)
    return hiring
