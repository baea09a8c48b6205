"""The consent page: the person reads their email, opens the link, and decides there."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import httpx
import pytest
from bson import ObjectId
from jose import jwt
from starlette.applications import Starlette

from crowdhire.auth import Viewer
from crowdhire.consent_page.views import CSP
from crowdhire.context import build_context
from crowdhire.dev.smtp import DevSmtpServer
from crowdhire.models import AuditEvent, Candidate
from crowdhire.models.candidates import Consent, ConsentStatus
from crowdhire.models.common import utcnow
from crowdhire.models.companies import CompanyMember, MemberRole
from crowdhire.models.recruiters import Recruiter
from crowdhire.models.submissions import Stage
from crowdhire.resolvers import consent as consent_rules
from crowdhire.resolvers import consent_links
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.consent_support import RESEND, Email, ask, delivered, open_page, press
from tests.factories import make_candidate, make_company, make_job, make_recruiter, make_submission
from tests.support import codes, global_id, gql

SUBMIT = """mutation($input: SubmitCandidateInput!) {
  submitCandidate(input: $input) { submission { id } userErrors { field code } } }"""
REVOKE = """mutation($input: RevokeCandidateConsentInput!) {
  revokeCandidateConsent(input: $input) {
    consent { status history { status method } } userErrors { field code } } }"""
STATUS = """query($id: ID!) { node(id: $id) { ... on Candidate {
  consent { status requestedAt lastSentAt } } } }"""
ADDRESS = "ada.quill@example.test"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No resend interval here, so a test may ask twice; the limit has its own tests."""
    return settings.model_copy(update={"consent_email_interval_seconds": 0})


async def _emailed(
    app: Starlette, client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer
) -> tuple[Candidate, str, Email]:
    """Ada Quill, Rita's pending candidate, and the consent email she received."""
    rita = await make_recruiter(sub="auth0|rita", display_name="Rita Recruiter",
                                specialties=["backend", "data"])  # fmt: skip
    candidate = await make_candidate(rita, full_name="Ada Quill", email=ADDRESS,
                                     phone="+49 30 1234 5678", consent=Consent())  # fmt: skip
    token = issuer.token("auth0|rita")
    await ask(client, token, candidate)
    return candidate, token, await delivered(app, mailbox, ADDRESS)


async def test_grant_on_the_page_then_the_recruiter_can_submit(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    candidate, token, email = await _emailed(app, anonymous_client, issuer, mailbox)
    job = await make_job(await make_company())
    cid = global_id("Candidate", candidate)
    submit = {"jobId": global_id("Job", job), "candidateId": cid}
    before = (await gql(anonymous_client, SUBMIT, {"input": submit}, as_=token))["data"]

    page, csrf = await open_page(anonymous_client, email.decide)
    granted = await anonymous_client.post(email.decide, data={"csrf": csrf, "decision": "grant"})
    after = (await gql(anonymous_client, SUBMIT, {"input": submit}, as_=token))["data"]

    assert codes(before["submitCandidate"]) == [(["candidateId"], "CONSENT_REQUIRED")]
    assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
    assert CSP.startswith("default-src 'none'; style-src 'sha256-")
    assert "form-action 'self'; frame-ancestors 'none'" in CSP
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "samesite=strict" in page.headers["set-cookie"].lower()
    assert "httponly" in page.headers["set-cookie"].lower()
    html = page.text
    assert "Hello Ada," in html and "Rita Recruiter" in html and "roles in backend, data" in html
    assert 'href="http://test/privacy"' in html
    assert 'value="grant"' in html and 'value="decline"' in html
    for private in ("Quill", ADDRESS, "1234", "Berlin", "python", "<script"):
        assert private.lower() not in html.lower(), private
    assert granted.status_code == 200 and "Rita Recruiter may now represent you" in granted.text
    assert codes(after["submitCandidate"]) == []
    [event] = await AuditEvent.find({"action": "confirmCandidateConsent"}).to_list()
    assert event.actor_sub == f"candidate:{candidate.id}"
    privacy = await anonymous_client.get("/privacy")
    assert privacy.status_code == 200 and "withdraw consent" in privacy.text


async def test_a_post_without_the_pages_form_token_is_refused(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    candidate, _, email = await _emailed(app, anonymous_client, issuer, mailbox)
    _, csrf = await open_page(anonymous_client, email.decide)
    assert csrf is not None
    other = await make_candidate(await make_recruiter(), consent=Consent())
    other.consent.link_nonce, other.consent.link_expires_at = "n" * 24, utcnow() + timedelta(days=1)
    await other.save()
    other_link = consent_links.sign_link(app.state.services.settings, other,
                                         consent_links.LinkPurpose.DECIDE)  # fmt: skip
    grant = {"csrf": csrf, "decision": "grant"}
    evil, cross_site = {"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}
    fresh_browser = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    )

    attempts = [
        await anonymous_client.post(email.decide, data={"decision": "grant"}),
        await anonymous_client.post(email.decide, data={"csrf": "0" * 64, "decision": "grant"}),
        await anonymous_client.post(f"/consent/{other_link}", data=grant),
        await anonymous_client.post(email.decide, data=grant, headers=evil),
        await anonymous_client.post(email.decide, data=grant, headers=cross_site),
        await anonymous_client.post(email.decide, json=grant),
        await fresh_browser.post(email.decide, data=grant),  # the field without its cookie
    ]  # fmt: skip
    await fresh_browser.aclose()

    assert [a.status_code for a in attempts] == [403] * len(attempts)
    stored = await Candidate.get(candidate.id)
    assert stored is not None and stored.consent.status is ConsentStatus.PENDING
    assert stored.consent.history == []


async def test_declining_keeps_contact_hidden_and_the_link_answers_once(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    candidate, _, email = await _emailed(app, anonymous_client, issuer, mailbox)
    company = await make_company()
    await CompanyMember(company_id=company.id, sub="auth0|hr", role=MemberRole.MEMBER).insert()
    await make_submission(await make_job(company), candidate, stage=Stage.INTERVIEWING)
    _, csrf = await open_page(anonymous_client, email.decide)

    declined = await anonymous_client.post(email.decide, data={"csrf": csrf, "decision": "decline"})
    twice = await anonymous_client.post(email.decide, data={"csrf": csrf, "decision": "grant"})
    reopened, form = await open_page(anonymous_client, email.decide)
    response = await anonymous_client.post(
        "/graphql",
        json={"query": "query($id: ID!) { node(id: $id) { ... on Candidate { email } } }",
              "variables": {"id": global_id("Candidate", candidate)}},
        headers={"Authorization": f"Bearer {issuer.token('auth0|hr')}"},
    )  # fmt: skip

    assert declined.status_code == 200 and "You declined" in declined.text
    assert twice.status_code == 409 and "already answered" in twice.text
    assert "You already answered" in reopened.text and form is None
    assert response.json()["data"]["node"]["email"] is None
    stored = await Candidate.get(candidate.id)
    assert stored is not None
    assert [h.status for h in stored.consent.history] == [ConsentStatus.DECLINED]


async def test_revoke_and_erase_links_work_the_same_way(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    candidate, token, email = await _emailed(app, anonymous_client, issuer, mailbox)
    early_revoke, early_form = await open_page(anonymous_client, email.revoke)
    await press(anonymous_client, email.decide, "grant")
    wrong_button = await press(anonymous_client, email.revoke, "grant")

    revoked = await press(anonymous_client, email.revoke, "revoke")
    by_admin = (
        await gql(
            anonymous_client,
            REVOKE,
            {"input": {"candidateId": global_id("Candidate", candidate)}},
            as_=issuer.admin_token(),
        )
    )["data"]
    by_owner = (
        await gql(
            anonymous_client,
            REVOKE,
            {"input": {"candidateId": global_id("Candidate", candidate)}},
            as_=token,
        )
    )["data"]
    erase_page, _ = await open_page(anonymous_client, email.erase)
    erased = await press(anonymous_client, email.erase, "erase")
    gone, _ = await open_page(anonymous_client, email.erase)

    assert "nothing to withdraw" in early_revoke.text and early_form is None
    assert wrong_button.status_code == 400  # a revoke link cannot grant
    assert revoked.status_code == 200 and "withdrawn" in revoked.text
    assert codes(by_admin["revokeCandidateConsent"]) == [([], "NOT_GRANTED")]
    assert codes(by_owner["revokeCandidateConsent"]) == [(["candidateId"], "FORBIDDEN")]
    assert "cannot be undone" in erase_page.text and 'value="erase"' in erase_page.text
    assert erased.status_code == 200 and "erased" in erased.text
    assert gone.status_code == 404
    stored = await Candidate.get(candidate.id)
    assert stored is not None and stored.erased_at is not None and stored.email is None
    actors = {e.action: e.actor_sub for e in await AuditEvent.find_all().to_list()}
    person = f"candidate:{candidate.id}"
    assert actors["revokeCandidateConsent"] == actors["eraseCandidate"] == person


async def test_a_pending_request_from_before_the_upgrade_needs_a_resend(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer,
    settings: Settings,
) -> None:  # fmt: skip
    rita = await make_recruiter(sub="auth0|rita", display_name="Rita Recruiter")
    expires = utcnow() + timedelta(days=10)
    # A pending request as the previous version stored it, and the link it returned to Rita.
    old = await make_candidate(rita, full_name="Ada Quill", email=ADDRESS, consent=Consent())
    await Candidate.get_pymongo_collection().update_one({"_id": old.id}, {"$set": {"consent": {
        "status": "pending", "changed_at": None, "history": [], "link_nonce": "n0nce-from-v1",
        "link_expires_at": expires, "link_decided": False}}})  # fmt: skip
    returned_to_rita = jwt.encode(
        {"aud": "crowdhire:consent-link", "sub": str(old.id), "nonce": "n0nce-from-v1",
         "exp": int(expires.timestamp())},
        consent_links.consent_secret(settings), algorithm="HS256",
    )  # fmt: skip
    token, cid = issuer.token("auth0|rita"), global_id("Candidate", old)

    page = await anonymous_client.get(f"/consent/{returned_to_rita}")
    posted = await anonymous_client.post(f"/consent/{returned_to_rita}", data={"decision": "grant"})
    seen = (await gql(anonymous_client, STATUS, {"id": cid}, as_=token))["data"]
    resent = (await gql(anonymous_client, RESEND, {"input": {"candidateId": cid}}, as_=token))[
        "data"
    ]
    email = await delivered(app, mailbox, ADDRESS)
    granted = await press(anonymous_client, email.decide, "grant")

    assert page.status_code == 404 and "not valid" in page.text
    assert page.headers["content-security-policy"] == CSP
    assert posted.status_code == 403
    assert seen["node"]["consent"] == {"status": "PENDING", "requestedAt": None, "lastSentAt": None}
    assert codes(resent["resendCandidateConsent"]) == []
    assert granted.status_code == 200
    stored = await Candidate.get(old.id)
    assert stored is not None and stored.consent.status is ConsentStatus.GRANTED


async def test_bad_expired_and_forged_links_are_refused(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer,
    settings: Settings,
) -> None:  # fmt: skip
    candidate, _, email = await _emailed(app, anonymous_client, issuer, mailbox)
    stored = await Candidate.get(candidate.id)
    assert stored is not None
    secret = consent_links.consent_secret(settings)
    claims = {"aud": consent_links.AUDIENCE, "sub": str(candidate.id), "use": "decide",
              "nonce": stored.consent.link_nonce, "exp": int(time.time()) + 600}  # fmt: skip
    expired = jwt.encode({**claims, "exp": int(time.time()) - 60}, secret, algorithm="HS256")
    forged = jwt.encode(claims, "x" * 64, algorithm="HS256")
    unknown_use = jwt.encode({**claims, "use": "grant"}, secret, algorithm="HS256")
    tampered = email.token()[:-2] + ("AA" if not email.token().endswith("AA") else "BB")

    pages = {name: await anonymous_client.get(f"/consent/{link}") for name, link in [
        ("expired", expired), ("forged", forged), ("unknown_use", unknown_use),
        ("tampered", tampered), ("garbage", "garbage")]}  # fmt: skip
    valid, _ = await open_page(anonymous_client, email.decide)

    assert {name: page.status_code for name, page in pages.items()} == {
        "expired": 410, "forged": 404, "unknown_use": 404, "tampered": 404, "garbage": 404,
    }  # fmt: skip
    assert "expired" in pages["expired"].text
    assert valid.status_code == 200


async def test_no_link_token_reaches_a_log_line(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    _, _, email = await _emailed(app, anonymous_client, issuer, mailbox)
    await press(anonymous_client, email.decide, "grant")
    await anonymous_client.get(f"/consent/{email.token('revoke')}x")

    # "httpx" is this test's own client, the browser here (the app keeps httpx at WARNING).
    records = [r for r in caplog.records if r.name != "httpx"]
    logged = "\n".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in records)
    assert "/consent/…" in logged
    for purpose in ("decide", "revoke", "erase"):
        assert email.token(purpose) not in logged


async def test_the_decision_rules_refuse_anyone_but_that_candidate(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    candidate, _, email = await _emailed(app, anonymous_client, issuer, mailbox)
    rita = await Recruiter.find_one({"sub": "auth0|rita"})
    assert rita is not None and rita.id is not None and candidate.id is not None
    services = app.state.services
    as_rita = Viewer(sub="auth0|rita", recruiter_id=rita.id)
    as_someone_else = consent_rules.candidate_actor(ObjectId())

    outcomes = [
        await consent_rules.confirm_consent(
            build_context(services.settings, services.cache, viewer=viewer),
            email.token(), ConsentStatus.GRANTED, None,
        )
        for viewer in (as_rita, as_someone_else)
    ]  # fmt: skip

    assert [[(e.field, e.code) for e in o.errors] for o in outcomes] == [
        [(("token",), "FORBIDDEN")],
        [(("token",), "FORBIDDEN")],
    ]
    stored = await Candidate.get(candidate.id)
    assert stored is not None and stored.consent.status is ConsentStatus.PENDING
