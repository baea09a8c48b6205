"""Consent requests: emailed by the platform, never shown to the recruiter; resends, limits."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette

from crowdhire.dev.smtp import DevSmtpServer
from crowdhire.models import AuditEvent, Candidate
from crowdhire.models.candidates import Consent, ConsentStatus
from crowdhire.models.companies import CompanyMember, MemberRole
from crowdhire.models.tasks import BackgroundTask, TaskStatus
from crowdhire.resolvers import consent_links
from crowdhire.settings import Environment, Settings
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.consent_support import REQUEST, RESEND, ask, delivered, open_page, press
from tests.factories import make_candidate, make_company, make_job, make_recruiter
from tests.support import codes, global_id, gql

SUBMIT = """mutation($input: SubmitCandidateInput!) {
  submitCandidate(input: $input) { submission { id } userErrors { field code } } }"""
CONFIRM = """mutation($input: ConfirmCandidateConsentInput!) {
  confirmCandidateConsent(input: $input) { consent { status } userErrors { code } } }"""
OLD_REQUEST = """mutation($input: RequestCandidateConsentInput!) {
  requestCandidateConsent(input: $input) { token expiresAt } }"""
STATUS = """query($id: ID!) { node(id: $id) { ... on Candidate {
  consent { status requestedAt lastSentAt history { status method } } } } }"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No resend interval here, so a test may ask twice; the limit has its own tests."""
    return settings.model_copy(
        update={"consent_email_interval_seconds": 0, "consent_emails_per_day": 50}
    )


async def _pending(issuer: Issuer, **fields: Any) -> tuple[Candidate, str]:
    owner = await make_recruiter(sub="auth0|rita", display_name="Rita Recruiter",
                                 specialties=["backend", "data"])  # fmt: skip
    values = {"full_name": "Ada Quill", "email": "ada.quill@example.test", "consent": Consent()}
    candidate = await make_candidate(owner, **(values | fields))
    return candidate, issuer.token("auth0|rita")


async def test_the_platform_emails_the_link_and_the_recruiter_never_sees_it(
    app_factory: AppFactory, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    async with app_factory(worker_enabled=False) as (app, client):
        candidate, token = await _pending(issuer)
        cid = global_id("Candidate", candidate)

        asked = await gql(
            client, REQUEST, {"input": {"candidateId": cid}}, as_=token, expect_errors=True
        )
        queued = (await gql(client, STATUS, {"id": cid}, as_=token))["data"]
        email = await delivered(app, mailbox, "ada.quill@example.test")
        sent = (await gql(client, STATUS, {"id": cid}, as_=token))["data"]
        old_field = await gql(
            client, OLD_REQUEST, {"input": {"candidateId": cid}}, as_=token, expect_errors=True
        )
        tasks = [t.model_dump_json() for t in await BackgroundTask.find_all().to_list()]

    consent = asked["data"]["requestCandidateConsent"]["candidate"]["consent"]
    assert consent["status"] == "PENDING" and consent["lastSentAt"] is None
    assert datetime.fromisoformat(consent["requestedAt"]) is not None
    assert queued["node"]["consent"]["lastSentAt"] is None
    assert sent["node"]["consent"]["lastSentAt"] is not None
    assert email.mail.recipients == ("ada.quill@example.test",)
    assert email.mail.message["Subject"] == "Rita Recruiter asks to represent you on crowdhire"
    for part in ("plain", "html"):
        text = email.mail.part(part)
        assert "Hello Ada," in text and "roles in backend, data" in text
        assert email.token("decide") in text and email.token("erase") in text
    for token_of_link in (email.token("decide"), email.token("revoke"), email.token("erase")):
        assert token_of_link not in str([asked, queued, sent, tasks])
    assert {e["extensions"]["code"] for e in old_field["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
    assert "Cannot query field 'token'" in old_field["errors"][0]["message"]


async def test_the_probe_forgery_fails_after_the_person_declined(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    candidate, token = await _pending(issuer)
    cid = global_id("Candidate", candidate)
    job = await make_job(await make_company())
    await ask(anonymous_client, token, candidate)
    first = await delivered(app, mailbox, "ada.quill@example.test")
    await press(anonymous_client, first.decide, "decline")

    # The recruiter asks again, then answers for the person: through GraphQL, and (holding the
    # emailed link, which they never get) through the page while signed in.
    await ask(anonymous_client, token, candidate)
    second = await delivered(app, mailbox, "ada.quill@example.test")
    forged = await gql(
        anonymous_client,
        CONFIRM,
        {"input": {"token": second.token(), "decision": "GRANTED"}},
        as_=token,
        expect_errors=True,
    )
    signed_in = await press(anonymous_client, second.decide, "grant",
                            Authorization=f"Bearer {token}")  # fmt: skip
    other = await make_recruiter(sub="auth0|sam")
    by_other = await press(anonymous_client, second.decide, "grant",
                           Authorization=f"Bearer {issuer.token(other.sub)}")  # fmt: skip
    submitted = (
        await gql(
            anonymous_client,
            SUBMIT,
            {"input": {"jobId": global_id("Job", job), "candidateId": cid}},
            as_=token,
        )
    )["data"]

    assert {e["extensions"]["code"] for e in forged["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
    assert any("'confirmCandidateConsent'" in e["message"] for e in forged["errors"])
    assert signed_in.status_code == by_other.status_code == 403
    stored = await Candidate.get(candidate.id)
    assert stored is not None
    assert [(h.status, h.method.value) for h in stored.consent.history] == [
        (ConsentStatus.DECLINED, "link")
    ]
    assert codes(submitted["submitCandidate"]) == [(["candidateId"], "CONSENT_REQUIRED")]


async def test_resend_sends_a_fresh_link_and_is_rate_limited(
    app_factory: AppFactory, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    async with app_factory(consent_email_interval_seconds=0, consent_emails_per_day=2) as (
        app,
        client,
    ):
        candidate, token = await _pending(issuer)
        cid = global_id("Candidate", candidate)
        nothing_open = (await gql(client, RESEND, {"input": {"candidateId": cid}}, as_=token))[
            "data"
        ]
        asked = await ask(client, token, candidate)
        first = await delivered(app, mailbox, "ada.quill@example.test")
        resent = (await gql(client, RESEND, {"input": {"candidateId": cid}}, as_=token))["data"]
        second = await delivered(app, mailbox, "ada.quill@example.test")
        third = (await gql(client, RESEND, {"input": {"candidateId": cid}}, as_=token))["data"]
        old_page, _ = await open_page(client, first.decide)
        new_page, csrf = await open_page(client, second.decide)

    assert codes(nothing_open["resendCandidateConsent"]) == [(["candidateId"], "NO_OPEN_REQUEST")]
    assert codes(resent["resendCandidateConsent"]) == []
    again = resent["resendCandidateConsent"]["candidate"]["consent"]
    assert again["requestedAt"] == asked["candidate"]["consent"]["requestedAt"]  # type: ignore[index]
    assert second.token() != first.token()
    [limited] = third["resendCandidateConsent"]["userErrors"]
    assert (limited["field"], limited["code"]) == (["candidateId"], "RATE_LIMITED")
    assert "try again after" in limited["message"]
    assert old_page.status_code == 404 and new_page.status_code == 200 and csrf
    assert len(mailbox.messages) == 2


async def test_a_second_email_within_the_interval_is_refused(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(consent_email_interval_seconds=600) as (_, client):
        candidate, token = await _pending(issuer)
        await ask(client, token, candidate)
        again = (
            await gql(
                client,
                RESEND,
                {"input": {"candidateId": global_id("Candidate", candidate)}},
                as_=token,
            )
        )["data"]
        queued = await BackgroundTask.find({"kind": "consent-email"}).count()

    assert codes(again["resendCandidateConsent"]) == [(["candidateId"], "RATE_LIMITED")]
    assert queued == 1


async def test_request_is_for_the_owning_recruiter_with_an_email_address(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    candidate, _ = await _pending(issuer)
    no_email = await make_candidate(await make_recruiter(sub="auth0|nora"), email=None,
                                    consent=Consent())  # fmt: skip
    granted = await make_candidate(await make_recruiter(sub="auth0|gus"))
    await make_recruiter(sub="auth0|sam")
    company = await make_company()
    await CompanyMember(company_id=company.id, sub="auth0|hr", role=MemberRole.OWNER).insert()
    cid = global_id("Candidate", candidate)
    cases = [
        (None, cid, ([], "UNAUTHENTICATED")),
        (issuer.token("auth0|hr"), cid, (["candidateId"], "FORBIDDEN")),
        (issuer.token("auth0|sam"), cid, (["candidateId"], "FORBIDDEN")),
        (issuer.admin_token(), cid, (["candidateId"], "FORBIDDEN")),
        (issuer.token("auth0|rita"), "bad-id", (["candidateId"], "INVALID_INPUT")),
        (issuer.token("auth0|nora"), global_id("Candidate", no_email),
         (["candidateId"], "NO_EMAIL")),
        (issuer.token("auth0|gus"), global_id("Candidate", granted),
         (["candidateId"], "ALREADY_GRANTED")),
    ]  # fmt: skip
    for token, target, expected in cases:
        data = (
            await gql(anonymous_client, REQUEST, {"input": {"candidateId": target}}, as_=token)
        )["data"]
        assert codes(data["requestCandidateConsent"]) == [expected]
    stored = await Candidate.get(candidate.id)
    assert stored is not None and stored.consent.link_nonce is None
    assert await BackgroundTask.find_all().count() == 0


async def test_without_smtp_the_request_says_email_is_unavailable(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(smtp_url=None) as (_, client):
        candidate, token = await _pending(issuer)
        data = (
            await gql(
                client,
                REQUEST,
                {"input": {"candidateId": global_id("Candidate", candidate)}},
                as_=token,
            )
        )["data"]

    assert codes(data["requestCandidateConsent"]) == [([], "EMAIL_UNAVAILABLE")]


async def test_an_unreachable_smtp_server_never_blocks_the_request_and_the_email_is_retried(
    app_factory: AppFactory, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    async with app_factory(smtp_url="smtp://127.0.0.1:9", worker_enabled=False) as (app, client):
        candidate, token = await _pending(issuer)
        asked = await ask(client, token, candidate)
        await app.state.services.worker.drain()
        [task] = await BackgroundTask.find({"kind": "consent-email"}).to_list()

    assert asked["userErrors"] == []
    assert task.status is TaskStatus.PENDING and task.attempts == 1
    assert task.last_error is not None and task.last_error.startswith("SMTP")
    assert mailbox.messages == []


async def test_request_retry_with_client_mutation_id_sends_one_email(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    candidate, token = await _pending(issuer)
    payload = {"candidateId": global_id("Candidate", candidate), "clientMutationId": "ask-1"}

    first = (await gql(anonymous_client, REQUEST, {"input": payload}, as_=token))["data"]
    retry = (await gql(anonymous_client, REQUEST, {"input": payload}, as_=token))["data"]
    await delivered(app, mailbox, "ada.quill@example.test")

    assert codes(first["requestCandidateConsent"]) == codes(retry["requestCandidateConsent"]) == []
    assert len(mailbox.messages) == 1
    events = await AuditEvent.find({"action": "requestCandidateConsent"}).count()
    assert events == 1


def test_the_link_secret_survives_restarts_and_is_required_in_production(tmp_path: Path) -> None:
    settings = Settings(crowdhire_env=Environment.TEST, data_dir=tmp_path)
    first = consent_links.consent_secret(settings)
    consent_links._stored_secret.cache_clear()  # a new process
    second = consent_links.consent_secret(settings)
    other = consent_links.consent_secret(settings.model_copy(update={"data_dir": tmp_path / "b"}))
    configured = Settings(crowdhire_env=Environment.TEST, consent_token_secret="s" * 40)

    assert first == second and len(first) >= 64
    assert other != first
    assert oct(os.stat(tmp_path / consent_links.SECRET_FILE).st_mode & 0o777) == "0o600"
    assert consent_links.consent_secret(configured) == "s" * 40
    production: dict[str, Any] = {
        "crowdhire_env": Environment.PRODUCTION,
        "mongodb_uri": "mongodb://db.invalid",
        "auth0_domain": "tenant.example",
        "auth0_audience": "https://api.example",
    }
    with pytest.raises(ValidationError, match="CONSENT_TOKEN_SECRET"):
        Settings(**production, public_base_url="https://api.example")
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL is required"):
        Settings(**production, consent_token_secret="s" * 40)
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL must start with https://"):
        Settings(**production, consent_token_secret="s" * 40, public_base_url="http://api.example")
    with pytest.raises(ValidationError, match="SMTP_URL"):
        Settings(crowdhire_env=Environment.TEST, smtp_url="http://mail.example")
    assert timedelta(days=14) == consent_links.LINK_LIFETIME
