"""The public job board: `jobBoard(companySlug)`, Job.slug, the company's public profile."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from crowdhire.models import AuditEvent, CompanyMember
from crowdhire.models.companies import MemberRole
from crowdhire.models.jobs import JobStatus
from tests.auth_support import Issuer
from tests.factories import make_company, make_job
from tests.support import global_id, gql

BOARD = """query Board($company: String!, $job: String!) {
  jobBoard(companySlug: $company) {
    company { name slug tagline headquarters logoUrl website description }
    jobs(first: 10) { totalCount nodes { title slug status } }
    job(slug: $job) { title slug }
  } }"""


async def test_the_board_shows_the_public_profile_and_open_jobs_only(
    anonymous_client: httpx.AsyncClient,
) -> None:
    company = await make_company(
        slug="acme",
        tagline="We build anvils",
        headquarters="Berlin",
        logo_url="https://acme.example/logo.svg",
    )
    open_job = await make_job(company, title="Staff Engineer (Python/Go)")
    await make_job(company, title="Secret draft", status=JobStatus.DRAFT)
    await make_job(company, title="Old one", status=JobStatus.CLOSED)
    await make_job(await make_company(), title="Someone else's")

    body = await gql(
        anonymous_client, BOARD, {"company": "acme", "job": f"staff-engineer-{open_job.id}"}
    )

    board = body["data"]["jobBoard"]
    assert board["company"] == {
        "name": company.name,
        "slug": "acme",
        "tagline": "We build anvils",
        "headquarters": "Berlin",
        "logoUrl": "https://acme.example/logo.svg",
        "website": company.website,
        "description": "",
    }
    slug = f"staff-engineer-python-go-{open_job.id}"
    assert board["jobs"] == {
        "totalCount": 1,
        "nodes": [{"title": "Staff Engineer (Python/Go)", "slug": slug, "status": "OPEN"}],
    }
    assert board["job"] == {"title": "Staff Engineer (Python/Go)", "slug": slug}


async def test_job_slugs_resolve_by_their_id_and_only_for_open_jobs_of_that_company(
    anonymous_client: httpx.AsyncClient,
) -> None:
    company, other = await make_company(slug="acme"), await make_company(slug="globex")
    job = await make_job(company, title="Before")
    closed = await make_job(company, status=JobStatus.CLOSED)
    elsewhere = await make_job(other)
    old_slug = f"before-{job.id}"
    job.title = "After the rename"
    await job.save()

    async def shown(company_slug: str, job_slug: str) -> object:
        variables = {"company": company_slug, "job": job_slug}
        board = (await gql(anonymous_client, BOARD, variables))["data"]["jobBoard"]
        return board and board["job"]

    assert await shown("acme", old_slug) == {
        "title": "After the rename",
        "slug": f"after-the-rename-{job.id}",
    }
    assert await shown("acme", f"x-{closed.id}") is None
    assert await shown("acme", f"x-{elsewhere.id}") is None
    assert await shown("acme", "not-a-slug") is None
    assert await shown("nobody", old_slug) is None


async def test_an_anonymous_persisted_get_of_the_board_is_publicly_cacheable(
    anonymous_client: httpx.AsyncClient,
) -> None:
    job = await make_job(await make_company(slug="acme"))
    sha256 = hashlib.sha256(BOARD.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256}}
    variables = {"company": "acme", "job": f"j-{job.id}"}
    await anonymous_client.post(
        "/graphql", json={"query": BOARD, "variables": variables, "extensions": extensions}
    )

    response = await anonymous_client.get(
        "/graphql",
        params={"extensions": json.dumps(extensions), "variables": json.dumps(variables)},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert response.headers["etag"]
    assert response.json()["data"]["jobBoard"]["jobs"]["totalCount"] == 1


UPDATE = """mutation($input: UpdateCompanyInput!) {
  updateCompany(input: $input) {
    company { tagline headquarters logoUrl }
    userErrors { field code message }
  } }"""


async def test_owners_edit_the_careers_page_fields_and_bad_ones_change_nothing(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    company = await make_company(slug="acme", headquarters="Paris")
    await CompanyMember(company_id=company.id, sub="auth0|owner", role=MemberRole.OWNER).insert()
    owner, company_id = issuer.token("auth0|owner"), global_id("Company", company)

    async def update(**fields: object) -> dict[str, Any]:
        variables = {"input": {"companyId": company_id, **fields}}
        body = await gql(anonymous_client, UPDATE, variables, as_=owner)
        payload: dict[str, Any] = body["data"]["updateCompany"]
        return payload

    edited = await update(tagline="  Anvils for everyone ", logoUrl="https://acme.example/l.png")
    refused = await update(tagline="x" * 161, logoUrl="ftp://nope", headquarters="Lyon")
    cleared = await update(headquarters=None)

    assert edited == {
        "company": {
            "tagline": "Anvils for everyone",
            "headquarters": "Paris",
            "logoUrl": "https://acme.example/l.png",
        },
        "userErrors": [],
    }
    assert refused["company"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["tagline"], "INVALID_INPUT"),
        (["logoUrl"], "INVALID_INPUT"),
    ]
    assert cleared["company"] == {
        "tagline": "Anvils for everyone",
        "headquarters": None,  # Lyon was never written: the refused update changed nothing
        "logoUrl": "https://acme.example/l.png",
    }
    events = await AuditEvent.find({"action": "updateCompany"}).sort("at").to_list()
    assert [sorted(event.changed_fields) for event in events] == [
        ["logo_url", "tagline"],
        ["headquarters"],
    ]
