"""Control and bidi formatting characters are refused in every text input, naming the field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from strawberry.types.base import get_object_definition

from crowdhire.models import AuditEvent, Candidate, Company, CompanyMember, Job, Recruiter
from crowdhire.models.companies import MemberRole
from crowdhire.resolvers.text_rules import text_problem
from crowdhire.schema.mutation import Mutation
from crowdhire.schema.text_screen import refused_payload
from tests.auth_support import Issuer
from tests.factories import make_company, make_recruiter
from tests.support import codes, global_id, gql

CREATE_CANDIDATE = """mutation($input: CreateCandidateInput!) { createCandidate(input: $input) {
  candidate { id } userErrors { field code message } } }"""
CREATE_JOB = """mutation($input: CreateJobInput!) { createJob(input: $input) {
  job { id } userErrors { field code message } } }"""
CREATE_COMPANY = """mutation($input: CreateCompanyInput!) { createCompany(input: $input) {
  company { id } userErrors { field code message } } }"""
REGISTER = """mutation($input: RegisterRecruiterInput!) { registerRecruiter(input: $input) {
  recruiter { id } userErrors { field code message } } }"""
ADD_MEMBER = """mutation($input: AddCompanyMemberInput!) { addCompanyMember(input: $input) {
  member { sub } userErrors { field code message } } }"""
FEE = {"percent": 20, "currency": "EUR"}


def test_the_rule() -> None:
    assert text_problem("Ada Quill") is None
    assert text_problem("Zoë Ægir, 北京 😀") is None
    for bad in ["Ada\u0000Quill", "\u202eevil", "a\u2066b", "a\u0085b", "a\x7fb", "a\tb", "a\nb"]:
        assert text_problem(bad) is not None, repr(bad)
    assert text_problem("line one\n\tline two", multiline=True) is None
    assert text_problem("bell\x07", multiline=True) is not None
    assert text_problem("\u202dspoof", multiline=True) is not None


async def call(client: httpx.AsyncClient, token: str, document: str, **variables: Any) -> Any:
    """The data of a mutation that must not fail at the top level."""
    return (await gql(client, document, variables, as_=token))["data"]


@pytest.mark.parametrize("name", ["Ada\u0000Quill", "\u202eevil"])
async def test_candidate_names_from_the_probe_are_refused(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette, name: str
) -> None:
    await make_recruiter(sub="auth0|rita")
    person = {"fullName": name, "links": ["https://ok.example", "https://x\u0000"]}
    data = await call(anonymous_client, issuer.token("auth0|rita"), CREATE_CANDIDATE, input=person)
    payload = data["createCandidate"]
    assert payload["candidate"] is None
    assert codes(payload) == [(["fullName"], "INVALID_INPUT"), (["links", "1"], "INVALID_INPUT")]
    assert "fullName" in payload["userErrors"][0]["message"]
    assert await Candidate.find_all().count() == 0
    assert await AuditEvent.find_all().count() == 0


async def test_job_title_company_name_and_display_name_are_refused(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    admin = issuer.admin_token()
    company = await make_company()
    job = {"companyId": global_id("Company", company), "title": "Boss\u202e",
           "description": "Line one.\nLine two.\tIndented.", "feeTerms": FEE}  # fmt: skip
    created = await call(anonymous_client, admin, CREATE_JOB, input=job)
    assert codes(created["createJob"]) == [(["title"], "INVALID_INPUT")]
    assert await Job.find_all().count() == 0
    ok = await call(anonymous_client, admin, CREATE_JOB, input=job | {"title": "Boss"})
    assert ok["createJob"]["userErrors"] == []  # tab and newline are fine in long text

    named = await call(anonymous_client, admin, CREATE_COMPANY,
                       input={"name": "Acme\u0007", "slug": "acme-bell"})  # fmt: skip
    assert codes(named["createCompany"]) == [(["name"], "INVALID_INPUT")]
    assert await Company.find({"slug": "acme-bell"}).count() == 0

    profile: dict[str, Any] = {"displayName": "Nia\u2067", "email": "nia@example.test"}
    registered = await call(anonymous_client, issuer.token("auth0|nia"), REGISTER, input=profile)
    assert codes(registered["registerRecruiter"]) == [(["displayName"], "INVALID_INPUT")]
    assert await Recruiter.find({"sub": "auth0|nia"}).count() == 0


async def test_add_company_member_refuses_a_sub_with_control_and_bidi_characters(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, app: Starlette
) -> None:
    company = await make_company()
    await CompanyMember(company_id=company.id, sub="auth0|owner", role=MemberRole.OWNER).insert()
    member = {"companyId": global_id("Company", company), "sub": "auth0|x\u0000\u202e",
              "role": "MEMBER"}  # fmt: skip
    data = await call(anonymous_client, issuer.token("auth0|owner"), ADD_MEMBER, input=member)
    assert codes(data["addCompanyMember"]) == [(["sub"], "INVALID_INPUT")]
    assert await CompanyMember.find({"company_id": company.id}).count() == 1


def test_every_mutation_can_answer_a_refused_payload() -> None:
    fields = get_object_definition(Mutation, strict=True).fields
    assert len(fields) >= 20
    for field in fields:
        payload = refused_payload(field.type, [(("x",), "x contains a control character")])
        assert [e.code.value for e in payload.user_errors] == ["INVALID_INPUT"], field.name
