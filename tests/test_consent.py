"""Consent links: request (owner), confirm (public, once), revoke (link or admin), the secret."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from jose import jwt
from pydantic import ValidationError

from crowdhire.models import AuditEvent, Candidate
from crowdhire.models.candidates import Consent, ConsentStatus
from crowdhire.models.companies import CompanyMember, MemberRole
from crowdhire.models.submissions import Stage
from crowdhire.resolvers import consent as consent_resolvers
from crowdhire.settings import Environment, Settings
from tests.auth_support import Issuer
from tests.factories import make_candidate, make_company, make_job, make_recruiter, make_submission
from tests.support import global_id, gql

REQUEST = """mutation($input: RequestCandidateConsentInput!) {
  requestCandidateConsent(input: $input) {
    token expiresAt candidate { id consent { status } }
    userErrors { field code message }
  }
}"""
CONFIRM = """mutation($input: ConfirmCandidateConsentInput!) {
  confirmCandidateConsent(input: $input) {
    consent { status changedAt history { status method at } }
    userErrors { field code message }
  }
}"""
REVOKE = """mutation($input: RevokeCandidateConsentInput!) {
  revokeCandidateConsent(input: $input) {
    consent { status history { status method } }
    userErrors { field code message }
  }
}"""
STATUS = "query($id: ID!) { node(id: $id) { ... on Candidate { consent { status } } } }"


def _codes(result: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(e["field"], e["code"]) for e in result["userErrors"]]


async def _pending(issuer: Issuer) -> tuple[Candidate, str]:
    owner = await make_recruiter(sub="auth0|rita")
    candidate = await make_candidate(owner, consent=Consent())
    return candidate, issuer.token("auth0|rita")


async def _link(client: httpx.AsyncClient, token: str, candidate: Candidate) -> dict[str, Any]:
    data = (
        await gql(
            client,
            REQUEST,
            variables={"input": {"candidateId": global_id("Candidate", candidate)}},
            as_=token,
        )
    )["data"]
    result: dict[str, Any] = data["requestCandidateConsent"]
    assert result["userErrors"] == []
    return result


async def test_request_and_confirm_records_the_decision_once(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    candidate, token = await _pending(issuer)
    cid = global_id("Candidate", candidate)
    before = (await gql(anonymous_client, STATUS, variables={"id": cid}, as_=token))[
        "data"
    ]  # warms the cache

    link = await _link(anonymous_client, token, candidate)
    granted = (
        await gql(
            anonymous_client,
            CONFIRM,
            variables={"input": {"token": link["token"], "decision": "GRANTED"}},
        )
    )["data"]
    again = (
        await gql(
            anonymous_client,
            CONFIRM,
            variables={"input": {"token": link["token"], "decision": "DECLINED"}},
        )
    )["data"]
    after = (await gql(anonymous_client, STATUS, variables={"id": cid}, as_=token))["data"]

    assert before["node"]["consent"]["status"] == "PENDING"
    expires = datetime.fromisoformat(link["expiresAt"])
    assert timedelta(days=13, hours=23) < expires - datetime.now(UTC) <= timedelta(days=14)
    consent = granted["confirmCandidateConsent"]["consent"]
    assert consent["status"] == "GRANTED"
    assert [(h["status"], h["method"]) for h in consent["history"]] == [("GRANTED", "LINK")]
    assert _codes(again["confirmCandidateConsent"]) == [(["token"], "TOKEN_USED")]
    assert after["node"]["consent"]["status"] == "GRANTED"
    stored = await Candidate.get(candidate.id)
    assert stored is not None and len(stored.consent.history) == 1
    events = await AuditEvent.find({"action": {"$regex": "Consent$"}}).sort("at").to_list()
    assert [e.action for e in events] == ["requestCandidateConsent", "confirmCandidateConsent"]
    assert events[1].actor_sub == "anonymous"
    assert link["token"] not in str([e.model_dump() for e in events])


async def test_declined_consent_keeps_contact_hidden_from_the_company(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    candidate, token = await _pending(issuer)
    company = await make_company()
    await CompanyMember(company_id=company.id, sub="auth0|hr", role=MemberRole.MEMBER).insert()
    await make_submission(await make_job(company), candidate, stage=Stage.INTERVIEWING)
    link = await _link(anonymous_client, token, candidate)
    email = "query($id: ID!) { node(id: $id) { ... on Candidate { email } } }"

    declined = (
        await gql(
            anonymous_client,
            CONFIRM,
            variables={"input": {"token": link["token"], "decision": "DECLINED"}},
        )
    )["data"]
    response = await anonymous_client.post(
        "/graphql",
        json={"query": email, "variables": {"id": global_id("Candidate", candidate)}},
        headers={"Authorization": f"Bearer {issuer.token('auth0|hr')}"},
    )

    assert declined["confirmCandidateConsent"]["consent"]["status"] == "DECLINED"
    body = response.json()
    assert body["data"]["node"]["email"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_request_is_for_the_owning_recruiter(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    candidate, _ = await _pending(issuer)
    await make_recruiter(sub="auth0|sam")
    cid = global_id("Candidate", candidate)
    cases = [
        (None, cid, ([], "UNAUTHENTICATED")),
        (issuer.token("auth0|sam"), cid, (["candidateId"], "FORBIDDEN")),
        (issuer.admin_token(), cid, (["candidateId"], "FORBIDDEN")),
        (issuer.token("auth0|rita"), "bad-id", (["candidateId"], "INVALID_INPUT")),
    ]
    for token, target, expected in cases:
        data = (
            await gql(
                anonymous_client, REQUEST, variables={"input": {"candidateId": target}}, as_=token
            )
        )["data"]
        result = data["requestCandidateConsent"]
        assert _codes(result) == [expected]
        assert result["token"] is None
    stored = await Candidate.get(candidate.id)
    assert stored is not None and stored.consent.link_nonce is None


async def test_bad_replaced_and_expired_links_are_refused(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, settings: Settings
) -> None:
    candidate, token = await _pending(issuer)
    old = (await _link(anonymous_client, token, candidate))["token"]
    new = (await _link(anonymous_client, token, candidate))["token"]
    stored = await Candidate.get(candidate.id)
    assert stored is not None
    secret = consent_resolvers.consent_secret(settings)
    claims = {"aud": consent_resolvers.AUDIENCE, "sub": str(candidate.id),
              "nonce": stored.consent.link_nonce, "exp": int(time.time()) - 60}  # fmt: skip
    expired = jwt.encode(claims, secret, algorithm="HS256")
    forged = jwt.encode({**claims, "exp": int(time.time()) + 600}, "x" * 64, algorithm="HS256")
    cases = [
        (old, "INVALID_TOKEN"),
        (new[:-2] + ("AA" if not new.endswith("AA") else "BB"), "INVALID_TOKEN"),
        ("garbage", "INVALID_TOKEN"),
        (forged, "INVALID_TOKEN"),
        (expired, "TOKEN_EXPIRED"),
    ]
    for link, code in cases:
        data = (
            await gql(
                anonymous_client,
                CONFIRM,
                variables={"input": {"token": link, "decision": "GRANTED"}},
            )
        )["data"]
        assert _codes(data["confirmCandidateConsent"]) == [(["token"], code)]
    unchanged = await Candidate.get(candidate.id)
    assert unchanged is not None and unchanged.consent.status is ConsentStatus.PENDING
    ok = (
        await gql(
            anonymous_client, CONFIRM, variables={"input": {"token": new, "decision": "GRANTED"}}
        )
    )["data"]
    assert ok["confirmCandidateConsent"]["consent"]["status"] == "GRANTED"


async def test_revoke_by_link_or_admin(anonymous_client: httpx.AsyncClient, issuer: Issuer) -> None:
    candidate, token = await _pending(issuer)
    cid = global_id("Candidate", candidate)
    link = (await _link(anonymous_client, token, candidate))["token"]
    (
        await gql(
            anonymous_client, CONFIRM, variables={"input": {"token": link, "decision": "GRANTED"}}
        )
    )["data"]

    refused = [
        (None, {"candidateId": cid}, ([], "UNAUTHENTICATED")),
        (token, {"candidateId": cid}, (["candidateId"], "FORBIDDEN")),
        (None, {}, ([], "INVALID_INPUT")),
        (None, {"token": link, "candidateId": cid}, ([], "INVALID_INPUT")),
        (None, {"token": "garbage"}, (["token"], "INVALID_TOKEN")),
    ]
    for who, payload, expected in refused:
        data = (await gql(anonymous_client, REVOKE, variables={"input": payload}, as_=who))["data"]
        assert _codes(data["revokeCandidateConsent"]) == [expected], payload
    by_link = (await gql(anonymous_client, REVOKE, variables={"input": {"token": link}}))["data"]
    twice = (await gql(anonymous_client, REVOKE, variables={"input": {"token": link}}))["data"]
    status = (await gql(anonymous_client, STATUS, variables={"id": cid}, as_=token))["data"]

    history = by_link["revokeCandidateConsent"]["consent"]["history"]
    assert [(h["status"], h["method"]) for h in history] == [
        ("GRANTED", "LINK"),
        ("REVOKED", "LINK"),
    ]
    assert _codes(twice["revokeCandidateConsent"]) == [([], "NOT_GRANTED")]
    assert status["node"]["consent"]["status"] == "REVOKED"

    other = await make_candidate(await make_recruiter())
    by_admin = (
        await gql(
            anonymous_client,
            REVOKE,
            variables={"input": {"candidateId": global_id("Candidate", other)}},
            as_=issuer.admin_token(),
        )
    )["data"]
    consent = by_admin["revokeCandidateConsent"]["consent"]
    assert consent["status"] == "REVOKED"
    assert consent["history"][-1] == {"status": "REVOKED", "method": "ADMIN"}


async def test_confirm_retry_with_client_mutation_id_returns_the_first_result(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    candidate, token = await _pending(issuer)
    link = (await _link(anonymous_client, token, candidate))["token"]
    payload = {"token": link, "decision": "GRANTED", "clientMutationId": "answer-1"}

    first = (await gql(anonymous_client, CONFIRM, variables={"input": payload}))["data"]
    retry = (await gql(anonymous_client, CONFIRM, variables={"input": payload}))["data"]

    assert first == retry
    assert first["confirmCandidateConsent"]["userErrors"] == []


def test_the_link_secret_survives_restarts_and_is_required_in_production(tmp_path: Path) -> None:
    settings = Settings(crowdhire_env=Environment.TEST, data_dir=tmp_path)
    first = consent_resolvers.consent_secret(settings)
    consent_resolvers._stored_secret.cache_clear()  # a new process
    second = consent_resolvers.consent_secret(settings)
    other = consent_resolvers.consent_secret(
        settings.model_copy(update={"data_dir": tmp_path / "b"})
    )
    configured = Settings(crowdhire_env=Environment.TEST, consent_token_secret="s" * 40)

    assert first == second and len(first) >= 64
    assert other != first
    assert oct(os.stat(tmp_path / consent_resolvers.SECRET_FILE).st_mode & 0o777) == "0o600"
    assert consent_resolvers.consent_secret(configured) == "s" * 40
    with pytest.raises(ValidationError, match="CONSENT_TOKEN_SECRET"):
        Settings(
            crowdhire_env=Environment.PRODUCTION,
            mongodb_uri="mongodb://db.invalid",
            auth0_domain="tenant.example",
            auth0_audience="https://api.example",
        )
