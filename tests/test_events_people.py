"""Consent, erasure and registration events; an erased person's events hold only ids."""

from __future__ import annotations

import httpx
import orjson
from starlette.applications import Starlette

from crowdhire.dev.smtp import DevSmtpServer
from crowdhire.models.candidates import Consent
from crowdhire.models.events import EventType, OutboxEvent
from tests.auth_support import Issuer
from tests.consent_support import ask, delivered, open_page
from tests.events_support import events_of, mutate, outbox
from tests.factories import make_candidate, make_recruiter
from tests.permissions_support import build_world, token_of
from tests.support import global_id

ADDRESS = "nora.event@example.test"


async def test_admin_revocation_records_consent_changed(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    revoke = {"candidateId": global_id("Candidate", world.submitted)}

    refused = await mutate(
        anonymous_client, "revokeCandidateConsent", revoke, token_of(issuer, "sam")
    )
    assert [e["code"] for e in refused] == ["FORBIDDEN"]  # only admins act by candidateId
    assert await outbox() == []

    admin = issuer.admin_token()
    assert await mutate(anonymous_client, "revokeCandidateConsent", revoke, admin) == []
    again = await mutate(anonymous_client, "revokeCandidateConsent", revoke, admin)
    assert [e["code"] for e in again] == ["NOT_GRANTED"]
    [event] = await outbox()
    assert event.type is EventType.CANDIDATE_CONSENT_CHANGED
    assert event.subjects == {"candidate": str(world.submitted.id), "recruiter": str(world.sam.id)}
    assert event.changed_fields == ["consent.status"]
    assert event.actor_sub == "auth0|test-admin"


async def test_a_decision_on_the_consent_page_records_consent_changed_once(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    rita = await make_recruiter(sub="auth0|rita")
    nora = await make_candidate(rita, full_name="Nora Event", email=ADDRESS, consent=Consent())
    await ask(anonymous_client, issuer.token("auth0|rita"), nora)
    email = await delivered(app, mailbox, ADDRESS)
    assert await events_of(EventType.CANDIDATE_CONSENT_CHANGED) == []  # asking changes nothing

    _, csrf = await open_page(anonymous_client, email.decide)
    granted = await anonymous_client.post(email.decide, data={"csrf": csrf, "decision": "grant"})
    # the same form again: a link decides once
    twice = await anonymous_client.post(email.decide, data={"csrf": csrf, "decision": "decline"})

    assert granted.status_code == 200 and "may now represent you" in granted.text
    assert "may now represent you" not in twice.text
    [event] = await events_of(EventType.CANDIDATE_CONSENT_CHANGED)
    assert event.actor_sub == f"candidate:{nora.id}"
    assert event.subjects == {"candidate": str(nora.id), "recruiter": str(rita.id)}


async def test_erasure_records_candidate_erased_and_no_event_holds_the_person(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    world = await build_world()
    person = world.submitted
    sid = global_id("Submission", world.sam_submission)
    acme, sam = token_of(issuer, "acme"), token_of(issuer, "sam")
    assert (
        await mutate(anonymous_client, "moveSubmission", {"id": sid, "stage": "SCREENING"}, acme)
        == []
    )
    erase = {"candidateId": global_id("Candidate", person)}

    refused = await mutate(anonymous_client, "eraseCandidate", erase, token_of(issuer, "rita"))
    person.legal_hold = True
    await person.save()
    held = await mutate(anonymous_client, "eraseCandidate", erase, sam)
    assert [e["code"] for e in refused + held] == ["FORBIDDEN", "LEGAL_HOLD"]
    assert await events_of(EventType.CANDIDATE_ERASED) == []

    person.legal_hold = False
    await person.save()
    assert await mutate(anonymous_client, "eraseCandidate", erase, sam) == []

    [erased] = await events_of(EventType.CANDIDATE_ERASED)
    assert erased.subjects == {"candidate": str(person.id), "recruiter": str(world.sam.id)}
    raw = await OutboxEvent.get_pymongo_collection().find({}).to_list()
    assert len(raw) == 2  # the move before, the erasure now
    stored = orjson.dumps(raw, default=str).decode().lower()
    assert str(person.id) in stored
    for personal in (person.full_name, person.email, person.phone, person.headline, "berlin"):
        assert personal is not None and personal.lower() not in stored, personal


async def test_registering_records_recruiter_registered_once(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    token = issuer.token("auth0|newcomer")
    profile = {"displayName": "New Comer", "email": "new@example.test"}

    bad = await mutate(anonymous_client, "registerRecruiter", profile | {"email": "nope"}, token)
    assert [e["field"] for e in bad] == [["email"]]
    assert await outbox() == []

    assert await mutate(anonymous_client, "registerRecruiter", profile, token) == []
    assert await mutate(anonymous_client, "registerRecruiter", profile, token) == []  # again: same
    [event] = await outbox()
    assert event.type is EventType.RECRUITER_REGISTERED
    assert event.actor_sub == "auth0|newcomer"
    assert list(event.subjects) == ["recruiter"]
    assert "new@example.test" not in orjson.dumps(event.model_dump(mode="json")).decode()
