"""Automated ranking from the person's own emailed link: opting out, and back in."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from crowdhire.dev.smtp import DevSmtpServer
from crowdhire.matching import store
from crowdhire.matching.embeddings import TextEncoder
from crowdhire.matching.tasks import enqueue_embedding
from crowdhire.models import AuditEvent, Candidate, Job
from crowdhire.models.candidates import AutomatedRanking, Consent
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.models.jobs import RemotePolicy
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.consent_support import Email, ask, delivered, open_page, press
from tests.factories import make_candidate, make_company, make_job, make_recruiter
from tests.support import global_id, gql

RANKED = """query($id: ID!) { node(id: $id) { ... on Job {
  recommendedCandidates(first: 20) { nodes { candidate { fullName } } } } } }"""
CHOICE = """query($id: ID!) { node(id: $id) { ... on Candidate { automatedRanking } } }"""
ADDRESS = "ada.quill@example.test"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No resend interval: the consent email goes out at once."""
    return settings.model_copy(update={"consent_email_interval_seconds": 0})


async def _embedded_job_and_person(
    app: Starlette, client: httpx.AsyncClient, issuer: Issuer, mailbox: DevSmtpServer
) -> tuple[Job, Candidate, str, Email]:
    """A backend job and Ada (Rita's candidate), both embedded, and Ada's consent email."""
    job = await make_job(await make_company(), title="Backend Engineer",
                         description="Build server-side APIs and services in Python.",
                         skills=[], must_have_skills=["python", "postgresql"],
                         remote_policy=RemotePolicy.REMOTE)  # fmt: skip
    rita = await make_recruiter(sub="auth0|rita", display_name="Rita Recruiter")
    ada = await make_candidate(
        rita, full_name="Ada Quill", email=ADDRESS, consent=Consent(),
        headline="Server-side developer", skills=["python", "postgres"],
        summary="I build APIs and services.", open_to_remote=True,
    )  # fmt: skip
    token = issuer.token("auth0|rita")
    await ask(client, token, ada)
    email = await delivered(app, mailbox, ADDRESS)
    assert job.id is not None and ada.id is not None
    await enqueue_embedding(EmbeddedKind.JOB, job.id)
    await enqueue_embedding(EmbeddedKind.CANDIDATE, ada.id)
    assert await app.state.services.worker.drain() == 2
    return job, ada, token, email


async def _ranked_names(client: httpx.AsyncClient, issuer: Issuer, job: Job) -> list[str]:
    data = (await gql(client, RANKED, {"id": global_id("Job", job)},
                      as_=issuer.admin_token()))["data"]  # fmt: skip
    return [n["candidate"]["fullName"] for n in data["node"]["recommendedCandidates"]["nodes"]]


async def test_the_person_opts_out_through_their_link_and_back_in(
    app: Starlette,
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    mailbox: DevSmtpServer,
    text_encoder: TextEncoder,
) -> None:
    job, ada, token, email = await _embedded_job_and_person(app, anonymous_client, issuer, mailbox)
    assert ada.id is not None
    index = app.state.services.matching.index[EmbeddedKind.CANDIDATE]
    ranked_before = await _ranked_names(anonymous_client, issuer, job)
    page, csrf = await open_page(anonymous_client, email.ranking)

    opted_out = await press(anonymous_client, email.ranking, "ranking-opt-out")
    ranked_after = await _ranked_names(anonymous_client, issuer, job)
    shown = (await gql(anonymous_client, CHOICE, {"id": global_id("Candidate", ada)},
                       as_=token))["data"]  # fmt: skip
    stored = await store.find(EmbeddedKind.CANDIDATE, ada.id)
    reopened, _ = await open_page(anonymous_client, email.ranking)

    for part in ("plain", "html"):
        assert email.token("ranking") in email.mail.part(part)
    assert "Ada Quill" in ranked_before
    assert page.status_code == 200 and csrf is not None
    assert "currently ranks your profile" in page.text and 'value="ranking-opt-out"' in page.text
    for private in ("Quill", ADDRESS, "python", "<script"):
        assert private.lower() not in page.text.lower(), private
    assert opted_out.status_code == 200 and "You opted out of automated ranking" in opted_out.text
    assert "Ada Quill" not in ranked_after
    assert shown["node"] == {"automatedRanking": "OPTED_OUT"}
    assert stored is not None and stored.vector is None
    assert index.vector(ada.id) is None
    assert "You opted out" in reopened.text and 'value="ranking-allow"' in reopened.text
    [event] = await AuditEvent.find({"action": "setCandidateAutomatedRanking"}).to_list()
    assert event.actor_sub == f"candidate:{ada.id}"
    assert event.targets == {"candidate": str(ada.id)}
    assert event.changed_fields == ["automated_ranking"]

    allowed = await press(anonymous_client, email.ranking, "ranking-allow")
    assert await app.state.services.worker.drain() == 1  # the fresh embedding it queued

    assert allowed.status_code == 200 and "allowed again" in allowed.text
    assert "Ada Quill" in await _ranked_names(anonymous_client, issuer, job)
    fresh = await Candidate.get(ada.id)
    assert fresh is not None and fresh.automated_ranking is AutomatedRanking.ALLOWED
    restored = await store.find(EmbeddedKind.CANDIDATE, ada.id)
    assert restored is not None and restored.vector is not None
    events = await AuditEvent.find({"action": "setCandidateAutomatedRanking"}).to_list()
    assert len(events) == 2 and {e.actor_sub for e in events} == {f"candidate:{ada.id}"}


async def test_only_the_ranking_link_records_the_choice_and_never_signed_in(
    app: Starlette,
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    mailbox: DevSmtpServer,
    text_encoder: TextEncoder,
) -> None:
    job, ada, token, email = await _embedded_job_and_person(app, anonymous_client, issuer, mailbox)
    assert ada.id is not None

    through_decide = await press(anonymous_client, email.decide, "ranking-opt-out")
    wrong_button = await press(anonymous_client, email.ranking, "erase")
    signed_in = await press(anonymous_client, email.ranking, "ranking-opt-out",
                            Authorization=f"Bearer {token}")  # fmt: skip

    assert [through_decide.status_code, wrong_button.status_code] == [400, 400]
    assert signed_in.status_code == 403
    fresh = await Candidate.get(ada.id)
    assert fresh is not None and fresh.automated_ranking is AutomatedRanking.ALLOWED
    assert fresh.erased_at is None
    assert "Ada Quill" in await _ranked_names(anonymous_client, issuer, job)
    assert await AuditEvent.find({"action": "setCandidateAutomatedRanking"}).count() == 0
