"""createCandidate, updateCandidate, updateRecruiterProfile: rules, duplicates, retries, audit."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from pymongo.errors import DuplicateKeyError

from crowdhire.models import AuditEvent, Candidate, Recruiter
from crowdhire.models.candidates import Consent
from crowdhire.resolvers.candidates import has_granted_consent
from tests.auth_support import Issuer
from tests.factories import BASE_TIME, make_candidate, make_recruiter
from tests.support import global_id, gql

CREATE = """mutation($input: CreateCandidateInput!) {
  createCandidate(input: $input) {
    candidate { id fullName email phone skills links consent { status } }
    userErrors { field code message }
  }
}"""
UPDATE = """mutation($input: UpdateCandidateInput!) {
  updateCandidate(input: $input) {
    candidate { id fullName headline email phone skills }
    userErrors { field code message }
  }
}"""
PROFILE = """mutation($input: UpdateRecruiterProfileInput!) {
  updateRecruiterProfile(input: $input) {
    recruiter { displayName email bio specialties }
    userErrors { field code message }
  }
}"""
NODE = "query($id: ID!) { node(id: $id) { ... on Candidate { fullName headline email } } }"
PERSON = {
    "fullName": "Ada Quill",
    "headline": "Compiler engineer",
    "email": "Ada.Quill@Example.test",
    "phone": "+49 30 1234 5678",
    "location": "Leipzig",
    "skills": ["Rust", " rust ", "LLVM"],
    "yearsExperience": 9,
    "links": ["https://code.example.test/ada"],
}


async def _recruiter(issuer: Issuer, name: str) -> tuple[Recruiter, str]:
    recruiter = await make_recruiter(sub=f"auth0|{name}", display_name=name.title())
    return recruiter, issuer.token(f"auth0|{name}")


async def test_create_candidate_validates_normalizes_and_audits(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    _, token = await _recruiter(issuer, "rita")
    listed = "{ candidates { totalCount } }"
    assert (await gql(anonymous_client, listed, as_=token))["data"]["candidates"]["totalCount"] == 0

    data = (await gql(anonymous_client, CREATE, variables={"input": PERSON}, as_=token))["data"]

    result = data["createCandidate"]
    assert result["userErrors"] == []
    created = result["candidate"]
    assert created["skills"] == ["rust", "llvm"]
    assert created["email"] == "Ada.Quill@Example.test"
    assert created["consent"]["status"] == "PENDING"
    stored = await Candidate.find_one({"full_name": "Ada Quill"})
    assert stored is not None
    assert stored.email_normalized == "ada.quill@example.test"
    assert stored.phone_normalized == "+493012345678"
    assert (await gql(anonymous_client, listed, as_=token))["data"]["candidates"]["totalCount"] == 1
    events = await AuditEvent.find({"action": "createCandidate"}).to_list()
    assert len(events) == 1 and "email" in events[0].changed_fields
    dumped = str(events[0].model_dump())
    assert all(value not in dumped for value in ("Ada", "ada.quill", "4930", "Leipzig"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fullName": "  "}, ["fullName"]),
        ({"email": "not-an-email"}, ["email"]),
        ({"phone": "030 1234 5678"}, ["phone"]),
        ({"phone": "+1 23"}, ["phone"]),
        ({"skills": [f"skill {i}" for i in range(51)]}, ["skills"]),
        ({"links": [f"https://x.example/{i}" for i in range(11)]}, ["links"]),
        ({"links": ["https://ok.example", "ftp://files.example/cv"]}, ["links", "1"]),
        ({"links": ["javascript:alert(1)"]}, ["links", "0"]),
        ({"yearsExperience": 81}, ["yearsExperience"]),
        ({"headline": "x" * 201}, ["headline"]),
        ({"clientMutationId": ""}, ["clientMutationId"]),
    ],
)
async def test_create_candidate_refuses_bad_input_and_changes_nothing(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, change: dict[str, Any], field: list[str]
) -> None:
    _, token = await _recruiter(issuer, "rita")
    data = (
        await gql(anonymous_client, CREATE, variables={"input": {**PERSON, **change}}, as_=token)
    )["data"]
    result = data["createCandidate"]
    assert result["candidate"] is None
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [(field, "INVALID_INPUT")]
    assert "Ada" not in result["userErrors"][0]["message"]
    assert await Candidate.count() == 0
    assert await AuditEvent.count() == 0


async def test_create_candidate_is_for_recruiters_only(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    anonymous = (await gql(anonymous_client, CREATE, variables={"input": PERSON}))["data"]
    stranger = (
        await gql(
            anonymous_client, CREATE, variables={"input": PERSON}, as_=issuer.token("auth0|nobody")
        )
    )["data"]
    admin = (
        await gql(anonymous_client, CREATE, variables={"input": PERSON}, as_=issuer.admin_token())
    )["data"]

    assert anonymous["createCandidate"]["userErrors"][0]["code"] == "UNAUTHENTICATED"
    assert stranger["createCandidate"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert admin["createCandidate"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert await Candidate.count() == 0


async def test_duplicates_across_the_crowd_reveal_nothing_and_own_duplicates_return_the_person(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    _, first = await _recruiter(issuer, "rita")
    _, second = await _recruiter(issuer, "sam")
    original = (
        (await gql(anonymous_client, CREATE, variables={"input": PERSON}, as_=first))["data"]
    )["createCandidate"]

    by_email = {
        **PERSON,
        "fullName": "A. Quill",
        "email": "  ADA.QUILL@example.TEST ",
        "phone": None,
    }
    by_phone = {**PERSON, "fullName": "Ada Q", "email": None, "phone": "+493012345678"}
    answers = [
        (await gql(anonymous_client, CREATE, variables={"input": person}, as_=second))["data"][
            "createCandidate"
        ]
        for person in (by_email, by_phone)
    ]
    again = (
        (await gql(anonymous_client, CREATE, variables={"input": by_phone}, as_=first))["data"]
    )["createCandidate"]

    for answer in answers:
        assert answer["candidate"] is None
        assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [
            ([], "DUPLICATE_CANDIDATE")
        ]
        message = answer["userErrors"][0]["message"]
        assert not any(word in message for word in ("Rita", "Ada", "Quill", "@", "+49"))
    assert answers[0]["userErrors"] == answers[1]["userErrors"]
    assert again["userErrors"] == []
    assert again["candidate"]["id"] == original["candidate"]["id"]
    assert again["candidate"]["fullName"] == "Ada Quill"
    assert await Candidate.count() == 1


async def test_concurrent_creates_of_one_person_have_one_winner(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    tokens = [(await _recruiter(issuer, f"racer{i}"))[1] for i in range(4)]

    results = await asyncio.gather(
        *(gql(anonymous_client, CREATE, variables={"input": PERSON}, as_=token) for token in tokens)
    )

    answers = [r["data"]["createCandidate"] for r in results]
    winners = [a for a in answers if a["candidate"] is not None]
    losers = [a["userErrors"][0]["code"] for a in answers if a["candidate"] is None]
    assert len(winners) == 1
    assert losers == ["DUPLICATE_CANDIDATE"] * 3
    assert await Candidate.count() == 1


async def test_unique_indexes_guard_the_matching_keys(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    owner, _ = await _recruiter(issuer, "rita")
    other, _ = await _recruiter(issuer, "sam")
    await make_candidate(owner, email="same@example.test", phone=None)
    await make_candidate(owner, email=None, phone=None)
    await make_candidate(owner, email=None, phone=None)  # absent keys never collide

    with pytest.raises(DuplicateKeyError):
        await make_candidate(other, email="SAME@example.test", phone=None)


async def test_create_candidate_retry_with_client_mutation_id(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    _, token = await _recruiter(issuer, "rita")
    keyed = {**PERSON, "clientMutationId": "create-ada-1"}

    first = (await gql(anonymous_client, CREATE, variables={"input": keyed}, as_=token))["data"][
        "createCandidate"
    ]
    retry = (await gql(anonymous_client, CREATE, variables={"input": keyed}, as_=token))["data"][
        "createCandidate"
    ]
    reused = (
        await gql(
            anonymous_client, CREATE, variables={"input": {**keyed, "fullName": "Other"}}, as_=token
        )
    )["data"]

    assert retry == first
    assert reused["createCandidate"]["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await Candidate.count() == 1
    assert await AuditEvent.find({"action": "createCandidate"}).count() == 1


async def test_update_candidate_partial_owner_and_admin_with_fresh_reads(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    owner, token = await _recruiter(issuer, "rita")
    candidate = await make_candidate(owner, full_name="Bo Lind", headline="Dev")
    cid = global_id("Candidate", candidate)
    before = (await gql(anonymous_client, NODE, variables={"id": cid}, as_=token))[
        "data"
    ]  # warms the cache

    changed = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={
                "input": {"candidateId": cid, "headline": "Staff engineer", "skills": ["Go", "GO"]}
            },
            as_=token,
        )
    )["data"]
    after = (await gql(anonymous_client, NODE, variables={"id": cid}, as_=token))["data"]
    by_admin = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={"input": {"candidateId": cid, "email": None}},
            as_=issuer.admin_token(),
        )
    )["data"]

    assert before["node"]["headline"] == "Dev"
    result = changed["updateCandidate"]
    assert result["userErrors"] == []
    assert result["candidate"]["fullName"] == "Bo Lind"
    assert result["candidate"]["skills"] == ["go"]
    assert after["node"]["headline"] == "Staff engineer"
    assert by_admin["updateCandidate"]["candidate"]["email"] is None
    stored = await Candidate.get(candidate.id)
    assert stored is not None and stored.email_normalized is None
    events = await AuditEvent.find({"action": "updateCandidate"}).sort("at").to_list()
    assert [sorted(e.changed_fields) for e in events] == [["headline", "skills"], ["email"]]


async def test_update_candidate_refusals_change_nothing(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    owner, token = await _recruiter(issuer, "rita")
    _, other_token = await _recruiter(issuer, "sam")
    mine = await make_candidate(owner, full_name="Bo Lind")
    theirs = await make_candidate(await make_recruiter(), email="taken@example.test")
    cid = global_id("Candidate", mine)
    cases = [
        (None, {"candidateId": cid, "headline": "x"}, [], "UNAUTHENTICATED"),
        (other_token, {"candidateId": cid, "headline": "x"}, ["candidateId"], "FORBIDDEN"),
        (token, {"candidateId": "nope", "headline": "x"}, ["candidateId"], "INVALID_INPUT"),
        (token, {"candidateId": cid, "fullName": None}, ["fullName"], "INVALID_INPUT"),
        (token, {"candidateId": cid, "phone": "12"}, ["phone"], "INVALID_INPUT"),
        (token, {"candidateId": cid, "email": "Taken@example.test"}, [], "DUPLICATE_CANDIDATE"),
    ]
    for who, patch, field, code in cases:
        data = (await gql(anonymous_client, UPDATE, variables={"input": patch}, as_=who))["data"]
        errors = data["updateCandidate"]["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], patch
    unknown = await make_candidate(owner)
    await unknown.delete()
    gone = global_id("Candidate", unknown)
    as_admin = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={"input": {"candidateId": gone, "headline": "x"}},
            as_=issuer.admin_token(),
        )
    )["data"]
    as_owner = (
        await gql(
            anonymous_client,
            UPDATE,
            variables={"input": {"candidateId": gone, "headline": "x"}},
            as_=token,
        )
    )["data"]

    assert as_admin["updateCandidate"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert as_owner["updateCandidate"]["userErrors"][0]["code"] == "FORBIDDEN"
    stored = await Candidate.get(mine.id)
    assert stored is not None and stored.model_dump() == mine.model_dump()
    assert (await Candidate.get(theirs.id)) is not None
    assert await AuditEvent.count() == 0


async def test_update_recruiter_profile_is_partial_validated_and_fresh(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    recruiter, token = await _recruiter(issuer, "rita")
    me = "query($id: ID!) { node(id: $id) { ... on Recruiter { displayName bio email } } }"
    rid = global_id("Recruiter", recruiter)
    before = (await gql(anonymous_client, me, variables={"id": rid}, as_=token))["data"]

    done = (
        await gql(
            anonymous_client,
            PROFILE,
            variables={"input": {"bio": "Rust people", "email": "Rita@Example.TEST"}},
            as_=token,
        )
    )["data"]
    bad = (
        await gql(
            anonymous_client,
            PROFILE,
            variables={"input": {"displayName": "", "bio": "x"}},
            as_=token,
        )
    )["data"]
    null = (
        await gql(anonymous_client, PROFILE, variables={"input": {"displayName": None}}, as_=token)
    )["data"]
    after = (await gql(anonymous_client, me, variables={"id": rid}, as_=token))["data"]
    anonymous = (await gql(anonymous_client, PROFILE, variables={"input": {"bio": "x"}}))["data"]
    stranger = (
        await gql(
            anonymous_client,
            PROFILE,
            variables={"input": {"bio": "x"}},
            as_=issuer.token("auth0|nobody"),
        )
    )["data"]

    assert before["node"]["bio"] == ""
    result = done["updateRecruiterProfile"]
    assert result["userErrors"] == []
    assert result["recruiter"]["displayName"] == "Rita"
    assert result["recruiter"]["email"] == "rita@example.test"
    assert [(e["field"], e["code"]) for e in bad["updateRecruiterProfile"]["userErrors"]] == [
        (["displayName"], "INVALID_INPUT")
    ]
    assert null["updateRecruiterProfile"]["userErrors"][0]["field"] == ["displayName"]
    assert after["node"] == {
        "displayName": "Rita",
        "bio": "Rust people",
        "email": "rita@example.test",
    }
    assert anonymous["updateRecruiterProfile"]["userErrors"][0]["code"] == "UNAUTHENTICATED"
    assert stranger["updateRecruiterProfile"]["userErrors"][0]["code"] == "FORBIDDEN"
    events = await AuditEvent.find({"action": "updateRecruiterProfile"}).to_list()
    assert len(events) == 1 and sorted(events[0].changed_fields) == ["bio", "email"]
    assert "rita@" not in str(events[0].model_dump()).lower()


async def test_has_granted_consent_helper(app: object) -> None:
    owner = await make_recruiter()
    granted = await make_candidate(owner)
    pending = await make_candidate(owner, consent=Consent())
    erased = await make_candidate(owner, erased_at=BASE_TIME)
    assert has_granted_consent(granted)
    assert not has_granted_consent(pending)
    assert not has_granted_consent(erased)
