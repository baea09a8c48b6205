"""A background task's writes make stale only the cached answers that showed what it wrote.

The worker runs each task inside a footprint (crowdhire.footprints.task_footprint), so its
writes are analysed per object like a request's. Before, a write outside a request was known
only by its collection: one consent email sent made every cached answer about any candidate
stale.
"""

from __future__ import annotations

from crowdhire.dev.smtp import DevSmtpServer
from crowdhire.models.candidates import Consent
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.consent_support import ask, delivered
from tests.factories import make_candidate, make_recruiter
from tests.staleness_checks import cache_hits, check_answers, store_answers
from tests.support import global_id

OWNER = "auth0|task-staleness-owner"
CONSENT = (
    """query($id: ID!) { node(id: $id) { ... on Candidate { consent { status lastSentAt } } } }"""
)
NAME = """query($id: ID!) { node(id: $id) { ... on Candidate { fullName headline } } }"""


async def test_a_sent_consent_email_makes_stale_only_the_answers_showing_its_candidate(
    app_factory: AppFactory, issuer: Issuer, mailbox: DevSmtpServer
) -> None:
    async with app_factory(worker_enabled=False, cache_timeout_ms=1000) as (app, client):
        owner = await make_recruiter(sub=OWNER)
        asked_for = await make_candidate(
            owner, full_name="Ada Quill", email="ada.quill@example.test", consent=Consent()
        )
        other = await make_candidate(owner, full_name="Bo Other")
        token = issuer.token(OWNER)
        await ask(client, token, asked_for)
        reads = [
            (CONSENT, {"id": global_id("Candidate", asked_for)}, token),
            (NAME, {"id": global_id("Candidate", other)}, token),
        ]
        before = await store_answers(client, reads)

        await delivered(app, mailbox, "ada.quill@example.test")  # the worker sends it
        hits = await cache_hits(client)
        changed = await check_answers(client, app_factory, reads, before)
        served_from_cache = await cache_hits(client) - hits

    assert changed == [True, False]  # the email's candidate now shows when it was sent
    assert before[0]["node"]["consent"]["lastSentAt"] is None
    assert served_from_cache == 1  # the other candidate's answer, still cached
